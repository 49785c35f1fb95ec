"""The security log: logins, failures, lock-outs, permission denials and exports.

One JSON object a line on the ``portal.security`` logger, in UTC, with the event name
from the OWASP logging vocabulary (authn_login_success, authz_fail, ...). It never
carries personal data of residents: requests are named by id, staff by account id.
Where the lines go (a file, syslog, journald) is the deployment's logging setup.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from flask import has_request_context, request

logger = logging.getLogger("portal.security")


def log_event(
    event: str, *, outcome: str = "success", user_id: int | None = None, **fields
) -> None:
    """Write one security event; fields must hold ids and codes, never personal data."""
    record = {
        "ts": datetime.now(UTC).isoformat(timespec="seconds"),
        "event": event,
        "outcome": outcome,
        "user_id": user_id,
    }
    if has_request_context():
        record["ip"] = request.remote_addr
        record["path"] = request.path
    record.update(fields)
    logger.info(json.dumps(record, ensure_ascii=False, default=str))

"""Where the portal's log lines go in production: one JSON object a line, to stderr or a file.

Under gunicorn nothing configures Python's logging, so the security log (INFO) would be
dropped and errors would lose their shape. In production the ``portal`` logger (the
application's own, the security log ``portal.security`` and the operator's
``portal.deploy``) writes one JSON object a line to stderr, where journald takes it, or
to LOG_FILE. Security events are JSON already and go out as they are.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import sys
from datetime import UTC, datetime

from flask import Flask

HANDLER_NAME = "portal-json"


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        if record.name == "portal.security":
            return record.getMessage()
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="seconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure(app: Flask) -> None:
    """Send the portal's log lines to stderr or LOG_FILE as JSON (production only)."""
    logger = logging.getLogger("portal")
    if any(handler.get_name() == HANDLER_NAME for handler in logger.handlers):
        return
    destination = app.config.get("LOG_FILE") or "-"
    if destination == "-":
        handler: logging.Handler = logging.StreamHandler(sys.stderr)
    else:
        # Reopens the file after logrotate moves it.
        handler = logging.handlers.WatchedFileHandler(destination, encoding="utf-8")
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(JsonLines())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    for name in ("portal.security", "portal.deploy"):
        logging.getLogger(name).disabled = False

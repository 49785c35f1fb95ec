"""In production the security log and errors reach stderr (or LOG_FILE) as JSON lines."""

import json
import os
import subprocess
import sys

SCRIPT = """
from portal import create_app
from portal.securitylog import log_event
app = create_app()
with app.test_request_context("/backoffice/logowanie"):
    log_event("authn_login_fail", outcome="failure", user_id=7)
    try:
        1 / 0
    except ZeroDivisionError:
        app.logger.exception("Unhandled error on /zglos")
"""


def _run(tmp_path, **env):
    environment = {
        **os.environ,
        "PORTAL_ENV": "production",
        "SECRET_KEY": "k" * 48,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", SCRIPT], env=environment, capture_output=True, text=True, check=True
    )


def test_security_events_and_errors_go_to_stderr_one_json_object_a_line(tmp_path):
    result = _run(tmp_path)

    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert [line.get("event") or line.get("level") for line in lines] == [
        "authn_login_fail",
        "error",
    ]
    assert lines[0]["user_id"] == 7 and lines[0]["path"] == "/backoffice/logowanie"
    assert "ZeroDivisionError" in lines[1]["exception"]
    assert len(result.stderr.splitlines()) == 2  # the traceback stays inside its line


def test_log_lines_can_go_to_a_file(tmp_path):
    log_file = tmp_path / "portal.log"

    result = _run(tmp_path, LOG_FILE=str(log_file))

    events = [json.loads(line) for line in log_file.read_text().splitlines()]
    assert [e.get("event") or e["level"] for e in events] == ["authn_login_fail", "error"]
    assert result.stderr == ""

"""gunicorn settings for the portal: `gunicorn -c deploy/gunicorn.conf.py` (see README).

Where it listens and how many workers it runs come from PORTAL_BIND and WEB_CONCURRENCY,
the same values `portal check-deploy` judges, so the check knows the worker count. The
master refuses to start when that check finds a fatal problem (an in-memory rate limit
with several workers, no trusted proxy in front of a loopback address, …).
"""

import sys

from portal.config import Config

wsgi_app = "portal:create_app()"
bind = [Config.BIND]
workers = Config.WEB_CONCURRENCY
worker_class = "sync"
# A slow phone upload of three photos fits well within this; a stuck worker does not.
timeout = 60
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak never builds up.
max_requests = 2000
max_requests_jitter = 200
# No access log: the private links carry their token in the path. The reverse proxy
# knows who asked for what if that is ever needed; the portal's own log lines (security
# events, errors) go to stderr as JSON, and so do gunicorn's.
accesslog = None
errorlog = "-"
loglevel = "info"
# Only the local reverse proxy may tell gunicorn the original scheme.
forwarded_allow_ips = "127.0.0.1,::1"
proc_name = "portal"


def on_starting(server):
    """Refuse to start on a configuration `portal check-deploy` would refuse."""
    from portal import create_app
    from portal.deploycheck import check

    app = create_app()
    fatal = [f for f in check(app.config, app.root_path) if f.fatal]
    for finding in fatal:
        print(f"ERROR: {finding.setting} {finding.problem}. Fix: {finding.fix}", file=sys.stderr)
    if fatal:
        sys.exit(f"{len(fatal)} problem(s) must be fixed before the portal starts.")

"""HTTPS in production: plain-HTTP requests are sent to the https:// address or told why not.

The session cookie is `__Host-` and Secure, so a browser never sends it back over plain
HTTP and every form would fail. Rather than let residents meet an "expired form" they
can never get past, a GET or HEAD over HTTP is redirected (308) to the same path under
PUBLIC_BASE_URL, and anything else gets a page in Polish saying to open the https://
address. A request that carries a proxy's X-Forwarded-* headers the portal was not told
to believe (TRUSTED_PROXIES is 0) is a misconfiguration: redirecting would loop, so the
resident gets a 503 page and the operator a log line that names the fix.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import current_app, redirect, render_template, request

logger = logging.getLogger("portal.deploy")

PROXY_HEADERS = ("X-Forwarded-Proto", "X-Forwarded-For", "X-Forwarded-Host", "Forwarded")


def require_https():
    """before_request: let secure requests through; redirect or explain the rest."""
    if not current_app.config.get("REQUIRE_HTTPS") or request.is_secure:
        return None
    if _untrusted_proxy():
        logger.error(
            "A reverse proxy sends X-Forwarded-* headers but TRUSTED_PROXIES is 0: "
            "HTTPS and the clients' addresses are not recognised. Set TRUSTED_PROXIES=1."
        )
        return render_template("errors/503.html"), 503, {"Retry-After": "300"}
    target = https_url()
    if request.method in ("GET", "HEAD"):
        return redirect(target, 308)
    return render_template("errors/https_required.html", https_url=target), 403


def https_url() -> str:
    """The address of this request under the portal's public https:// address."""
    base = current_app.config.get("PUBLIC_BASE_URL") or ""
    parts = urlsplit(base)
    if parts.scheme == "https" and parts.netloc:
        root = f"https://{parts.netloc}{parts.path.rstrip('/')}"
    else:
        root = f"https://{request.host}"
    query = request.query_string.decode("latin-1")
    return root + request.path + (f"?{query}" if query else "")


def _untrusted_proxy() -> bool:
    return not current_app.config.get("TRUSTED_PROXIES") and any(
        name in request.headers for name in PROXY_HEADERS
    )

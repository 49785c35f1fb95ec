"""The Open311 GeoReport v2 API at /api/open311/v2/: the services, the requests' public
profile, and requests sent by partner institutions with an API key.

`profile` says what of a request anyone may read (docs/open311.md explains why), `formats`
writes JSON and XML, `views` holds the routes and their limits, `openapi.yaml` describes
them. The blueprint is exempt from CSRF (partners' servers post without a session); every
other part of the portal keeps it.
"""

from flask import Blueprint

from .converters import ReferenceConverter

bp = Blueprint("open311", __name__, url_prefix="/api/open311/v2")
PREFIX = bp.url_prefix


@bp.record_once
def _register_converter(state) -> None:
    # Before the routes are added: they use it.
    state.app.url_map.converters["reference"] = ReferenceConverter


from . import errors, views  # noqa: E402,F401

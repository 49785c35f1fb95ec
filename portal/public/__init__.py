"""The residents' side: what the club offers, the request form and the private status page."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from . import views  # noqa: E402,F401  (routes attach themselves to bp)

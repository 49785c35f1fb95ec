"""The back office for the club's staff and instructors."""

from flask import Blueprint

bp = Blueprint("backoffice", __name__, url_prefix="/backoffice")

"""Staff accounts: loading the logged-in user and checking passwords."""

from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db, login_manager
from .models import User

# Werkzeug's default scrypt cost (N=2**15) is below the OWASP minimum of 2**17.
PASSWORD_METHOD = "scrypt:131072:8:1"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_METHOD)


def password_matches(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    return user if user is not None and user.active else None

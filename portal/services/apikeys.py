"""Partner institutions' API keys: issued and revoked by an administrator, checked on use.

A key is a long random string with a recognisable start (``kis_``), shown once when it is
issued. The table keeps only its SHA-256 (a fast hash is enough for 256 random bits) and
its first characters, the prefix, which names the key on the administrator's list, in the
audit trail and in the security log, and finds its row. A presented key is checked by
looking up its prefix and comparing the hashes in constant time.

Every use of a key is written to the audit trail with the key's prefix and institution;
its `last_used_at` shows the administrator whether a partner still uses it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..domain.actor import Actor
from ..domain.errors import N_, DomainError
from ..domain.text import strip_control_characters
from ..extensions import db
from ..models import ApiKey, utcnow

KEY_START = "kis_"
# The start and eight random characters: enough to tell keys apart and to find the row.
PREFIX_LENGTH = len(KEY_START) + 8
INSTITUTION_MAX = 200
NOTE_MAX = 300
# A key is KEY_START and 43 URL-safe characters; anything much longer is not one of ours.
KEY_MAX = 100
# Compared against when no key has the presented prefix, so that an unknown prefix takes
# as long to refuse as a known one.
_NO_HASH = "0" * 64


class KeyProblem(StrEnum):
    MISSING = "missing"
    UNKNOWN = "unknown"
    REVOKED = "revoked"


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    # The key itself: shown to the administrator once, never stored.
    secret: str


@dataclass(frozen=True)
class KeyCheck:
    """What a presented key turned out to be: a live key, or why it is refused."""

    key: ApiKey | None
    problem: KeyProblem | None = None
    prefix: str = ""

    @property
    def valid(self) -> bool:
        return self.key is not None and self.problem is None


def hash_key(secret: str) -> str:
    """Return the SHA-256 of a key, as hex: what the table keeps."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def describe(key: ApiKey) -> str:
    """The key as the audit trail names it: its prefix and its institution."""
    return f"{key.prefix} · {key.institution_name}"


def issue_key(institution_name: str, note: str, actor: Actor) -> IssuedKey:
    """Make a new key for a partner institution; the secret is returned once, never stored."""
    institution_name = " ".join(strip_control_characters(institution_name or "").split())
    note = strip_control_characters(note or "").strip()
    if not institution_name:
        raise DomainError(N_("Give the name of the institution."), field="institution_name")
    if len(institution_name) > INSTITUTION_MAX:
        raise DomainError(
            N_("Write up to %(max)s characters."),
            field="institution_name",
            params={"max": INSTITUTION_MAX},
        )
    if len(note) > NOTE_MAX:
        raise DomainError(
            N_("Write up to %(max)s characters."), field="note", params={"max": NOTE_MAX}
        )
    for _attempt in range(3):
        secret = KEY_START + secrets.token_urlsafe(32)
        key = ApiKey(
            institution_name=institution_name,
            prefix=secret[:PREFIX_LENGTH],
            key_hash=hash_key(secret),
            note=note,
            created_at=utcnow(),
            created_by_id=actor.user_id,
        )
        db.session.add(key)
        try:
            db.session.flush()
        except IntegrityError:
            # Two keys with the same eight characters: as good as never; draw again.
            db.session.rollback()
            continue
        audit.record(
            actor.user, audit.AuditAction.API_KEY_ISSUED, detail=describe(key), commit=False
        )
        db.session.commit()
        return IssuedKey(key, secret)
    raise RuntimeError("could not draw a key with a prefix of its own")


def revoke_key(key: ApiKey, actor: Actor) -> bool:
    """Revoke a key at once; False when it already was."""
    if key.revoked_at is not None:
        return False
    key.revoked_at = utcnow()
    audit.record(actor.user, audit.AuditAction.API_KEY_REVOKED, detail=describe(key), commit=False)
    db.session.commit()
    return True


def check_key(presented: str | None) -> KeyCheck:
    """Find the key presented by a partner: its row when it is live, else why not.

    The prefix finds the row; the hashes are compared in constant time, and a prefix that
    names no key is compared against a dummy hash, so the time taken tells nothing.
    """
    presented = (presented or "").strip()
    if not presented:
        return KeyCheck(None, KeyProblem.MISSING)
    prefix = presented[:PREFIX_LENGTH]
    if len(presented) > KEY_MAX or not presented.isascii() or not presented.isprintable():
        return KeyCheck(None, KeyProblem.UNKNOWN, _loggable(prefix))
    key = db.session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).first()
    matches = hmac.compare_digest(key.key_hash if key else _NO_HASH, hash_key(presented))
    if key is None or not matches:
        return KeyCheck(None, KeyProblem.UNKNOWN, _loggable(prefix))
    if key.revoked_at is not None:
        return KeyCheck(key, KeyProblem.REVOKED, key.prefix)
    return KeyCheck(key, None, key.prefix)


def _loggable(prefix: str) -> str:
    """The start of a presented key, fit for a log line: only a prefix of ours is kept."""
    if prefix.startswith(KEY_START) and all(c.isalnum() or c in "-_" for c in prefix):
        return prefix
    return ""


def record_use(
    key: ApiKey, action: audit.AuditAction, *, request_id: int | None = None, detail: str = ""
) -> None:
    """Write a use of key to the audit trail and mark when it was last used; commit."""
    key.last_used_at = utcnow()
    text = describe(key) + (f" · {detail}" if detail else "")
    audit.record(None, action, request_id, text, commit=False)
    db.session.commit()

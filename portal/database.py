"""The database outside the ORM: where the migrations are, SQLite pragmas for the default."""

import sqlite3
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

# An installed package carries its migrations inside; a source checkout keeps them on top.
_PACKAGED_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATIONS_DIR = str(
    _PACKAGED_MIGRATIONS
    if _PACKAGED_MIGRATIONS.is_dir()
    else Path(__file__).resolve().parent.parent / "migrations"
)

_configured = False


def configure_engine_events() -> None:
    """Turn on foreign keys, WAL and a busy timeout for every SQLite connection."""
    global _configured
    if _configured:
        return
    event.listen(Engine, "connect", _sqlite_pragmas)
    _configured = True


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()

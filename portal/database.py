"""Engine-level settings the ORM cannot express: SQLite pragmas for the embedded default."""

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

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

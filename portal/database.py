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


# Name search's indexes, made by the migrations alone: the models cannot state a trigram
# index for both backends. PostgreSQL: pg_trgm GIN indexes on the searched columns;
# SQLite: an FTS5 trigram table kept by triggers on service_request. A migration that
# rebuilds service_request on SQLite (batch mode) must make the triggers again.
SEARCH_TABLE = "service_request_search"
SEARCH_INDEXES = frozenset(
    {"ix_service_request_search_text_trgm", "ix_service_request_phone_digits_trgm"}
)


def compared_by_alembic(name, type_, parent_names) -> bool:
    """Leave the search indexes out when Alembic compares the models with the database."""
    if type_ == "table":
        return not (name or "").startswith(SEARCH_TABLE)
    if type_ == "index":
        return name not in SEARCH_INDEXES
    return True


def gather_statistics(connection) -> None:
    """Let SQLite's planner know the tables' sizes (PostgreSQL's autovacuum does it there)."""
    if connection.dialect.name == "sqlite":
        # Sampled (at most about a thousand rows per index), so it stays quick at any size.
        connection.exec_driver_sql("PRAGMA analysis_limit=1000")
        connection.exec_driver_sql("ANALYZE")

"""running tallies of requests and services; indexes for the queue, the board and name search

Revision ID: 21c70c729965
Revises: e6f2870f8a06
Create Date: 2026-11-28 17:47:07.739148

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "21c70c729965"
down_revision = "e6f2870f8a06"
branch_labels = None
depends_on = None

STATUSES = (
    "submitted",
    "needs_info",
    "accepted",
    "scheduled",
    "in_progress",
    "ready",
    "completed",
    "declined",
    "cancelled",
)

# SQLite: an FTS5 index of trigrams over the two columns the queue's search looks in, kept
# by triggers. A later migration that rebuilds service_request in batch mode drops the
# triggers with the old table and must make them again (portal.database.SEARCH_INDEXES).
SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE service_request_search USING fts5("
    "search_text, phone_digits, content='service_request', content_rowid='id', "
    "tokenize='trigram')",
    "CREATE TRIGGER service_request_search_insert AFTER INSERT ON service_request BEGIN "
    "INSERT INTO service_request_search (rowid, search_text, phone_digits) "
    "VALUES (new.id, new.search_text, new.phone_digits); END",
    "CREATE TRIGGER service_request_search_delete AFTER DELETE ON service_request BEGIN "
    "INSERT INTO service_request_search (service_request_search, rowid, search_text, "
    "phone_digits) VALUES ('delete', old.id, old.search_text, old.phone_digits); END",
    "CREATE TRIGGER service_request_search_update AFTER UPDATE OF search_text, phone_digits "
    "ON service_request BEGIN "
    "INSERT INTO service_request_search (service_request_search, rowid, search_text, "
    "phone_digits) VALUES ('delete', old.id, old.search_text, old.phone_digits); "
    "INSERT INTO service_request_search (rowid, search_text, phone_digits) "
    "VALUES (new.id, new.search_text, new.phone_digits); END",
    "INSERT INTO service_request_search (service_request_search) VALUES ('rebuild')",
]

# PostgreSQL: trigram GIN indexes, which LIKE '%...%' uses (pg_trgm is a trusted
# extension: the database's owner may create it).
POSTGRES_SEARCH = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_service_request_search_text_trgm ON service_request "
    "USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX ix_service_request_phone_digits_trgm ON service_request "
    "USING gin (phone_digits gin_trgm_ops)",
]


def upgrade():
    op.create_table(
        "request_tally",
        sa.Column(
            "status",
            sa.Enum(*STATUSES, name="status", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("group_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("status", "group_id", name=op.f("pk_request_tally")),
    )
    op.create_table(
        "service_tally",
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("category_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(
            "requester_kind",
            sa.Enum(
                "senior",
                "assisted",
                "institution",
                name="requesterkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("edition_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("services", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "completed_on",
            "category_id",
            "requester_kind",
            "edition_id",
            name=op.f("pk_service_tally"),
        ),
    )
    op.drop_index("ix_service_request_status", table_name="service_request")
    op.create_index(
        "ix_service_request_board",
        "service_request",
        ["status", "scheduled_for", "created_at", "id"],
    )
    op.create_index(
        "ix_service_request_status_created", "service_request", ["status", "created_at", "id"]
    )

    # Count what is already there, as portal.tallies.recount does (frozen here).
    op.execute(
        "INSERT INTO request_tally (status, group_id, requests) "
        "SELECT status, COALESCE(group_id, 0), COUNT(*) FROM service_request "
        "GROUP BY status, COALESCE(group_id, 0)"
    )
    op.execute(
        "INSERT INTO service_tally "
        "(completed_on, category_id, requester_kind, edition_id, services) "
        "SELECT completed_on, category_id, kind, edition_id, COUNT(*) FROM ("
        " SELECT completed_on, category_id, COALESCE(edition_id, 0) AS edition_id,"
        " CASE WHEN channel = 'institution' THEN 'institution'"
        " WHEN receives_assistance THEN 'assisted' ELSE 'senior' END AS kind"
        " FROM service_request"
        " WHERE status = 'completed' AND outcome = 'done' AND completed_on IS NOT NULL"
        ") AS done GROUP BY completed_on, category_id, kind, edition_id"
    )

    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_SEARCH, "postgresql": POSTGRES_SEARCH}.get(dialect, []):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER service_request_search_{trigger}")
        op.execute("DROP TABLE service_request_search")
    elif dialect == "postgresql":
        op.execute("DROP INDEX ix_service_request_phone_digits_trgm")
        op.execute("DROP INDEX ix_service_request_search_text_trgm")
    op.drop_index("ix_service_request_status_created", table_name="service_request")
    op.drop_index("ix_service_request_board", table_name="service_request")
    op.create_index("ix_service_request_status", "service_request", ["status"])
    op.drop_table("service_tally")
    op.drop_table("request_tally")

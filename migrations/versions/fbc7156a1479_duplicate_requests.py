"""Duplicate requests: the request repeated, and the e-mail address to find the same person by

Revision ID: fbc7156a1479
Revises: c41f0a9e7d25
Create Date: 2026-11-29 09:37:00

"""

import sqlalchemy as sa
from alembic import op

revision = "fbc7156a1479"
down_revision = "c41f0a9e7d25"
branch_labels = None
depends_on = None

FOREIGN_KEY = "fk_service_request_duplicate_of_id_service_request"


# Plain ADD and DROP COLUMN: a batch rebuild of service_request would drop its search triggers.
# SQLite cannot add a named constraint to a table, but takes the reference in the column.
def upgrade():
    op.add_column("service_request", sa.Column("email_key", sa.String(length=254), nullable=True))
    op.create_index("ix_service_request_email_key", "service_request", ["email_key"])
    op.execute(
        "UPDATE service_request SET email_key = lower(trim(email))"
        " WHERE email IS NOT NULL AND trim(email) <> ''"
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE service_request ADD COLUMN duplicate_of_id INTEGER"
            " REFERENCES service_request (id)"
        )
    else:
        op.add_column("service_request", sa.Column("duplicate_of_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            FOREIGN_KEY, "service_request", "service_request", ["duplicate_of_id"], ["id"]
        )
    # A request's page finds the requests closed as duplicates of it by this index.
    op.create_index("ix_service_request_duplicate_of_id", "service_request", ["duplicate_of_id"])


def downgrade():
    op.drop_index("ix_service_request_duplicate_of_id", table_name="service_request")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(FOREIGN_KEY, "service_request", type_="foreignkey")
    op.drop_column("service_request", "duplicate_of_id")
    op.drop_index("ix_service_request_email_key", table_name="service_request")
    op.drop_column("service_request", "email_key")

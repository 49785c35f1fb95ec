"""An index for the waiting estimate: open requests by status, service and age

Revision ID: c41f0a9e7d25
Revises: 69affd83d2d0
Create Date: 2026-11-29 06:00:00

"""

from alembic import op

revision = "c41f0a9e7d25"
down_revision = "69affd83d2d0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_service_request_waiting",
        "service_request",
        ["status", "category_id", "created_at", "id"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_service_request_waiting", table_name="service_request")

"""When a resident answered the office's question online

Revision ID: b7d3a1c9e2f4
Revises: cfedc0f013a6
Create Date: 2026-11-29 05:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b7d3a1c9e2f4"
down_revision = "cfedc0f013a6"
branch_labels = None
depends_on = None


# Plain ADD and DROP COLUMN: a batch rebuild of service_request would drop its search triggers.
def upgrade():
    op.add_column("service_request", sa.Column("answered_at", sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column("service_request", "answered_at")

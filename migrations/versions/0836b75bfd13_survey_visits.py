"""Visits: whether an arranged visit is a survey before the work

Revision ID: 0836b75bfd13
Revises: 97c4e8677c1b
Create Date: 2026-11-29 10:55:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0836b75bfd13"
down_revision = "97c4e8677c1b"
branch_labels = None
depends_on = None


# Plain ADD and DROP COLUMN: a batch rebuild of service_request would drop its search triggers.
def upgrade():
    op.add_column(
        "service_request",
        sa.Column("survey_visit", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade():
    op.drop_column("service_request", "survey_visit")

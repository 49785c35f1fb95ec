"""Office hours apart from each workshop's hours; the time of an arranged visit

The institution's one "opening hours" text mixed the office's hours with the workshops';
it becomes the office's hours, and each workshop group gets its own. The institution's
workshop address moves to the groups that had no location of their own.

Revision ID: cfedc0f013a6
Revises: 21c70c729965
Create Date: 2026-11-29 04:34:56.881765

"""

import sqlalchemy as sa
from alembic import op

revision = "cfedc0f013a6"
down_revision = "21c70c729965"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "UPDATE workshop_group SET location = "
        "(SELECT workshop_address FROM institution ORDER BY id LIMIT 1) "
        "WHERE location = '' AND EXISTS "
        "(SELECT 1 FROM institution WHERE workshop_address <> '')"
    )
    with op.batch_alter_table("institution", schema=None) as batch_op:
        batch_op.alter_column("opening_hours", new_column_name="office_hours")
        batch_op.drop_column("workshop_address")

    # Plain ADD COLUMN: a batch rebuild of service_request would drop its search triggers.
    op.add_column(
        "service_request",
        sa.Column("scheduled_time", sa.String(length=40), server_default="", nullable=False),
    )
    op.add_column(
        "workshop_group",
        sa.Column("opening_hours", sa.String(length=300), server_default="", nullable=False),
    )


def downgrade():
    with op.batch_alter_table("workshop_group", schema=None) as batch_op:
        batch_op.drop_column("opening_hours")
    op.drop_column("service_request", "scheduled_time")
    with op.batch_alter_table("institution", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("workshop_address", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.alter_column("office_hours", new_column_name="opening_hours")

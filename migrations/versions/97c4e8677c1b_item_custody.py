"""Item custody: an item left at a workshop from drop-off to pick-up; since when it is ready

Revision ID: 97c4e8677c1b
Revises: 7deeca0446dc
Create Date: 2026-11-29 10:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "97c4e8677c1b"
down_revision = "7deeca0446dc"
branch_labels = None
depends_on = None


# Plain ADD and DROP COLUMN on service_request: a batch rebuild would drop its search triggers.
def upgrade():
    op.create_table(
        "item_custody",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("received_by_id", sa.Integer(), nullable=True),
        sa.Column("condition", sa.String(length=300), server_default="", nullable=False),
        sa.Column("place", sa.String(length=80), server_default="", nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=True),
        sa.Column("picked_up_at", sa.DateTime(), nullable=True),
        sa.Column("picked_up_by", sa.String(length=120), server_default="", nullable=False),
        sa.Column("handed_over_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["handed_over_by_id"], ["user.id"], name=op.f("fk_item_custody_handed_over_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["photo_id"],
            ["photo.id"],
            name=op.f("fk_item_custody_photo_id_photo"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["received_by_id"], ["user.id"], name=op.f("fk_item_custody_received_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["service_request.id"],
            name=op.f("fk_item_custody_request_id_service_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_custody")),
        sa.UniqueConstraint("request_id", name=op.f("uq_item_custody_request_id")),
    )
    with op.batch_alter_table("institution", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("uncollected_policy", sa.Text(), server_default="", nullable=False)
        )
    op.add_column("service_request", sa.Column("ready_at", sa.DateTime(), nullable=True))
    # Items on the pick-up shelf now: ready since their last change, the best there is.
    op.execute("UPDATE service_request SET ready_at = updated_at WHERE status = 'ready'")


def downgrade():
    op.drop_column("service_request", "ready_at")
    with op.batch_alter_table("institution", schema=None) as batch_op:
        batch_op.drop_column("uncollected_policy")
    op.drop_table("item_custody")

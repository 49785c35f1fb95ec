"""The satisfaction check: a resident's answers after a job was done

Revision ID: 69affd83d2d0
Revises: b7d3a1c9e2f4
Create Date: 2026-11-29 05:20:38.987107

"""

import sqlalchemy as sa
from alembic import op

revision = "69affd83d2d0"
down_revision = "b7d3a1c9e2f4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column(
            "as_agreed",
            sa.Enum("yes", "partly", "no", name="asagreed", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column(
            "contact",
            sa.Enum("good", "fair", "poor", name="contactrating", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "online", "phone", "paper", name="feedbackchannel", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user.id"], name=op.f("fk_feedback_recorded_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["service_request.id"],
            name=op.f("fk_feedback_request_id_service_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("request_id", name=op.f("uq_feedback_request_id")),
    )


def downgrade():
    op.drop_table("feedback")

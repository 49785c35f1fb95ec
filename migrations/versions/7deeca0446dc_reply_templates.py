"""Reply templates: short texts staff start from when they write to a resident

Revision ID: 7deeca0446dc
Revises: fbc7156a1479
Create Date: 2026-11-29 09:53:17

"""

import sqlalchemy as sa
from alembic import op

revision = "7deeca0446dc"
down_revision = "fbc7156a1479"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reply_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "situation",
            sa.Enum(
                "needs_info",
                "declined",
                "scheduled",
                "ready",
                "not_done",
                name="situation",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["service_category.id"],
            name=op.f("fk_reply_template_category_id_service_category"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_template")),
    )


def downgrade():
    op.drop_table("reply_template")

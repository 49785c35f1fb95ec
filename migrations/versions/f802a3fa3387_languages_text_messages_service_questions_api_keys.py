"""Languages, text messages, the services' own questions and the partners' API keys

Revision ID: f802a3fa3387
Revises: d3159333e56e
Create Date: 2026-11-29 12:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "f802a3fa3387"
down_revision = "d3159333e56e"
branch_labels = None
depends_on = None

API_KEY_KEY = "fk_service_request_api_key_id_api_key"


def upgrade():
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_name", sa.String(length=200), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=300), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_api_key_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_key_key_hash")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_key_prefix")),
    )
    for table in ("institution", "workshop_group"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("texts", sa.JSON(), nullable=True))
    with op.batch_alter_table("service_category", schema=None) as batch_op:
        batch_op.add_column(sa.Column("questions", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("texts", sa.JSON(), nullable=True))
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("channel", sa.String(length=20), server_default="email", nullable=False)
        )
        batch_op.add_column(sa.Column("segments", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cost", sa.Numeric(precision=10, scale=4), nullable=True))
        batch_op.add_column(sa.Column("provider_id", sa.String(length=100), nullable=True))

    # Plain ADD COLUMN: a batch rebuild of service_request would drop its search triggers.
    op.add_column(
        "service_request",
        sa.Column("sms_updates", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("service_request", sa.Column("sms_consent_at", sa.DateTime(), nullable=True))
    op.add_column(
        "service_request",
        sa.Column("language", sa.String(length=8), server_default="pl", nullable=False),
    )
    op.add_column("service_request", sa.Column("answers", sa.JSON(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE service_request ADD COLUMN api_key_id INTEGER REFERENCES api_key (id)"
        )
    else:
        op.add_column("service_request", sa.Column("api_key_id", sa.Integer(), nullable=True))
        op.create_foreign_key(API_KEY_KEY, "service_request", "api_key", ["api_key_id"], ["id"])


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(API_KEY_KEY, "service_request", type_="foreignkey")
    for column in ("api_key_id", "answers", "language", "sms_consent_at", "sms_updates"):
        op.drop_column("service_request", column)
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        for column in ("provider_id", "cost", "segments", "channel"):
            batch_op.drop_column(column)
    with op.batch_alter_table("service_category", schema=None) as batch_op:
        batch_op.drop_column("texts")
        batch_op.drop_column("questions")
    for table in ("workshop_group", "institution"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("texts")
    op.drop_table("api_key")

"""Reports: persons served, trainees' participation and what followed, not-done reasons,
projects and events, the strategy's indicators, the public impact line

Revision ID: d3159333e56e
Revises: 0836b75bfd13
Create Date: 2026-11-29 11:41:55

"""

import sqlalchemy as sa
from alembic import op

revision = "d3159333e56e"
down_revision = "0836b75bfd13"
branch_labels = None
depends_on = None

REASON_KEY = "fk_service_request_not_done_reason_id_not_done_reason"
PROJECT_KEY = "fk_service_request_project_id_project"


def _link_persons(bind) -> None:
    """Give each request its person's key as the application does: the smallest key among
    the earlier requests with the same phone digits or e-mail address, else its own id."""
    by_phone: dict[str, int] = {}
    by_email: dict[str, int] = {}
    keys = []
    rows = bind.execute(
        sa.text("SELECT id, phone_digits, email_key FROM service_request ORDER BY id")
    )
    for request_id, phone, email in rows:
        found = [by_phone.get(phone) if phone else None, by_email.get(email) if email else None]
        key = min((k for k in found if k is not None), default=request_id)
        if phone:
            by_phone[phone] = min(by_phone.get(phone, key), key)
        if email:
            by_email[email] = min(by_email.get(email, key), key)
        keys.append({"key": key, "id": request_id})
    if keys:
        bind.execute(sa.text("UPDATE service_request SET person_key = :key WHERE id = :id"), keys)


def upgrade():
    op.create_table(
        "indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=60), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator")),
    )
    op.create_table(
        "not_done_reason",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_not_done_reason")),
        sa.UniqueConstraint("label", name=op.f("uq_not_done_reason_label")),
    )
    op.create_table(
        "programme_baseline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("editions", sa.Integer(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("women", sa.Integer(), nullable=True),
        sa.Column("men", sa.Integer(), nullable=True),
        sa.Column("completed", sa.Integer(), nullable=True),
        sa.Column("employed", sa.Integer(), nullable=True),
        sa.Column("internships", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_baseline")),
    )
    op.create_table(
        "project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project")),
        sa.UniqueConstraint("name", name=op.f("uq_project_name")),
    )
    op.create_table(
        "indicator_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("planned", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("realised", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicator.id"],
            name=op.f("fk_indicator_value_indicator_id_indicator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_value")),
        sa.UniqueConstraint("indicator_id", "year", name=op.f("uq_indicator_value_indicator_id")),
    )
    with op.batch_alter_table("institution", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("show_impact", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    # Plain ADD COLUMN: a batch rebuild of service_request would drop its search triggers.
    op.add_column("service_request", sa.Column("person_key", sa.Integer(), nullable=True))
    op.add_column(
        "service_request", sa.Column("institution_key", sa.String(length=200), nullable=True)
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE service_request ADD COLUMN not_done_reason_id INTEGER"
            " REFERENCES not_done_reason (id)"
        )
        op.execute(
            "ALTER TABLE service_request ADD COLUMN project_id INTEGER REFERENCES project (id)"
        )
    else:
        for column, table, name in (
            ("not_done_reason_id", "not_done_reason", REASON_KEY),
            ("project_id", "project", PROJECT_KEY),
        ):
            op.add_column("service_request", sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(name, "service_request", table, [column], ["id"])
    op.create_index(
        "ix_service_request_person", "service_request", ["person_key", "outcome", "completed_on"]
    )
    op.create_index(
        "ix_service_request_project", "service_request", ["project_id", "outcome", "completed_on"]
    )
    op.create_index(
        "ix_service_request_closed",
        "service_request",
        [
            "outcome",
            "completed_on",
            "category_id",
            "not_done_reason_id",
            "channel",
            "person_key",
            "institution_key",
        ],
    )
    bind = op.get_bind()
    _link_persons(bind)
    # Case-folded in Python, as the application keeps it (SQLite's lower() folds ASCII only).
    rows = bind.execute(
        sa.text(
            "SELECT id, institution_name FROM service_request"
            " WHERE channel = 'institution' AND institution_name IS NOT NULL"
        )
    ).all()
    keys = [
        {"key": " ".join(name.strip().casefold().split()) or None, "id": request_id}
        for request_id, name in rows
    ]
    if keys:
        bind.execute(
            sa.text("UPDATE service_request SET institution_key = :key WHERE id = :id"), keys
        )

    with op.batch_alter_table("trainee", schema=None) as batch_op:
        batch_op.add_column(sa.Column("starts_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("ends_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "ended_because",
                sa.Enum(
                    "completed",
                    "left_early",
                    "other",
                    name="participationend",
                    native_enum=False,
                    length=20,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "after",
                sa.Enum(
                    "employment",
                    "internship",
                    "training",
                    "none",
                    "unknown",
                    name="afterprogramme",
                    native_enum=False,
                    length=20,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("after_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("trainee", schema=None) as batch_op:
        batch_op.drop_column("after_on")
        batch_op.drop_column("after")
        batch_op.drop_column("ended_because")
        batch_op.drop_column("ends_on")
        batch_op.drop_column("starts_on")

    for index in (
        "ix_service_request_closed",
        "ix_service_request_project",
        "ix_service_request_person",
    ):
        op.drop_index(index, table_name="service_request")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(PROJECT_KEY, "service_request", type_="foreignkey")
        op.drop_constraint(REASON_KEY, "service_request", type_="foreignkey")
    for column in ("project_id", "not_done_reason_id", "institution_key", "person_key"):
        op.drop_column("service_request", column)

    with op.batch_alter_table("institution", schema=None) as batch_op:
        batch_op.drop_column("show_impact")

    op.drop_table("indicator_value")
    op.drop_table("project")
    op.drop_table("programme_baseline")
    op.drop_table("not_done_reason")
    op.drop_table("indicator")

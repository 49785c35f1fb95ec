"""case-folded search text of requests; whether residents read why a job could not be done

Revision ID: e6f2870f8a06
Revises: 702f37e0f67c
Create Date: 2026-11-28 10:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e6f2870f8a06"
down_revision = "702f37e0f67c"
branch_labels = None
depends_on = None

BATCH = 1000


def _search_text(*parts) -> str:
    # The same rule as portal.models.search_text_of, frozen here as this revision knows it.
    return "\n".join(part for part in parts if part).casefold()


def upgrade():
    with op.batch_alter_table("institution", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "show_not_done_reason", sa.Boolean(), server_default=sa.true(), nullable=False
            )
        )
    with op.batch_alter_table("service_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), server_default="", nullable=False))

    # Fill it for the requests already there, in batches, without loading the models.
    requests = sa.table(
        "service_request",
        sa.column("id", sa.Integer),
        sa.column("reference", sa.String),
        sa.column("name", sa.String),
        sa.column("email", sa.String),
        sa.column("institution_name", sa.String),
        sa.column("search_text", sa.Text),
    )
    connection = op.get_bind()
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(
                requests.c.id,
                requests.c.reference,
                requests.c.name,
                requests.c.email,
                requests.c.institution_name,
            )
            .where(requests.c.id > last_id)
            .order_by(requests.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            requests.update()
            .where(requests.c.id == sa.bindparam("row_id"))
            .values(search_text=sa.bindparam("text")),
            [{"row_id": row.id, "text": _search_text(*row[1:])} for row in rows],
        )
        last_id = rows[-1].id


def downgrade():
    with op.batch_alter_table("service_request", schema=None) as batch_op:
        batch_op.drop_column("search_text")
    with op.batch_alter_table("institution", schema=None) as batch_op:
        batch_op.drop_column("show_not_done_reason")

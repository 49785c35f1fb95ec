"""The models and the migrations describe the same schema, on every backend."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal.database import compared_by_alembic
from portal.extensions import db


def test_models_and_migrations_agree(app):
    with app.app_context():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "render_as_batch": True,
                    "include_name": compared_by_alembic,
                },
            )
            differences = compare_metadata(context, db.metadata)

    assert differences == []


def test_database_is_at_the_newest_migration(app):
    from alembic.script import ScriptDirectory
    from flask_migrate import Migrate  # noqa: F401

    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config(directory=_migrations())
        heads = set(ScriptDirectory.from_config(config).get_heads())
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())

    assert current == heads


def test_every_migration_downgrades_and_upgrades_again(tmp_path):
    from flask_migrate import downgrade, upgrade

    from portal import create_app
    from portal.config import TestConfig

    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite3'}"})
    with app.app_context():
        upgrade(directory=_migrations())
        downgrade(directory=_migrations(), revision="base")
        assert sa.inspect(db.engine).get_table_names() == ["alembic_version"]
        upgrade(directory=_migrations())
        assert "service_request" in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()


def _migrations() -> str:
    from pathlib import Path

    return str(Path(__file__).resolve().parents[2] / "migrations")


FIRST_REVISION = "aef08ebebfe7"
ROWS_AT_FIRST_REVISION = [
    "INSERT INTO institution (id, name, short_name, parent_name, city, office_address, workshop_address, opening_hours,"
    " phone, phone_hours, email, website, eligibility, reference_prefix, controller_name, controller_address,"
    " dpo_contact, legal_basis, retention, consent_version, updated_at)"
    " VALUES (1, 'Klub', 'Klub', '', 'Opole', 'ul. A 1', '', '', '77 400 00 00', '', '', '', '', 'KR', '', '', '', '', '', '1',"
    " '2024-01-01 10:00:00')",
    "INSERT INTO service_category (id, code, name, description, guidance, location_note, requires_address, position, active)"
    " VALUES (1, 'tailoring', 'Krawiectwo', '', '', '', false, 0, true)",
    "INSERT INTO workshop_group (id, name, category_id, location, active) VALUES (1, 'Pracownia', 1, '', true)",
    'INSERT INTO "user" (id, email, name, role, password_hash, active, created_at)'
    " VALUES (1, 'a@example.org', 'A', 'staff', 'x', true, '2024-01-01 10:00:00')",
    "INSERT INTO service_request (id, reference, access_token, status, category_id, description, name, phone, phone_digits,"
    " email_updates, is_senior, receives_assistance, channel, consent_at, consent_version, consent_method, created_at,"
    " updated_at, version)"
    " VALUES (1, 'KR/2024/0001', 'token', 'submitted', 1, 'Opis', 'Jan', '600123456', '600123456', false, true, false,"
    " 'online', '2024-01-01 10:00:00', '1', 'online', '2024-01-01 10:00:00', '2024-01-01 10:00:00', 1)",
    "INSERT INTO request_event (id, request_id, created_at, kind, actor_role, to_status, note, is_public)"
    " VALUES (1, 1, '2024-01-01 10:00:00', 'submitted', 'resident', 'submitted', '', true)",
]


def test_migrations_carry_existing_data_forward(database_url, tmp_path):
    """Every later migration applies to a database that already holds data."""
    from flask_migrate import downgrade, upgrade

    from portal import create_app
    from portal.config import TestConfig

    if database_url.startswith("sqlite"):
        database_url = f"sqlite:///{tmp_path / 'with-data.sqlite3'}"
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        from tests.conftest import empty_database

        if db.engine.dialect.name == "postgresql":
            empty_database()
        downgrade(
            directory=_migrations(), revision="base"
        ) if db.engine.dialect.name == "postgresql" else None
        upgrade(directory=_migrations(), revision=FIRST_REVISION)
        with db.engine.begin() as connection:
            for statement in ROWS_AT_FIRST_REVISION:
                connection.execute(sa.text(statement))

        upgrade(directory=_migrations())

        with db.engine.connect() as connection:
            assert (
                connection.execute(sa.text("SELECT name FROM service_request")).scalar_one()
                == "Jan"
            )
            assert (
                connection.execute(sa.text("SELECT count(*) FROM request_event")).scalar_one() == 1
            )
            # The request is its person's first: the key is its own id.
            assert connection.execute(
                sa.text("SELECT person_key = id FROM service_request")
            ).scalar_one()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("DELETE FROM request_event"))
            db.session.execute(sa.text("DELETE FROM service_request"))
            db.session.commit()
        db.engine.dispose()

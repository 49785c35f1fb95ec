"""The models and the migrations describe the same schema, on every backend."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal.extensions import db


def test_models_and_migrations_agree(app):
    with app.app_context():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
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

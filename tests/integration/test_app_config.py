"""Configuration from the environment, and what the factory refuses."""

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.config import ProductionConfig, TestConfig
from portal.extensions import db


def test_v13_3_1_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", None)

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"})


def test_production_starts_with_a_secret_key_and_secure_cookies(tmp_path):
    app = create_app(
        ProductionConfig,
        {"SECRET_KEY": "x" * 48, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"},
    )

    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_the_default_database_is_a_sqlite_file_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)

    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": None})

    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/portal.sqlite3")


def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path):
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'w.db'}"})

    with app.app_context(), db.engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        db.engine.dispose()


def test_the_factory_touches_no_database(tmp_path):
    path = tmp_path / "untouched.db"

    create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})

    assert not path.exists()


def test_before_the_institution_is_loaded_residents_see_a_notice_and_the_operator_a_log_line(
    database_url, tmp_path, caplog
):
    from tests.conftest import empty_database, make_app

    app = make_app(database_url, str(tmp_path))
    with app.app_context():
        empty_database()

    response = app.test_client().get("/")

    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "Portal nie jest jeszcze otwarty" in page
    assert "flask" not in page and "setup" not in page
    assert "portal setup --institution FILE" in caplog.text

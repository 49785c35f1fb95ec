"""`portal setup` takes an empty database to a working installation, and is safe to run again."""

import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.config import TestConfig
from portal.extensions import db
from portal.models import Institution, User
from portal.settings import DEMO_FILE


@pytest.fixture
def empty_app(tmp_path):
    return create_app(
        TestConfig,
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'new.sqlite3'}",
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        },
    )


def _setup(app, *args, env=None, input=None):
    return app.test_cli_runner().invoke(args=["setup", *args], env=env, input=input)


def _counts(app):
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Institution)),
            db.session.scalar(select(func.count()).select_from(User)),
        )


def test_setup_migrates_loads_the_settings_and_creates_the_first_administrator(empty_app):
    result = _setup(
        empty_app,
        "--institution",
        str(DEMO_FILE),
        "--admin-email",
        "Szefowa@Klub.example.pl",
        env={"PORTAL_ADMIN_PASSWORD": "dlugie-haslo-administratora"},
    )

    assert result.exit_code == 0, result.output
    assert "Administrator created: szefowa@klub.example.pl" in result.output
    assert "dlugie-haslo" not in result.output
    assert _counts(empty_app) == (1, 1)
    assert empty_app.test_client().get("/").status_code == 200


def test_setup_asks_for_the_password_without_echoing_it(empty_app):
    result = _setup(
        empty_app,
        "--institution",
        str(DEMO_FILE),
        "--admin-email",
        "szefowa@klub.example.pl",
        env={"PORTAL_ADMIN_PASSWORD": ""},
        input="haslo-z-klawiatury-2026\nhaslo-z-klawiatury-2026\n",
    )

    assert result.exit_code == 0, result.output
    assert "Password for szefowa@klub.example.pl" in result.output
    assert "haslo-z-klawiatury" not in result.output


def test_setup_run_again_changes_nothing_and_needs_no_password(empty_app):
    first = ["--institution", str(DEMO_FILE), "--admin-email", "szefowa@klub.example.pl"]
    _setup(empty_app, *first, env={"PORTAL_ADMIN_PASSWORD": "dlugie-haslo-administratora"})

    again = _setup(empty_app, *first, env={"PORTAL_ADMIN_PASSWORD": ""})
    bare = _setup(empty_app)

    assert again.exit_code == 0 and bare.exit_code == 0, again.output + bare.output
    assert "Administrator: already present." in bare.output
    assert "(settings kept)" in bare.output
    assert _counts(empty_app) == (1, 1)


def test_setup_says_what_is_missing_the_first_time(empty_app):
    no_settings = _setup(empty_app)
    no_admin = _setup(empty_app, "--institution", str(DEMO_FILE))

    assert no_settings.exit_code != 0 and "--institution FILE" in no_settings.output
    assert no_admin.exit_code != 0 and "--admin-email" in no_admin.output


def test_a_weak_administrator_password_is_refused_and_no_account_is_made(empty_app):
    result = _setup(
        empty_app,
        "--institution",
        str(DEMO_FILE),
        "--admin-email",
        "szefowa@klub.example.pl",
        env={"PORTAL_ADMIN_PASSWORD": "krotkie"},
    )

    assert result.exit_code != 0
    assert _counts(empty_app)[1] == 0

"""`flask check-deploy` refuses an unsafe production configuration and says how to fix it."""

import pytest

from portal import create_app
from portal.config import DevelopmentConfig, ProductionConfig

GOOD = {
    "SECRET_KEY": "k" * 48,
    "MAIL_SERVER": "smtp.example.org",
    "MAIL_USE_TLS": True,
    "PUBLIC_BASE_URL": "https://portal.example.org",
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://app@db.example.org/portal",
    "TRUSTED_PROXIES": 1,
    "BIND": "127.0.0.1:8000",
    "WEB_CONCURRENCY": 3,
}


def _run(config_class, **overrides):
    app = create_app(config_class, {**GOOD, **overrides})
    return app.test_cli_runner().invoke(args=["check-deploy"])


def test_a_sound_production_configuration_passes():
    result = _run(ProductionConfig)

    assert result.exit_code == 0, result.output
    assert "ERROR" not in result.output


@pytest.mark.parametrize(
    ("overrides", "setting"),
    [
        ({"SECRET_KEY": "dev-only-not-secret"}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE"),
        ({"SESSION_COOKIE_HTTPONLY": False}, "SESSION_COOKIE_HTTPONLY"),
        ({"SESSION_COOKIE_SAMESITE": None}, "SESSION_COOKIE_SAMESITE"),
        ({"MAIL_USE_TLS": False, "MAIL_USE_SSL": False}, "MAIL_USE_TLS"),
        ({"PUBLIC_BASE_URL": "http://portal.example.org"}, "PUBLIC_BASE_URL"),
        ({"HSTS": ""}, "HSTS"),
        ({"PASSWORD_HASH_METHOD": "scrypt:32768:8:1"}, "PASSWORD_HASH_METHOD"),
    ],
)
def test_each_unsafe_setting_is_refused_with_how_to_fix_it(overrides, setting):
    result = _run(ProductionConfig, **overrides)

    assert result.exit_code != 0
    assert f"ERROR: {setting}" in result.output
    assert "Fix:" in result.output


def test_the_development_configuration_is_refused():
    result = _run(
        DevelopmentConfig,
        SECRET_KEY="dev-only-not-secret",
        MAIL_USE_TLS=False,
        PUBLIC_BASE_URL="http://127.0.0.1:5000",
    )

    assert result.exit_code != 0
    for setting in (
        "SECRET_KEY",
        "SESSION_COOKIE_SECURE",
        "MAIL_USE_TLS",
        "PUBLIC_BASE_URL",
        "HSTS",
    ):
        assert f"ERROR: {setting}" in result.output


def test_a_local_mail_relay_without_tls_is_accepted():
    assert _run(ProductionConfig, MAIL_SERVER="localhost", MAIL_USE_TLS=False).exit_code == 0


def test_sqlite_and_in_memory_rate_limits_are_warnings_not_errors():
    result = _run(
        ProductionConfig,
        SQLALCHEMY_DATABASE_URI="sqlite:////tmp/x.db",
        RATELIMIT_STORAGE_URI="memory://",
        WEB_CONCURRENCY=1,
    )

    assert result.exit_code == 0
    assert (
        "warning: DATABASE_URL" in result.output
        and "warning: RATELIMIT_STORAGE_URI" in result.output
    )


def test_v13_4_2_production_refuses_to_start_in_debug_mode(monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")

    with pytest.raises(RuntimeError, match="Debug"):
        create_app(ProductionConfig, {**GOOD, "DEBUG": True})


def test_debug_is_reported_when_switched_on_after_start():
    from portal.deploycheck import check

    app = create_app(ProductionConfig, GOOD)
    config = dict(app.config, DEBUG=True)

    assert [f.setting for f in check(config) if f.fatal] == ["DEBUG"]


def test_in_memory_rate_limits_with_several_workers_are_refused():
    result = _run(ProductionConfig, RATELIMIT_STORAGE_URI="memory://", WEB_CONCURRENCY=3)

    assert result.exit_code != 0
    assert "ERROR: RATELIMIT_STORAGE_URI is memory:// with 3 gunicorn workers" in result.output


@pytest.mark.parametrize("bind", ["127.0.0.1:8000", "localhost:8000", "unix:/run/portal/web.sock"])
def test_listening_behind_a_proxy_without_trusted_proxies_is_refused(bind):
    result = _run(ProductionConfig, BIND=bind, TRUSTED_PROXIES=0)

    assert result.exit_code != 0
    assert "ERROR: TRUSTED_PROXIES" in result.output
    assert "TRUSTED_PROXIES=1" in result.output


def test_listening_on_every_address_is_a_warning():
    result = _run(ProductionConfig, BIND="0.0.0.0:8000", TRUSTED_PROXIES=0)

    assert result.exit_code == 0
    assert "warning: PORTAL_BIND" in result.output


def test_a_missing_compiled_catalogue_stops_production_and_fails_the_check(tmp_path):
    (tmp_path / "pl" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "pl" / "LC_MESSAGES" / "messages.po").write_text("", encoding="utf-8")
    no_catalogue = {"BABEL_TRANSLATION_DIRECTORIES": str(tmp_path)}

    with pytest.raises(RuntimeError, match="catalogue of pl, uk is missing"):
        create_app(ProductionConfig, {**GOOD, **no_catalogue})
    app = create_app(DevelopmentConfig, {**GOOD, **no_catalogue})
    result = app.test_cli_runner().invoke(args=["check-deploy"])

    assert result.exit_code != 0
    assert "ERROR: LANGUAGES the compiled catalogue of pl, uk is missing" in result.output


def test_the_built_catalogue_is_found_where_flask_babel_looks():
    from portal.i18n import missing_catalogues

    app = create_app(ProductionConfig, GOOD)

    assert missing_catalogues(app.root_path, app.config) == []


def test_a_text_message_gateway_without_its_token_fails_the_check():
    result = _run(ProductionConfig, SMS_GATEWAY="smsapi", SMS_GATEWAY_TOKEN="")

    assert result.exit_code != 0
    assert "ERROR: SMS_GATEWAY is set, but no text message could be sent" in result.output
    assert "SMS_GATEWAY_TOKEN" in result.output
    assert _run(ProductionConfig, SMS_GATEWAY="smsapi", SMS_GATEWAY_TOKEN="t").exit_code == 0

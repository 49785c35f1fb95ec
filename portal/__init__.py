"""The portal: a public side for residents and a back office for the club's staff."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask


def create_app(
    config_class: type | str | None = None, overrides: dict[str, Any] | None = None
) -> Flask:
    """Build the application; no migrations, seeding or network happen here."""
    # Imported here: the configuration reads the environment when first imported, and the
    # `portal` command loads the installation's environment file before that.
    from .config import CONFIGS

    app = Flask(__name__, instance_relative_config=True)
    if config_class is None:
        config_class = os.environ.get("PORTAL_ENV", "development")
    if isinstance(config_class, str):
        config_class = CONFIGS[config_class]
    app.config.from_object(config_class)
    if overrides:
        app.config.update(overrides)

    _fill_instance_defaults(app)
    _refuse_unsafe_production(app)
    if app.config["ENV_NAME"] == "production":
        from . import logs

        logs.configure(app)

    from . import database, persons, tallies
    from .cli import register_cli
    from .database import MIGRATIONS_DIR
    from .extensions import babel, csrf, db, limiter, login_manager, mail, migrate
    from .web import errors, inputguard, requestcycle, sessions  # noqa: F401  (sessions: user loader)

    database.configure_engine_events()
    tallies.register()
    persons.register()
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=MIGRATIONS_DIR,
        render_as_batch=True,
        compare_type=True,
        include_name=database.compared_by_alembic,
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=requestcycle.select_locale)
    mail.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    inputguard.register(app)

    from .api import bp as api_bp
    from .backoffice import bp as backoffice_bp
    from .public import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(backoffice_bp)
    # Partners' servers post to the API with a key, not from a page of ours with a session.
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)
    requestcycle.register(app)
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    errors.register(app)
    register_cli(app)
    return app


def _fill_instance_defaults(app: Flask) -> None:
    # The instance folder is only made when a default needs it: an installed portal with
    # DATABASE_URL and UPLOAD_FOLDER set never writes inside its (read-only) virtualenv.
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        path = os.path.join(app.instance_path, "portal.sqlite3")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = os.path.join(app.instance_path, "uploads")
    os.makedirs(app.config["UPLOAD_FOLDER"], exist_ok=True)


def _refuse_unsafe_production(app: Flask) -> None:
    if app.config["ENV_NAME"] == "production" and app.debug:
        raise RuntimeError("Debug mode is on in production. Unset FLASK_DEBUG.")
    if app.config["ENV_NAME"] == "production" and not app.config.get("SECRET_KEY"):
        raise RuntimeError(
            "SECRET_KEY is not set. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    if app.config["ENV_NAME"] == "production":
        from .i18n import missing_catalogues

        missing = missing_catalogues(app.root_path, app.config)
        if missing:
            raise RuntimeError(
                f"The compiled catalogue of {', '.join(missing)} is missing: pages would be "
                "in English. Install the portal from a built wheel or sdist, or run "
                "'pybabel compile -d portal/translations' in a source checkout."
            )

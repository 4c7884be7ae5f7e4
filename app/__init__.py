"""The application factory."""
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config


def create_app(config_class=Config) -> Flask:
    """Build the app: extensions, blueprints, CLI, error handlers — nothing else."""
    app = Flask(__name__, template_folder="../templates", instance_relative_config=False)
    if hasattr(config_class, "check"):
        config_class.check()
    app.config.from_object(config_class)
    if app.config.get("PROXY_FIX_X_FOR"):
        # The client address (audit log, rate limits) from the trusted proxies' X-Forwarded-For.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"])
    register_extensions(app)
    register_blueprints(app)
    register_security(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (every table known to Alembic)
    from app.auth import sessions
    from app.extensions import babel, csrf, db, login_manager, migrate
    from app.services import replica
    from app.web import context, guards, i18n, labels

    guards.install_converters(app)  # before any route is added

    db.init_app(app)
    replica.init_app(app)
    migrate.init_app(app, db, directory=str(app.config.get("MIGRATIONS_DIR", "migrations")))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page says it itself
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.init_app(app)
    context.init_app(app)
    sessions.init_app(app)
    guards.init_app(app)
    labels.init_app(app)


def register_blueprints(app: Flask) -> None:
    from app.admin import bp as admin_bp
    from app.api import bp as api_bp
    from app.api.pages import bp as integrations_bp
    from app.auth import bp as auth_bp
    from app.desk import bp as desk_bp
    from app.dispatch import bp as dispatch_bp
    from app.open311 import bp as open311_bp
    from app.portal import bp as portal_bp
    from app.supervision import bp as supervision_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(portal_bp, url_prefix="/portal")
    app.register_blueprint(desk_bp, url_prefix="/desk")
    app.register_blueprint(dispatch_bp, url_prefix="/dispatch")
    app.register_blueprint(supervision_bp, url_prefix="/supervision")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(api_bp, url_prefix="/api")
    app.register_blueprint(open311_bp, url_prefix="/open311/v2")
    app.register_blueprint(integrations_bp)
    from app.api.views import metrics

    app.add_url_rule("/metrics", "metrics", metrics)


def register_security(app: Flask) -> None:
    """Rate limits on the registered views, and the security headers."""
    from app.web import headers, throttle

    throttle.init_app(app)
    headers.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    from app.web.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from app.cli import register

    register(app)

"""grants: grant management for a Police and Crime Commissioner's community funds."""
from __future__ import annotations

import os
from datetime import timedelta

from flask import Flask

from . import config as config_module


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config_module.from_environment(app.instance_path))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=int(app.config["PERMANENT_SESSION_LIFETIME"]))
    config_module.check_production_safety(app.config)
    os.makedirs(app.config["UPLOAD_FOLDER"], exist_ok=True)

    from . import cli, logging_setup, security, templating
    from .extensions import csrf, db, limiter, login_manager, migrate

    logging_setup.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True, directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    security.init_app(app)
    login_manager.init_app(app)
    templating.init_app(app)
    cli.init_app(app)

    from .web import register_blueprints

    register_blueprints(app)
    if app.config.get("PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app

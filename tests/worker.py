"""A real Celery worker for end-to-end tests, on the configured broker and the test database.

The worker reads a private queue and uses it as its default too, so the tasks it queues
itself (an email after a deadline run) stay in this test and reach this worker.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[1]

WORKER = """
import os, sys
from config.celery import app
app.conf.task_default_queue = sys.argv[1]
if os.environ.get("TRUSTMARK_TEST_HOLD"):
    import django
    django.setup()
    from tests.worker_hold import install
    install()
app.worker_main(["worker", "--pool=solo", "--concurrency=1", "-Q", sys.argv[1],
                 "--without-heartbeat", "--without-gossip", "--without-mingle",
                 "--loglevel=WARNING"])
"""


def worker_database_url() -> str:
    db = connection.settings_dict
    host = quote(db["HOST"] or "", safe="")
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{db['NAME']}"


def start_worker(
    queue: str, mail_dir: Path, *, hold: str | None = None, marker: Path | None = None
) -> subprocess.Popen[bytes]:
    """A worker process on `queue`, writing emails under `mail_dir`.

    With `hold` (a point of tests/worker_hold.py) it stops there and writes `marker`.
    """
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),  # where this test looks
        "TRUSTMARK_TESTING": "1",
    }
    env.pop("TRUSTMARK_TEST_HOLD", None)
    if hold is not None:
        assert marker is not None, "a held worker needs a marker file"
        env |= {"TRUSTMARK_TEST_HOLD": hold, "TRUSTMARK_TEST_HOLD_MARKER": str(marker)}
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, queue],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    """Stop (or reap a killed) worker and print what it said, for a failing test's log."""
    if process.poll() is None:
        process.terminate()
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    print(output.decode(errors="replace"))


@contextmanager
def private_queue() -> Iterator[str]:
    """A fresh queue that this process's tasks go to while the block runs."""
    queue = f"trustmark-test-{uuid.uuid4().hex[:8]}"
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        yield queue
    finally:
        celery_app.conf.task_default_queue = previous


@contextmanager
def running_worker(mail_dir: Path) -> Iterator[Path]:
    """Start a worker writing emails as files under `mail_dir`; stop it afterwards."""
    with private_queue() as queue:
        process = start_worker(queue, mail_dir)
        try:
            yield mail_dir
        finally:
            stop_worker(process)

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

from django.db import connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[1]

WORKER = """
import sys
from config.celery import app
app.conf.task_default_queue = sys.argv[1]
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


@contextmanager
def running_worker(mail_dir: Path) -> Iterator[Path]:
    """Start a worker writing emails as files under `mail_dir`; stop it afterwards."""
    queue = f"trustmark-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "TRUSTMARK_TESTING": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER, queue],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        yield mail_dir
    finally:
        celery_app.conf.task_default_queue = previous
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        print(output.decode(errors="replace"))

"""End to end through a real Celery worker on the configured broker (Redis in CI)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from certification.access import Right
from certification.models import Area
from certification.team import invite_person
from config.celery import app as celery_app
from notifications.models import OutgoingMessage

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL,
        reason="needs a broker: set CELERY_BROKER_URL (CI uses the local Redis)",
    ),
]


def _test_database_url() -> str:
    db = connection.settings_dict
    host = quote(db["HOST"] or "", safe="")
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path):
    queue = f"trustmark-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "EMAIL_URL": f"filemail:///{tmp_path}",
        "TRUSTMARK_TESTING": "1",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        yield tmp_path
    finally:
        celery_app.conf.task_default_queue = previous
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        print(output.decode(errors="replace"))


@pytest.mark.django_db(transaction=True)
def test_an_invitation_email_is_sent_by_a_real_worker_after_commit(world, worker):
    invitation = invite_person(
        actor=world.alice,
        member=world.member,
        email="dora@nordlicht.example",
        rights=[Right(Area.CASES, world.shop.pk)],
    )
    message = OutgoingMessage.objects.get(to_email="dora@nordlicht.example")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.status == OutgoingMessage.Status.SENT:
            break
        time.sleep(0.3)
    assert message.status == OutgoingMessage.Status.SENT
    assert message.attempts == 1
    sent = "".join(path.read_text() for path in worker.iterdir())
    assert "To: dora@nordlicht.example" in sent
    assert str(invitation.member.legal_name) in sent

"""What the HTTP benchmarks share: a production-like server, a database to load, load generators.

Each benchmark starts Trustmark under gunicorn with production settings (DEBUG
off, Redis cache, PostgreSQL in its own `trustmark_bench` database), compares
its URLs with an empty Django view served by the same gunicorn in the same run,
and interleaves the targets over several rounds, keeping each one's median.
The load generators are in bench/load.py.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.load import Endpoint

ROOT = Path(__file__).resolve().parent.parent


def arguments(description: str, rounds: bool = True) -> argparse.ArgumentParser:
    """The options every HTTP benchmark takes (`rounds`: timed rounds of each target too);
    add your own, then parse."""
    parser = argparse.ArgumentParser(description=description)
    if rounds:
        parser.add_argument("--seconds", type=int, default=5)
        parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    return parser


def bench_env(**extra: str) -> dict[str, str]:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/trustmark")
    database = re.sub(r"/[^/?]+(\?|$)", r"/trustmark_bench\1", base, count=1)
    redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/5")
    return {
        **os.environ,
        "DATABASE_URL": database,
        "REDIS_URL": redis,
        # Tasks are published as in production, to a queue of the benchmark's own that no
        # worker reads (a worker on another database must not get our message ids); the
        # benchmark empties it at the end.
        "CELERY_BROKER_URL": redis,
        "DEBUG": "false",
        "TRUSTMARK_TESTING": "",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "TRUSTMARK_BENCHMARK_VIEWS": "true",
        "TRUSTMARK_SIGNING_KEY_FILE": str(ROOT / ".data" / "bench-signing-key.pem"),
        "DB_CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def ensure_database(url: str) -> None:
    import psycopg

    admin_url = re.sub(r"/trustmark_bench(\?|$)", r"/postgres\1", url, count=1)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname='trustmark_bench'").fetchone():
            conn.execute("CREATE DATABASE trustmark_bench")


def prepare(env: dict[str, str], static: bool = False) -> None:
    """Create the benchmark database if needed and migrate it; with `static`, collect the
    static files too (with DEBUG off, pages name them through WhiteNoise's manifest)."""
    ensure_database(env["DATABASE_URL"])
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    if static and not static_is_current():
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )


def static_is_current() -> bool:
    """Whether the collected static files are newer than the project's sources and the
    installed packages (collecting takes a minute: WhiteNoise compresses every file)."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return False
    sources = [path for folder in ROOT.glob("*/static") for path in folder.rglob("*")]
    sources.append(Path(sysconfig.get_paths()["purelib"]))
    newest = max(path.stat().st_mtime for path in sources)
    return manifest.stat().st_mtime > newest


def shell(env: dict[str, str], code: str) -> str:
    """Run `code` in `manage.py shell`; what it printed."""
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


SEED = """
from datetime import timedelta
from django.utils import timezone
from certification.models import Member, MembershipPlan, Shop, TrustMark
target = TARGET
have = Shop.objects.filter(domain__startswith="bench-").count()
plan = MembershipPlan.objects.get(code="basic")
today = timezone.localdate()
for start in range(have, target, 1000):
    count = min(1000, target - start)
    member = Member.objects.create(legal_name=f"Bench {start}", street="x", postal_code="1",
                                   city="Berlin", country="DE", contact_email="b@bench.example")
    shops = Shop.objects.bulk_create([
        Shop(member=member, name=f"Bench shop {i}", domain=f"bench-{i}.example", language="de",
             target_market="DE", currency="EUR", plan=plan)
        for i in range(start, start + count)])
    TrustMark.objects.bulk_create([
        TrustMark(shop=s, number=f"TM-2026-{900000 + start + i:06d}", valid_from=today,
                  valid_until=today + timedelta(days=365))
        for i, s in enumerate(shops)])
shop = Shop.objects.filter(domain__startswith="bench-").order_by("pk")[INDEX]
print(shop.public_id, shop.marks.get().number)
"""


def seed(env: dict[str, str], shops: int, index: int = 0) -> tuple[str, str]:
    """At least `shops` shops with a mark; the public id and mark number of the one at `index`
    (in the order they were made: each benchmark that changes a mark takes its own)."""
    code = SEED.replace("TARGET", str(int(max(shops, index + 1)))).replace("INDEX", str(int(index)))
    out = shell(env, code).split()
    return out[-2], out[-1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/empty", timeout=1)
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("gunicorn did not start")


def stop_server(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


def purge_tasks(env: dict[str, str]) -> None:
    """Drop the tasks the run queued (nobody consumes the benchmark's queue)."""
    shell(env, "from config.celery import app; app.control.purge()")


# --- API keys ----------------------------------------------------------------------

KEY = """
from certification.models import Shop
from guarantees.models import ApiKey
ApiKey.objects.create(shop=Shop.objects.get(public_id=PUBLIC_ID), name="bench", prefix=PREFIX,
                      key_hash=HASH)
"""


def give_key(env: dict[str, str], public_id: str) -> str:
    """A new API key for the shop, stored as guarantees.keys stores one; its secret."""
    prefix = secrets.token_hex(6)
    secret = f"tmk_{prefix}_{secrets.token_urlsafe(32)}"
    digest = hashlib.sha256(secret.encode()).hexdigest()
    values = {"PUBLIC_ID": public_id, "PREFIX": prefix, "HASH": digest}
    shell(env, re.sub(r"\b(PUBLIC_ID|PREFIX|HASH)\b", lambda m: repr(values[m.group(1)]), KEY))
    return secret


# --- SQL per request ---------------------------------------------------------------

COUNT = """
import json, secrets
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client(HTTP_HOST="127.0.0.1")
nonce = secrets.token_hex(6)
def call(target, n):
    reference = f"count-{nonce}-{n}"
    body = target["body"].replace("%s", reference) if target["body"] is not None else ""
    headers = {k: v.replace("%s", reference) for k, v in target["headers"].items()}
    kind = headers.pop("Content-Type", "application/octet-stream")
    response = client.generic(target["method"], target["path"], body, content_type=kind,
                              headers=headers)
    assert 200 <= response.status_code < 300, (target["path"], response.status_code,
                                               response.content[:300])
out = {}
for name, target in json.loads(TARGETS).items():
    call(target, "warm")
    with CaptureQueriesContext(connection) as queries:
        for i in range(RUNS):
            call(target, i)
    one = len(queries) // RUNS
    out[name] = {"statements": len(queries) / RUNS, "sql": [q["sql"].split("; ")[-1][:90]
                                                  for q in queries[:one]]}
print(json.dumps(out))
"""


def count_queries(env: dict[str, str], endpoints: dict[str, Endpoint], runs: int = 20) -> dict:
    """SQL statements per request of each endpoint on a warm cache: Django's test client in a
    process of its own on the benchmark database, the same settings as the server. The
    request's transaction is the outermost one, so BEGIN and COMMIT count, as in
    tests/guarantees/test_api_cost.py."""
    described = {
        name: {"method": e.method, "path": e.path, "body": e.body, "headers": e.headers}
        for name, e in endpoints.items()
    }
    code = COUNT.replace("RUNS", str(runs)).replace("TARGETS", repr(json.dumps(described)))
    return json.loads(shell(env, code).splitlines()[-1])

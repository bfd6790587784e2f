"""What the HTTP benchmarks share: a production-like server, a database to load, load generators.

Each benchmark starts Trustmark under gunicorn with production settings (DEBUG
off, Redis cache, PostgreSQL in its own `trustmark_bench` database), compares
its URLs with an empty Django view served by the same gunicorn in the same run,
and interleaves the targets over several rounds, keeping each one's median.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# A request of the Python load generator: (method, path, body, headers).
Request = tuple[str, str, bytes | None, dict[str, str]]


def arguments(description: str) -> argparse.ArgumentParser:
    """The options every HTTP benchmark takes; add your own, then parse."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
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


def prepare(env: dict[str, str]) -> None:
    """Create the benchmark database if needed and migrate it."""
    ensure_database(env["DATABASE_URL"])
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


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
shop = Shop.objects.filter(domain__startswith="bench-").order_by("pk").first()
print(shop.public_id, shop.marks.get().number)
"""


def seed(env: dict[str, str], shops: int) -> tuple[str, str]:
    """At least `shops` shops with an active mark; the first one's public id and mark number."""
    out = shell(env, SEED.replace("TARGET", str(int(shops)))).split()
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


def wrk_rps(url: str, seconds: int, connections: int, script: Path | None = None) -> float:
    """Requests per second with wrk; a Lua `script` may build each request (its arg: a nonce)."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", url]
    if script is not None:
        command[1:1] = ["-s", str(script)]
        command += ["--", secrets.token_hex(6)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match or "Non-2xx" in out:
        raise SystemExit(f"wrk failed on {url}:\n{out}")
    return float(match.group(1))


def python_rps(
    url: str, seconds: int, connections: int, request: Callable[[], Request] | None = None
) -> float:
    """Requests per second with threads on keep-alive connections (when wrk is missing)."""
    host, port_path = url.split("//", 1)[1].split(":", 1)
    port, path = port_path.split("/", 1)
    counts = [0] * connections
    stop = time.monotonic() + seconds

    def worker(index: int) -> None:
        conn = HTTPConnection(host, int(port))
        while time.monotonic() < stop:
            method, target, body, headers = request() if request else ("GET", "/" + path, None, {})
            conn.request(method, target, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            if not 200 <= response.status < 300:
                raise SystemExit(f"{url} answered {response.status}")
            counts[index] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds


def median_rps(targets: dict[str, Callable[[], float]], rounds: int) -> dict[str, float]:
    """Interleave the targets over `rounds` and keep each one's median, so that drift on a
    shared machine hits every target alike."""
    samples: dict[str, list[float]] = {name: [] for name in targets}
    for _round in range(rounds):
        for name, measure in targets.items():
            samples[name].append(measure())
    return {name: statistics.median(values) for name, values in samples.items()}

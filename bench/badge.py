"""How cheap is the badge? Requests per second next to an empty Django view.

Starts Trustmark under gunicorn with production settings (DEBUG off, Redis
cache, PostgreSQL), loads a few thousand shops with marks, and loads each URL
with wrk on loopback (or a Python load generator when wrk is missing):

    python bench/badge.py [--shops 3000] [--seconds 5] [--json]

Prints requests per second for the badge SVG, the badge JSON and the
verification JSON, each as a ratio to the empty view measured in the same run.
Target: every ratio >= 0.9.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def bench_env() -> dict[str, str]:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/trustmark")
    database = re.sub(r"/[^/?]+(\?|$)", r"/trustmark_bench\1", base, count=1)
    return {
        **os.environ,
        "DATABASE_URL": database,
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/5"),
        "DEBUG": "false",
        "TRUSTMARK_TESTING": "",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "TRUSTMARK_BENCHMARK_VIEWS": "true",
        "TRUSTMARK_SIGNING_KEY_FILE": str(ROOT / ".data" / "bench-signing-key.pem"),
        "DB_CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
    }


def ensure_database(url: str) -> None:
    import psycopg

    admin_url = re.sub(r"/trustmark_bench(\?|$)", r"/postgres\1", url, count=1)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname='trustmark_bench'").fetchone():
            conn.execute("CREATE DATABASE trustmark_bench")


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


SEED = """
import sys
from datetime import timedelta
from django.utils import timezone
from certification.models import Member, MembershipPlan, Shop, TrustMark
target = int(sys.argv[1])
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
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SEED.replace("sys.argv[1]", str(shops))],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
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


def wrk_rps(url: str, seconds: int, connections: int) -> float:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match or "Non-2xx" in out:
        raise SystemExit(f"wrk failed on {url}:\n{out}")
    return float(match.group(1))


def python_rps(url: str, seconds: int, connections: int) -> float:
    host, port_path = url.split("//", 1)[1].split(":", 1)
    port, path = port_path.split("/", 1)
    counts = [0] * connections
    stop = time.monotonic() + seconds

    def worker(index: int) -> None:
        conn = HTTPConnection(host, int(port))
        while time.monotonic() < stop:
            conn.request("GET", "/" + path)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"{url} answered {response.status}")
            counts[index] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=3000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    env = bench_env()
    ensure_database(env["DATABASE_URL"])
    manage(env, "migrate", "--noinput", "-v", "0")
    public_id, number = seed(env, args.shops)
    port = free_port()
    server = start_server(env, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    targets = {
        "empty view (baseline)": f"{base}/bench/empty",
        "badge SVG": f"{base}/badge/{public_id}.svg",
        "badge JSON": f"{base}/badge/{public_id}.json",
        "verification JSON": f"{base}/api/v1/marks/{number}",
    }
    measure = wrk_rps if shutil.which("wrk") else python_rps
    try:
        for url in targets.values():  # warm the caches and the workers
            for _ in range(20):
                urllib.request.urlopen(url, timeout=5).read()  # noqa: S310
        # Interleave the targets over several rounds and keep each one's median, so that
        # drift on a shared machine hits every target alike.
        samples: dict[str, list[float]] = {name: [] for name in targets}
        for _round in range(args.rounds):
            for name, url in targets.items():
                samples[name].append(measure(url, args.seconds, args.connections))
        results = {name: statistics.median(values) for name, values in samples.items()}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    baseline = results["empty view (baseline)"]
    rows = [
        {"target": name, "rps": round(rps, 1), "ratio": round(rps / baseline, 3)}
        for name, rps in results.items()
    ]
    summary = {
        "benchmark": "badge",
        "shops": args.shops,
        "load_generator": "wrk" if measure is wrk_rps else "python",
        "gunicorn_workers": args.workers,
        "connections": args.connections,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "results": rows,
        "target_ratio": 0.9,
        "met": all(row["ratio"] >= 0.9 for row in rows),
    }
    if args.json:
        print(json.dumps(summary))
        return
    print(
        f"badge benchmark: {args.shops} shops, {summary['load_generator']}, "
        f"{args.workers} gunicorn workers, {args.connections} connections, "
        f"median of {args.rounds} rounds of {args.seconds}s"
    )
    print(f"{'target':<24}{'req/s':>12}{'ratio':>9}")
    for row in rows:
        print(f"{row['target']:<24}{row['rps']:>12.1f}{row['ratio']:>9.3f}")
    print("target: every ratio >= 0.9 ->", "met" if summary["met"] else "NOT met")


if __name__ == "__main__":
    main()

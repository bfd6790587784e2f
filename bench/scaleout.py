"""Two web servers and two workers on one database and one Redis: does it still work as one?

    python bench/scaleout.py [--notifications 1000] [--quick] [--shops 3000] [--workers 2]
                             [--timeout 120] [--json]

Starts two gunicorn servers on two ports (bench/common.py's production settings,
`--workers` sync workers each) and two Celery workers (`--pool=solo`, both reading
one private queue that is also their default, so the tasks they queue themselves
stay in this run), all on the `trustmark_bench` database and the same Redis, the
workers writing emails as files (EMAIL_URL=filemail://) into a temporary folder.

(a) Badge invalidation reaches both servers: both servers' badge caches are warmed
for one shop (every gunicorn worker's local copy too), then a `manage.py shell`
process suspends the shop's mark through `certification.marks.suspend_mark`, as
bench/freshness.py does; one poller per server asks for the badge until it shows the
suspension. Prints the milliseconds from the commit to the first and to the last
suspended answer of each server (after the last valid one nothing valid came back).
The mark is reinstated at the end.

(b) A burst of `--notifications` claim emails (`claim_changed`, queued with
`notifications.services.queue_email` in one transaction) is woken the outbox's
normal way (notifications.wakeup: one wake-up at once, a trailing one after
WAKE_INTERVAL), and a sweep (`sweep_outbox`, run as if the rows were old) queues
one more task per row still pending, so both workers race for the same rows.
Counts, once every row is sent: rows sent, attempts, Message-ID headers in the
email files (each worker writes into a folder of its own, so the split between
them shows too), duplicates, and the seconds from the commit to the last row
sent. Pending rows that earlier benchmark runs left behind (nobody sends the
benchmark database's mail) are parked first: their next attempt is moved ten
years on, so that they are not sent here.

Targets (bench/targets.py): every row sent, one attempt and one email each, no
duplicate, both servers show the suspension within 1 s. `--quick`: 200 notifications.
`--json` prints one object: {"badge": {"server_1": {...}, "server_2": {...}},
"burst": {...}}. Every process started here is stopped at the end, also on error.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Python puts a script's folder first on sys.path, where bench/http.py would hide the
# standard library's `http`: the project root takes the folder's place.
if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import email
import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from http.client import HTTPConnection, HTTPException
from typing import Any

from bench.common import (
    ROOT,
    arguments,
    bench_env,
    free_port,
    prepare,
    seed,
    shell,
    start_server,
    stop_server,
)
from bench.freshness import change_mark
from bench.load import Endpoint, python_run

SHOP_INDEX = 2  # http.py loads the first bench shop, freshness.py suspends the second

WORKER = """
import sys
from config.celery import app
app.conf.task_default_queue = sys.argv[1]
app.worker_main(["worker", "--pool=solo", "-Q", sys.argv[1], "--hostname", sys.argv[2],
                 "--without-heartbeat", "--without-gossip", "--without-mingle",
                 "--loglevel=WARNING"])
"""

# Queue COUNT claim emails in one transaction and let the outbox wake its sender; print the
# ids, the commit time and how many rows were parked.
BURST = """
import json, time
from datetime import timedelta
from django.db import transaction
from django.utils import timezone
from config.celery import app
app.conf.task_default_queue = QUEUE
from notifications.models import OutgoingMessage
from notifications.services import queue_email
from notifications.tasks import SWEEP_AFTER, sweep_outbox
from notifications.wakeup import WAKE_INTERVAL
parked = OutgoingMessage.objects.filter(status="pending").update(
    next_attempt_at=timezone.now() + timedelta(days=3650))
stamps = {}
with transaction.atomic():
    transaction.on_commit(lambda: stamps.setdefault("committed", time.time()))
    ids = [queue_email(to=f"buyer-{i}@NONCE.bench.example", template="claim_changed",
                       language="de", context={"event": "message", "number": f"C-{i:06d}",
                                              "excerpt": "Bench", "url": "https://x.example/"}).pk
           for i in range(COUNT)]
time.sleep(WAKE_INTERVAL * 2)  # the trailing wake-up is a timer thread of this process
swept = sweep_outbox(limit=COUNT, now=timezone.now() + SWEEP_AFTER + timedelta(seconds=1))
print(json.dumps({"ids": ids, "parked": parked, "swept": swept, **stamps}))
"""

STATE = """
import json
from django.db.models import Count, Max, Sum
from notifications.models import OutgoingMessage
rows = OutgoingMessage.objects.filter(to_email__endswith="@NONCE.bench.example")
print(json.dumps({
    "sent": rows.filter(status="sent").count(),
    "pending": rows.filter(status="pending").count(),
    "failed": rows.filter(status="failed").count(),
    "attempts": rows.aggregate(n=Sum("attempts"))["n"] or 0,
    "last_sent": rows.aggregate(t=Max("sent_at"))["t"].timestamp()
    if rows.filter(status="sent").exists() else None,
}))
"""


def start_worker(env: dict[str, str], queue: str, name: str, log: Path) -> subprocess.Popen:
    """A worker on `queue` (also its default queue), its output in `log`."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-c", WORKER, queue, name],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def stop(process: subprocess.Popen) -> None:
    """Stop one process started here, killing it when it does not stop in time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def watch(port: int, path: str, valid: bytes, out: dict[str, Any], done: threading.Event) -> None:
    """Poll one server until `done`; note each answer's time and whether it was still valid."""
    conn = HTTPConnection("127.0.0.1", port, timeout=5)
    polls: list[tuple[float, bool]] = []
    errors = 0
    while not done.is_set():
        sent = time.time()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            if response.status != 200:
                errors += 1
            polls.append((sent, body == valid))
        except (OSError, HTTPException):
            errors += 1
            conn.close()
    conn.close()
    out["polls"], out["errors"] = polls, errors


def invalidation(env: dict[str, str], ports: list[int], public_id: str, number: str) -> dict:
    """(a): per server, ms from the suspension's commit to its first and last suspended badge."""
    path = f"/badge/{public_id}.svg"
    for port in ports:  # every gunicorn worker of each server holds a copy now
        python_run(f"http://127.0.0.1:{port}", Endpoint(path), 1, 4)
    valid = fetch(ports[0], path)
    done = threading.Event()
    logs: list[dict[str, Any]] = [{} for _ in ports]
    threads = [
        threading.Thread(target=watch, args=(port, path, valid, log, done))
        for port, log in zip(ports, logs, strict=True)
    ]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)
        stamps = change_mark(env, number, "suspend")
        time.sleep(2.0)
    finally:
        done.set()
        for thread in threads:
            thread.join()
    committed = stamps["committed"]
    result: dict[str, Any] = {}
    for index, log in enumerate(logs, 1):
        after = [(sent - committed, stale) for sent, stale in log["polls"] if sent >= committed]
        shown = [delay for delay, stale in after if not stale]
        stale = [delay for delay, stale in after if stale]
        result[f"server_{index}"] = {
            "first_suspended_ms": round(min(shown) * 1000, 1) if shown else None,
            "last_valid_ms": round(max(stale) * 1000, 1) if stale else 0.0,
            "polls_after_commit": len(after),
            "errors": log["errors"],
        }
    return result


def fetch(port: int, path: str) -> bytes:
    conn = HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        return conn.getresponse().read()
    finally:
        conn.close()


def message_ids(folder: Path) -> Counter[int]:
    """How often each outbox row's Message-ID appears in the email files (a file may hold
    several messages)."""
    found: Counter[int] = Counter()
    for path in folder.iterdir():
        # The backend writes each message, then a line of 79 dashes.
        for part in re.split(r"^-{79}$", path.read_text(errors="replace"), flags=re.M):
            if not part.strip():
                continue
            header = email.message_from_string(part.lstrip("\n")).get("Message-ID", "")
            if matched := re.match(r"<outbox\.(\d+)\.", header):
                found[int(matched.group(1))] += 1
    return found


def burst(env: dict[str, str], queue: str, count: int, mail: Path, timeout: float) -> dict:
    """(b): `count` emails queued at once, sent by the two workers; sent exactly once?"""
    nonce = secrets.token_hex(4)
    code = BURST.replace("QUEUE", repr(queue)).replace("NONCE", nonce)
    queued = json.loads(shell(env, code.replace("COUNT", str(int(count)))).splitlines()[-1])
    state_code = STATE.replace("NONCE", nonce)
    deadline = time.monotonic() + timeout
    while True:
        state = json.loads(shell(env, state_code).splitlines()[-1])
        if state["pending"] == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    ours = set(queued["ids"])
    by_worker = {folder.name: message_ids(folder) for folder in sorted(mail.iterdir())}
    ids: Counter[int] = sum(by_worker.values(), Counter())
    emails = sum(n for pk, n in ids.items() if pk in ours)
    return {
        "notifications": count,
        "sent": state["sent"],
        "pending": state["pending"],
        "failed": state["failed"],
        "attempts": state["attempts"],
        "extra_attempts": state["attempts"] - count,
        "emails": emails,
        "missing_emails": sum(1 for pk in ours if not ids[pk]),
        "emails_by_worker": [
            sum(n for pk, n in found.items() if pk in ours) for found in by_worker.values()
        ],
        "duplicates": sum(n - 1 for pk, n in ids.items() if pk in ours and n > 1),
        "tasks_from_sweep": queued["swept"],
        "parked_rows": queued["parked"],
        "seconds": round(state["last_sent"] - queued["committed"], 2)
        if state["last_sent"]
        else None,
    }


def main() -> None:
    parser = arguments(__doc__.splitlines()[0], rounds=False)
    parser.add_argument("--shops", type=int, default=3000)
    parser.add_argument("--notifications", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="200 notifications")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    count = 200 if args.quick else args.notifications

    queue = f"bench-scaleout-{secrets.token_hex(4)}"
    scratch = Path(tempfile.mkdtemp(prefix="trustmark-scaleout-"))
    mail = scratch / "mail"  # a folder per worker, to see that both took part
    env = bench_env()
    prepare(env, static=True)
    public_id, number = seed(env, args.shops, SHOP_INDEX)
    change_mark(env, number, "reinstate")
    processes: list[subprocess.Popen] = []
    servers: list[subprocess.Popen] = []
    finished = False
    try:
        ports = [free_port(), free_port()]
        for port in ports:
            servers.append(start_server(env, port, args.workers))
        for index in (1, 2):
            log = scratch / f"worker-{index}.log"
            (mail / str(index)).mkdir(parents=True)
            # django-environ takes the path after a third slash: filemail:////tmp/x is /tmp/x.
            worker_env = {**env, "EMAIL_URL": f"filemail:///{mail / str(index)}"}
            processes.append(start_worker(worker_env, queue, f"scaleout{index}@%h", log))
        badge = invalidation(env, ports, public_id, number)
        shown_as = json.loads(fetch(ports[1], f"/badge/{public_id}.json"))["status"]
        sent = burst(env, queue, count, mail, args.timeout)
        sent["workers_alive"] = sum(1 for p in processes if p.poll() is None)
        finished = True
    finally:
        try:
            change_mark(env, number, "reinstate")
        finally:
            for process in processes:
                stop(process)
            for server in servers:
                if server.poll() is None:
                    stop_server(server)
            subprocess.run(
                [sys.executable, "-m", "celery", "-A", "config", "purge", "-f", "-Q", queue],
                cwd=ROOT,
                env=env,
                capture_output=True,
            )
            for log in sorted(scratch.glob("worker-*.log")):
                said = log.read_text(errors="replace").strip()
                if said and not finished:  # what went wrong, for the report's log
                    print(f"{log.name}: {said[-2000:]}", file=sys.stderr)
            shutil.rmtree(scratch, ignore_errors=True)
    result = {
        "servers": len(ports),
        "workers": 2,
        "badge": badge,
        "badge_shown_as": shown_as,
        "burst": sent,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"scale-out: 2 gunicorn servers ({args.workers} workers each) and 2 Celery workers "
        f"(solo pool, one queue) on one PostgreSQL and one Redis; load {result['load_average']}"
    )
    print("badge invalidation (ms after the suspension's commit)")
    for name, figures in badge.items():
        print(
            f"  {name}: first suspended {figures['first_suspended_ms']:>7} ms, last valid "
            f"{figures['last_valid_ms']:>7} ms, {figures['polls_after_commit']} polls, "
            f"{figures['errors']} errors"
        )
    print(f"burst of {count} claim emails, woken as usual plus a sweep of every row")
    keys = ("sent", "pending", "failed", "attempts", "emails", "emails_by_worker", "duplicates")
    for key in (*keys, "seconds"):
        print(f"  {key:<12}{sent[key]!s:>10}")
    ok = (
        sent["sent"] == sent["attempts"] == sent["emails"] == count
        and sent["duplicates"] == 0
        and all((f["last_valid_ms"] or 0) <= 1000 and f["errors"] == 0 for f in badge.values())
    )
    print("targets:", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()

"""Does a suspension reach the badge at once, while the badge is under load?

    python bench/freshness.py [--shops 3000] [--watch 3] [--pollers 8] [--workers 2]
                              [--connections 32] [--json]

Starts Trustmark under gunicorn as bench/http.py does and loads the badge SVG
of one shop with wrk (a Python generator when wrk is missing) in back-to-back
one-second runs. Beside that load, `--pollers` threads on connections of their
own ask for the same badge as fast as they are answered and note when each
request left and what came back. Meanwhile a separate `manage.py shell` process
suspends the shop's mark through the real service
(`certification.marks.suspend_mark`, as an administrator) and notes the time of
the commit (an on-commit callback registered ahead of the service's own) and
the time its callbacks, the cache invalidation among them, were done. Polling
goes on for `--watch` seconds after that.

Prints the milliseconds from the commit to the first answer showing the
suspension, to the last request that still got the valid badge, and how many
requests that left more than 1 s after the commit still got it, and how far
apart the polls were (the resolution of those figures). Target: none
(the public caches are invalidated on the transition's commit; each gunicorn
worker's own copy lives at most PUBLIC_LOCAL_CACHE_SECONDS, 1 s). The mark is
reinstated at the end, so runs repeat. `--json` prints one object with
`commit_to_invalidated_ms`, `first_suspended_ms`, `last_unsuspended_ms` (None
when no valid badge came after the commit), `unsuspended_after_1s`,
`resolution_ms`, `polls`, `errors`, the load's `load_rps` and `load_seconds`.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Python puts a script's folder first on sys.path, where bench/http.py would hide the
# standard library's `http`: the project root takes the folder's place.
if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import itertools
import json
import statistics
import threading
import time
from http.client import HTTPConnection, HTTPException

from bench.common import (
    arguments,
    bench_env,
    free_port,
    prepare,
    purge_tasks,
    seed,
    shell,
    start_server,
    stop_server,
)
from bench.load import Endpoint, Run, generator, load, python_run

SHOP_INDEX = 1  # bench/http.py loads the first bench shop; this one is ours to suspend

# ACTION "suspend": suspend and print the commit and invalidation times; "reinstate": make the
# mark active again if it is suspended (also at the start, after a run that was cut short).
MARK = """
import json, time
from django.contrib.auth.models import Group
from django.db import transaction
from accounts.models import User
from accounts.roles import Role
from certification.marks import reinstate_mark, suspend_mark
from certification.models import MarkState, TrustMark
admin, _created = User.objects.get_or_create(
    email="bench-admin@bench.example", defaults={"full_name": "Bench admin", "is_staff": True})
admin.groups.add(Group.objects.get(name=Role.ADMINISTRATOR))
mark = TrustMark.objects.get(number=NUMBER)
stamps = {}
if ACTION == "suspend":
    with transaction.atomic():
        transaction.on_commit(lambda: stamps.setdefault("committed", time.time()))
        suspend_mark(mark=mark, actor=admin, reason="unpaid_fees")
    stamps["invalidated"] = time.time()
elif mark.state == MarkState.SUSPENDED:
    reinstate_mark(mark=mark, actor=admin, note="Benchmark over.")
print(json.dumps(stamps))
"""


def change_mark(env: dict[str, str], number: str, action: str) -> dict[str, float]:
    code = MARK.replace("NUMBER", repr(number)).replace("ACTION", repr(action))
    return json.loads(shell(env, code).splitlines()[-1])


# One poll: (time the request left, status or None when the connection failed, body).
Poll = tuple[float, int | None, bytes]


def poll(base: str, path: str, stop: threading.Event, log: list[Poll]) -> None:
    host, port = base.split("//", 1)[1].split(":", 1)
    conn = HTTPConnection(host, int(port), timeout=5)
    while not stop.is_set():
        sent = time.time()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            log.append((sent, response.status, response.read()))
        except (OSError, HTTPException):
            log.append((sent, None, b""))
            conn.close()
    conn.close()


def background(
    base: str, endpoint: Endpoint, connections: int, stop: threading.Event, runs: list[Run]
) -> None:
    """Load the badge in one-second runs until told to stop."""
    while not stop.is_set():
        runs.append(load(base, endpoint, 1, connections))


def analyse(polls: list[Poll], valid: bytes, stamps: dict[str, float]) -> dict[str, float | int]:
    """When, after the commit, the pollers saw the suspension, and how long the valid badge
    was still served (by the time each request left)."""
    committed = stamps["committed"]
    after = [(sent - committed, body) for sent, status, body in polls if status == 200]
    after = sorted(((d, body) for d, body in after if d >= 0), key=lambda poll: poll[0])
    shown = [delay for delay, body in after if body != valid]
    stale = [delay for delay, body in after if body == valid]
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(after)]
    return {
        "commit_to_invalidated_ms": round((stamps["invalidated"] - committed) * 1000, 1),
        "first_suspended_ms": round(min(shown) * 1000, 1) if shown else None,
        "last_unsuspended_ms": round(max(stale) * 1000, 1) if stale else None,
        "unsuspended_after_1s": sum(1 for delay in stale if delay > 1.0),
        "resolution_ms": round(statistics.median(gaps) * 1000, 1) if gaps else None,
        "polls_after_commit": len(after),
    }


def main() -> None:
    parser = arguments(__doc__.splitlines()[0], rounds=False)
    parser.add_argument("--shops", type=int, default=3000)
    parser.add_argument("--watch", type=float, default=3.0)
    parser.add_argument("--pollers", type=int, default=8)
    args = parser.parse_args()

    env = bench_env()
    prepare(env, static=True)
    public_id, number = seed(env, args.shops, SHOP_INDEX)
    change_mark(env, number, "reinstate")
    port = free_port()
    server = start_server(env, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    badge = Endpoint(f"/badge/{public_id}.svg")
    stop = threading.Event()
    runs: list[Run] = []
    polls: list[Poll] = []
    try:
        python_run(base, badge, 1, 4)  # warm every worker's copy
        valid = poll_once(base, badge.path)
        logs: list[list[Poll]] = [[] for _ in range(args.pollers)]
        threads = [
            threading.Thread(target=background, args=(base, badge, args.connections, stop, runs))
        ]
        threads += [
            threading.Thread(target=poll, args=(base, badge.path, stop, log)) for log in logs
        ]
        for thread in threads:
            thread.start()
        time.sleep(1)
        stamps = change_mark(env, number, "suspend")
        time.sleep(max(0.0, stamps["invalidated"] + args.watch - time.time()))
        stop.set()
        for thread in threads:
            thread.join()
        polls = sorted(poll for log in logs for poll in log)
        suspended = poll_once(base, f"/badge/{public_id}.json")
    finally:
        stop.set()
        change_mark(env, number, "reinstate")
        stop_server(server)
        purge_tasks(env)
    requests = sum(run.requests for run in runs)
    load_seconds = sum(run.seconds for run in runs)
    result = {
        **analyse(polls, valid, stamps),
        "shown_as": json.loads(suspended)["status"],
        "polls": len(polls),
        "errors": sum(run.errors for run in runs) + sum(1 for p in polls if p[1] != 200),
        "load_rps": round(requests / load_seconds, 1) if load_seconds else 0.0,
        "load_seconds": round(load_seconds, 1),
    }
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"badge freshness: {generator()} on the badge, {args.workers} gunicorn workers, "
        f"{args.connections} connections and {args.pollers} pollers; the mark suspended "
        f"through certification.marks.suspend_mark in another process"
    )
    print(f"  load on the badge                {result['load_rps']:>9} req/s")
    print(f"  commit to cache invalidated      {result['commit_to_invalidated_ms']:>9} ms")
    print(f"  commit to first suspended badge  {result['first_suspended_ms']:>9} ms")
    print(f"  commit to last valid badge       {result['last_unsuspended_ms']:>9} ms")
    print(f"  polls after the commit           {result['polls_after_commit']:>9}")
    print(f"  median gap between polls         {result['resolution_ms']:>9} ms")
    print(f"  valid badges requested > 1 s after the commit: {result['unsuspended_after_1s']}")
    print(f"  errors                           {result['errors']:>9}")
    print(f"  the badge now says               {result['shown_as']:>9}")
    met = result["unsuspended_after_1s"] == 0 and result["errors"] == 0
    print("target: no valid badge > 1 s after the commit, 0 errors ->", "met" if met else "NOT met")


def poll_once(base: str, path: str) -> bytes:
    host, port = base.split("//", 1)[1].split(":", 1)
    conn = HTTPConnection(host, int(port), timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}")
        return body
    finally:
        conn.close()


if __name__ == "__main__":
    main()

"""How fast are the public pages and the registration API? Next to an empty Django view.

    python bench/http.py [--shops 3000] [--seconds 5] [--rounds 3] [--workers 2]
                         [--connections 32] [--json]

Starts Trustmark under gunicorn with production settings (bench/common.py:
DEBUG off, Redis cache, PostgreSQL in `trustmark_bench`, a fixed number of sync
workers, static files collected) and loads each target for `--seconds` with wrk
on loopback (a Python generator on keep-alive connections when wrk is missing),
the targets interleaved over `--rounds`, each keeping its round of median
throughput:

    empty          /bench/empty, the floor of the stack (routed only for benchmarks)
    badge          the badge SVG of a shop with an active mark
    verify_json    /api/v1/marks/<number>
    verify_page    /verify/<number>/, the page the badge links to
    guarantee_api  POST /api/v1/guarantees, a distinct order and Idempotency-Key each time

For each: requests per second, p50 and p99 latency, errors (answers other than
2xx and failed connections, over every round), SQL statements per request on a
warm cache (Django's test client in a process of its own on the same database;
BEGIN and COMMIT count, as in tests/guarantees/test_api_cost.py) and the ratio
to `empty`. Targets (bench/targets.py): badge and verify_json >= 0.9 with 0
queries, guarantee_api >= 0.5 with at most 3 statements, 0 errors anywhere.
The API rate limit is raised for the run (still checked on every request, it
just never says no); the email tasks go to a queue no worker reads, emptied at
the end. `--json` prints {"seconds": S, "targets": {"<target>": {"rps",
"p50_ms", "p99_ms", "errors", "queries", "ratio"}}}.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Python puts a script's folder first on sys.path, where bench/http.py would hide the
# standard library's `http`: the project root takes the folder's place.
if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import json
from datetime import date, timedelta
from functools import partial
from typing import Any

from bench.common import (
    arguments,
    bench_env,
    count_queries,
    free_port,
    give_key,
    prepare,
    purge_tasks,
    seed,
    start_server,
    stop_server,
)
from bench.load import REFERENCE, Endpoint, Run, generator, load, median_runs, python_run
from bench.targets import http_goals, number

TARGETS = ("empty", "badge", "verify_json", "verify_page", "guarantee_api")


def registration_body() -> str:
    """A registration with the order reference left as the per-request `%s`."""
    body = json.dumps(
        {
            "order_reference": "ORDER",
            "amount": "59.90",
            "currency": "EUR",
            "buyer_email": "bench-buyer@example.com",
            "purchase_date": (date.today() - timedelta(days=1)).isoformat(),
        },
        separators=(",", ":"),
    )
    return body.replace("ORDER", REFERENCE)


def endpoints(public_id: str, number: str, secret: str) -> dict[str, Endpoint]:
    register = Endpoint(
        "/api/v1/guarantees",
        method="POST",
        body=registration_body(),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {secret}",
            "Idempotency-Key": REFERENCE,
        },
    )
    return {
        "empty": Endpoint("/bench/empty"),
        "badge": Endpoint(f"/badge/{public_id}.svg"),
        "verify_json": Endpoint(f"/api/v1/marks/{number}"),
        "verify_page": Endpoint(f"/verify/{number}/"),
        "guarantee_api": register,
    }


def figures(runs: dict[str, Run], queries: dict[str, Any]) -> dict[str, dict[str, float]]:
    baseline = runs["empty"].rps
    return {
        name: {
            "rps": round(run.rps, 1),
            "p50_ms": round(run.p50_ms, 2),
            "p99_ms": round(run.p99_ms, 2),
            "errors": run.errors,
            "queries": round(queries[name]["statements"], 2),
            "ratio": round(run.rps / baseline, 3) if baseline else 0.0,
        }
        for name, run in runs.items()
    }


def print_table(result: dict[str, Any], heading: str, queries: dict[str, Any]) -> None:
    print(heading)
    print(
        f"{'target':<15}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'queries':>9}"
        f"{'ratio':>8}  targets"
    )
    for name, row in result["targets"].items():
        goals = "; ".join(
            f"{figure} {goal.bound()}: {goal.verdict(row[figure])}"
            for goal, figure in http_goals(name)
        )
        print(
            f"{name:<15}{row['rps']:>9.1f}{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}"
            f"{row['errors']:>8}{number(row['queries']):>9}{row['ratio']:>8.3f}  {goals}"
        )
    print("SQL of one request on a warm cache:")
    for name in TARGETS:
        for sql in queries[name]["sql"]:
            print(f"  {name:<15}{sql}")


def main() -> None:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=3000)
    args = parser.parse_args()

    env = bench_env(RATE_LIMIT_API="1000000000/60")
    prepare(env, static=True)
    public_id, mark_number = seed(env, args.shops)
    targets = endpoints(public_id, mark_number, give_key(env, public_id))
    queries = count_queries(env, targets)
    port = free_port()
    server = start_server(env, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        for endpoint in targets.values():  # warm every worker's caches and connections
            python_run(base, endpoint, 1, 4)
        runs = median_runs(
            {
                name: partial(load, base, endpoint, args.seconds, args.connections)
                for name, endpoint in targets.items()
            },
            args.rounds,
        )
    finally:
        stop_server(server)
        purge_tasks(env)
    result = {"seconds": args.seconds, "targets": figures(runs, queries)}
    if args.json:
        print(json.dumps(result))
        return
    print_table(
        result,
        f"HTTP benchmark: {generator()}, {args.workers} gunicorn workers, "
        f"{args.connections} connections, {args.shops} shops, "
        f"median of {args.rounds} rounds of {args.seconds} s per target",
        queries,
    )


if __name__ == "__main__":
    main()

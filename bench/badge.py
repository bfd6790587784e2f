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

import json
import shutil
import sys
import urllib.request
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    arguments,
    bench_env,
    free_port,
    median_rps,
    prepare,
    python_rps,
    seed,
    start_server,
    stop_server,
    wrk_rps,
)


def main() -> None:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=3000)
    args = parser.parse_args()

    env = bench_env()
    prepare(env)
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
        results = median_rps(
            {
                name: partial(measure, url, args.seconds, args.connections)
                for name, url in targets.items()
            },
            args.rounds,
        )
    finally:
        stop_server(server)
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

"""How cheap is registering a guarantee through the shop API? Next to an empty Django view.

Starts Trustmark under gunicorn with production settings (see bench/common.py),
gives one certified shop an API key, and loads `POST /api/v1/guarantees` with
a distinct order (and Idempotency-Key) in every request, with wrk and a Lua
script on loopback (or a Python load generator when wrk is missing):

    python bench/guarantee_api.py [--seconds 5] [--json]

Prints requests per second of the registration and of the empty view measured
in the same run, their ratio, and the SQL statements one registration executes
on a warm cache (counted by Django in a separate process on the same database;
BEGIN and COMMIT are not statements Django logs). Target: ratio >= 0.5 and at
most 5 statements per registration. The API rate limit is raised for the run:
it is still checked on every request, it just never says no.
"""

from __future__ import annotations

import json
import secrets
import shutil
import sys
import tempfile
from datetime import date, timedelta
from functools import partial
from itertools import count
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    Request,
    arguments,
    bench_env,
    free_port,
    median_rps,
    prepare,
    purge_tasks,
    python_rps,
    seed,
    shell,
    start_server,
    stop_server,
    wrk_rps,
)

PATH = "/api/v1/guarantees"
TARGET_RATIO = 0.5
TARGET_STATEMENTS = 5

KEY = """
import hashlib
from certification.models import Shop
from guarantees.models import ApiKey
shop = Shop.objects.get(public_id="PUBLIC_ID")
ApiKey.objects.create(shop=shop, name="bench", prefix="PREFIX",
                      key_hash=hashlib.sha256(b"SECRET").hexdigest())
"""

COUNT = """
import json
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client(HTTP_HOST="127.0.0.1")
def post(reference):
    response = client.post("PATH", BODY % reference, content_type="application/json",
                           headers={"authorization": "Bearer SECRET", "idempotency-key": reference})
    assert response.status_code == 201, response.content
post("NONCE-warm")
with CaptureQueriesContext(connection) as queries:
    for i in range(RUNS):
        post(f"NONCE-{i}")
print(json.dumps({"statements": len(queries) / RUNS,
                  "sql": [q["sql"].split("; ")[-1][:60] for q in queries[: len(queries) // RUNS]]}))
"""

# One request per call, each with its own order; wrk passes a fresh nonce as the first argument.
LUA = """
local n = 0
local nonce = "x"
function init(args) nonce = args[1] or nonce end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer SECRET"
function request()
  n = n + 1
  local reference = nonce .. "-" .. n
  wrk.headers["Idempotency-Key"] = reference
  return wrk.format(nil, nil, nil, string.format('BODY', reference))
end
"""


def body_template() -> str:
    """The request body with `%s` for the order reference."""
    return json.dumps(
        {
            "order_reference": "%s",
            "amount": "59.90",
            "currency": "EUR",
            "buyer_email": "bench-buyer@example.com",
            "purchase_date": (date.today() - timedelta(days=1)).isoformat(),
        },
        separators=(",", ":"),
    )


def give_key(env: dict[str, str], public_id: str) -> str:
    """A new API key for the shop; its secret."""
    prefix = secrets.token_hex(6)
    secret = f"tmk_{prefix}_{secrets.token_urlsafe(32)}"
    code = KEY.replace("PUBLIC_ID", public_id).replace("PREFIX", prefix)
    shell(env, code.replace("SECRET", secret))
    return secret


def statements_per_registration(env: dict[str, str], secret: str, runs: int = 20) -> dict:
    code = (
        COUNT.replace("PATH", PATH)
        .replace("BODY", repr(body_template()))
        .replace("SECRET", secret)
        .replace("NONCE", "count-" + secrets.token_hex(6))
        .replace("RUNS", str(runs))
    )
    return json.loads(shell(env, code).splitlines()[-1])


def python_request(secret: str) -> Request:
    reference = f"py-{secrets.token_hex(6)}-{next(_numbers)}"
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {secret}",
        "Idempotency-Key": reference,
    }
    return "POST", PATH, (body_template() % reference).encode(), headers


_numbers = count()


def main() -> None:
    args = arguments(__doc__.splitlines()[0]).parse_args()

    env = bench_env(RATE_LIMIT_API="1000000000/60")
    prepare(env)
    public_id, _number = seed(env, 1)
    secret = give_key(env, public_id)
    counted = statements_per_registration(env, secret)
    port = free_port()
    server = start_server(env, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "register.lua"
        lua = LUA.replace("SECRET", secret).replace("BODY", body_template())
        script.write_text(lua)
        if shutil.which("wrk"):
            generator = "wrk"
            empty = partial(wrk_rps, f"{base}/bench/empty", args.seconds, args.connections)
            register = partial(wrk_rps, base + PATH, args.seconds, args.connections, script)
        else:
            generator = "python"
            empty = partial(python_rps, f"{base}/bench/empty", args.seconds, args.connections)
            register = partial(
                python_rps,
                base + PATH,
                args.seconds,
                args.connections,
                partial(python_request, secret),
            )
        try:
            # Warm the caches and the workers.
            python_rps(f"{base}/bench/empty", 1, 4)
            python_rps(base + PATH, 1, 4, partial(python_request, secret))
            results = median_rps(
                {"empty view (baseline)": empty, "POST /api/v1/guarantees": register},
                args.rounds,
            )
        finally:
            stop_server(server)
            purge_tasks(env)
    baseline = results["empty view (baseline)"]
    rows = [
        {"target": name, "rps": round(rps, 1), "ratio": round(rps / baseline, 3)}
        for name, rps in results.items()
    ]
    ratio = rows[-1]["ratio"]
    summary = {
        "benchmark": "guarantee_api",
        "load_generator": generator,
        "gunicorn_workers": args.workers,
        "connections": args.connections,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "results": rows,
        "ratio": ratio,
        "statements_per_registration": counted["statements"],
        "statements": counted["sql"],
        "target_ratio": TARGET_RATIO,
        "target_statements": TARGET_STATEMENTS,
        "met": ratio >= TARGET_RATIO and counted["statements"] <= TARGET_STATEMENTS,
    }
    if args.json:
        print(json.dumps(summary))
        return
    print(
        f"guarantee API benchmark: {generator}, {args.workers} gunicorn workers, "
        f"{args.connections} connections, median of {args.rounds} rounds of {args.seconds}s, "
        "a distinct order in every request"
    )
    print(f"{'target':<26}{'req/s':>12}{'ratio':>9}")
    for row in rows:
        print(f"{row['target']:<26}{row['rps']:>12.1f}{row['ratio']:>9.3f}")
    print(f"SQL statements per registration (warm cache): {counted['statements']:g}")
    for sql in counted["sql"]:
        print(f"    {sql}")
    print(
        f"target: ratio >= {TARGET_RATIO} and <= {TARGET_STATEMENTS} statements ->",
        "met" if summary["met"] else "NOT met",
    )


if __name__ == "__main__":
    main()

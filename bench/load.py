"""Load generators for the HTTP benchmarks: wrk, else Python threads, with the same figures.

Both report requests per second, the 50th and 99th latency percentiles and the
failed requests (answers other than 2xx, connections that failed) of one
endpoint; `median_runs` interleaves several endpoints over rounds.
"""

from __future__ import annotations

import itertools
import re
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.client import HTTPConnection, HTTPException
from pathlib import Path

# Where a request names a reference, every request gets a fresh one (a distinct order).
REFERENCE = "%s"


# --- What is requested -------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """One request to load, the same for wrk, the Python generator and the query count.

    `%s` in the body or a header value becomes a fresh reference in every request.
    """

    path: str
    method: str = "GET"
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def request(self, reference: str) -> tuple[str, str, bytes | None, dict[str, str]]:
        body = self.body.replace(REFERENCE, reference).encode() if self.body is not None else None
        headers = {
            name: value.replace(REFERENCE, reference) for name, value in self.headers.items()
        }
        return self.method, self.path, body, headers

    def lua(self) -> str:
        """A wrk script that builds every request, with a reference of its own."""
        headers = "\n".join(
            f"  headers[{_lua(key)}] = {_lua_format(value)}" for key, value in self.headers.items()
        )
        body = _lua_format(self.body) if self.body is not None else "nil"
        return f"""
local n = 0
local nonce = "x"
function init(args) nonce = args[1] or nonce end
function request()
  n = n + 1
  local reference = nonce .. "-" .. n
  local headers = {{}}
{headers}
  return wrk.format({_lua(self.method)}, {_lua(self.path)}, headers, {body})
end
"""


def _lua(text: str) -> str:
    """A Lua string literal."""
    assert text.isascii(), text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _lua_format(template: str) -> str:
    """Lua that puts the request's reference where `template` says `%s` (other `%` stay)."""
    literal = _lua(template.replace("%", "%%").replace("%%s", "%s"))
    return f"string.format({literal}, reference)" if REFERENCE in template else _lua(template)


# --- Load generators ---------------------------------------------------------------


@dataclass
class Run:
    """What one load generator run saw on one endpoint."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # answers other than 2xx, and connections that failed

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def generator() -> str:
    """The load generator this machine has: wrk, else Python threads."""
    return "wrk" if shutil.which("wrk") else "python"


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text).groups()
    return float(number) * _UNITS_MS[unit]


def parse_wrk(out: str) -> Run:
    """The figures of wrk's report (run with --latency)."""
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m|h)", out)
    if done is None:
        raise ValueError(f"not a wrk report:\n{out}")
    # A one-letter unit is followed by a space ("1.22s "), to line up with "ms" and "us".
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+(?:us|ms|s|m|h)) ?$", out, re.M))
    if len(percentiles) != 2:
        raise ValueError(f"no latency distribution (wrk --latency) in:\n{out}")
    socket = re.search(r"Socket errors:(.*)$", out, re.M)
    errors = sum(int(n) for n in re.findall(r"\d+", socket.group(1))) if socket else 0
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(non_2xx.group(1)) if non_2xx else 0
    return Run(
        requests=int(done.group(1)),
        seconds=_ms(done.group(2) + done.group(3)) / 1000,
        p50_ms=_ms(percentiles["50"]),
        p99_ms=_ms(percentiles["99"]),
        errors=errors,
    )


def wrk_run(base: str, endpoint: Endpoint, seconds: float, connections: int) -> Run:
    """Load one endpoint with wrk (one thread, so references stay distinct)."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "--latency"]
    with tempfile.TemporaryDirectory() as tmp:
        if endpoint.method != "GET" or endpoint.body is not None or endpoint.headers:
            script = Path(tmp) / "request.lua"
            script.write_text(endpoint.lua())
            command += ["-s", str(script), base + endpoint.path, "--", secrets.token_hex(6)]
        else:
            command.append(base + endpoint.path)
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return parse_wrk(out)


def percentile(samples: list[float], share: float) -> float:
    """The sample below which `share` of them lie (nearest rank)."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def python_run(base: str, endpoint: Endpoint, seconds: float, connections: int) -> Run:
    """Load one endpoint from threads on keep-alive connections (when wrk is missing)."""
    host, port = base.split("//", 1)[1].split(":", 1)
    nonce = secrets.token_hex(6)
    numbers = itertools.count()
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    start = time.monotonic()
    stop = start + seconds

    def worker(index: int) -> None:
        conn = HTTPConnection(host, int(port), timeout=5)
        while time.monotonic() < stop:
            method, path, body, headers = endpoint.request(f"py-{nonce}-{next(numbers)}")
            sent = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, HTTPException):
                errors[index] += 1
                conn.close()
                continue
            latencies[index].append((time.perf_counter() - sent) * 1000)
            if not 200 <= response.status < 300:
                errors[index] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    samples = [ms for per_thread in latencies for ms in per_thread]
    return Run(
        requests=len(samples),
        seconds=time.monotonic() - start,
        p50_ms=percentile(samples, 0.50),
        p99_ms=percentile(samples, 0.99),
        errors=sum(errors),
    )


def load(base: str, endpoint: Endpoint, seconds: float, connections: int) -> Run:
    """Load the endpoint with the generator this machine has."""
    run = wrk_run if generator() == "wrk" else python_run
    return run(base, endpoint, seconds, connections)


def median_runs(targets: dict[str, Callable[[], Run]], rounds: int) -> dict[str, Run]:
    """Interleave the targets over `rounds` so that drift on a shared machine hits every
    target alike; keep each one's round of median throughput, with the errors of all rounds."""
    samples: dict[str, list[Run]] = {name: [] for name in targets}
    for _round in range(rounds):
        for name, measure in targets.items():
            samples[name].append(measure())
    chosen = {}
    for name, runs in samples.items():
        middle = sorted(runs, key=lambda run: run.rps)[len(runs) // 2]
        chosen[name] = Run(
            requests=middle.requests,
            seconds=middle.seconds,
            p50_ms=middle.p50_ms,
            p99_ms=middle.p99_ms,
            errors=sum(run.errors for run in runs),
        )
    return chosen

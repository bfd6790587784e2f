"""bench/load.py reads wrk's report: throughput, latency percentiles, every failed request.

The reports below are wrk 4.1.0's own output (Debian's package), captured from runs
against local servers: one that answered 404s, one that answered 503s and cut
connections, one that took 1.2 s per answer.
"""

from __future__ import annotations

import pytest

from bench.load import Endpoint, parse_wrk, percentile

NOT_FOUND = """Running 1s test @ http://127.0.0.1:18931/missing
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    10.64ms   11.37ms  89.62ms   93.74%
    Req/Sec   650.70    235.99     0.98k    80.00%
  Latency Distribution
     50%    7.58ms
     75%   11.97ms
     90%   17.44ms
     99%   75.29ms
  649 requests in 1.00s, 329.75KB read
  Non-2xx or 3xx responses: 649
Requests/sec:    647.83
Transfer/sec:    329.16KB
"""

FLAKY = """Running 1s test @ http://127.0.0.1:18932/
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   627.42us  786.83us   6.34ms   88.39%
    Req/Sec     3.14k     1.23k    4.92k    70.00%
  Latency Distribution
     50%  376.00us
     75%  478.00us
     90%    1.66ms
     99%    4.11ms
  3134 requests in 1.01s, 180.57KB read
  Socket errors: connect 0, read 1567, write 0, timeout 0
  Non-2xx or 3xx responses: 1567
Requests/sec:   3090.84
Transfer/sec:    178.09KB
"""

# Latencies of a second and more: wrk pads the one-letter unit with a space.
SLOW = (
    "Running 3s test @ http://127.0.0.1:18934/\n"
    "  1 threads and 4 connections\n"
    "  Thread Stats   Avg      Stdev     Max   +/- Stdev\n"
    "    Latency     1.21s    16.00ms   1.24s    75.00%\n"
    "    Req/Sec     3.00      0.00     3.00    100.00%\n"
    "  Latency Distribution\n"
    "     50%    1.22s \n"
    "     75%    1.24s \n"
    "     90%    1.24s \n"
    "     99%    1.24s \n"
    "  8 requests in 3.00s, 320.00B read\n"
    "Requests/sec:      2.66\n"
    "Transfer/sec:     106.51B\n"
)


def test_a_wrk_report_gives_throughput_percentiles_and_non_2xx_answers():
    run = parse_wrk(NOT_FOUND)
    assert (run.requests, run.seconds) == (649, 1.0)
    assert run.rps == pytest.approx(649)
    assert (run.p50_ms, run.p99_ms) == (7.58, 75.29)
    assert run.errors == 649


def test_socket_errors_count_and_microseconds_become_milliseconds():
    run = parse_wrk(FLAKY)
    assert run.p50_ms == pytest.approx(0.376)
    assert run.p99_ms == pytest.approx(4.11)
    assert run.errors == 1567 + 1567
    assert run.rps == pytest.approx(3134 / 1.01)


def test_latencies_in_seconds_are_read_too():
    run = parse_wrk(SLOW)
    assert (run.p50_ms, run.p99_ms) == (1220.0, 1240.0)
    assert (run.requests, run.errors) == (8, 0)


def test_a_report_without_the_latency_distribution_is_refused():
    without = "\n".join(line for line in SLOW.splitlines() if "%  " not in line)
    with pytest.raises(ValueError, match="no latency distribution"):
        parse_wrk(without)


def test_what_is_not_a_wrk_report_is_refused():
    with pytest.raises(ValueError, match="not a wrk report"):
        parse_wrk("unable to connect to 127.0.0.1:18932 Connection refused")


def test_percentiles_of_the_python_generator_are_nearest_rank():
    samples = [float(ms) for ms in range(1, 101)]
    assert (percentile(samples, 0.5), percentile(samples, 0.99)) == (50.0, 99.0)
    assert percentile([], 0.99) == 0.0


def test_every_request_gets_its_own_reference_in_body_and_headers():
    endpoint = Endpoint(
        "/api/v1/guarantees",
        method="POST",
        body='{"order_reference":"%s","amount":"10%"}',
        headers={"Idempotency-Key": "%s", "Authorization": "Bearer k"},
    )
    method, path, body, headers = endpoint.request("r-1")
    assert (method, path) == ("POST", "/api/v1/guarantees")
    assert body == b'{"order_reference":"r-1","amount":"10%"}'
    assert headers == {"Idempotency-Key": "r-1", "Authorization": "Bearer k"}
    lua = endpoint.lua()
    # Lua's string.format: the reference's %s stays, any other % is doubled
    assert 'string.format("{\\"order_reference\\":\\"%s\\",\\"amount\\":\\"10%%\\"}"' in lua
    assert 'headers["Authorization"] = "Bearer k"' in lua

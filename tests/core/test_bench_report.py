"""bench/report.py writes RESULTS.md: each figure beside its target, met or missed by how much.

Rendering only, from a sample of what the benchmarks print with --json; no timing here.
"""

from __future__ import annotations

import copy
import json

from bench.report import merged, render

HTTP = {
    "seconds": 2,
    "targets": {
        "empty": {"rps": 1000.0, "p50_ms": 20, "p99_ms": 60, "errors": 0, "queries": 0, "ratio": 1},
        "badge": {
            "rps": 950.0,
            "p50_ms": 21,
            "p99_ms": 61,
            "errors": 0,
            "queries": 0,
            "ratio": 0.95,
        },
        "verify_json": {
            "rps": 800.0,
            "p50_ms": 25,
            "p99_ms": 70,
            "errors": 0,
            "queries": 1,
            "ratio": 0.8,
        },
        "verify_page": {
            "rps": 300.0,
            "p50_ms": 90,
            "p99_ms": 200,
            "errors": 4,
            "queries": 0,
            "ratio": 0.3,
        },
        "guarantee_api": {
            "rps": 500.0,
            "p50_ms": 40,
            "p99_ms": 90,
            "errors": 0,
            "queries": 3,
            "ratio": 0.5,
        },
    },
}

SAMPLE = {
    "date": "2026-05-01 12:00 UTC",
    "quick": False,
    "elapsed_s": 321.0,
    "load_before": [0.12, 0.3, 0.25],
    "load_after": [0.4, 0.35, 0.3],
    "machine": {
        "cpu": "Test CPU",
        "cores": 8,
        "memory_gib": 31.2,
        "postgresql": "16.4",
        "python": "3.11.7",
        "system": "Linux",
        "load_generator": "wrk 4.1.0",
        "commit": "abc1234",
    },
    "benchmarks": {
        "http": {
            "command": "python bench/http.py --json",
            "elapsed_s": 95.0,
            "load_before": [0.1, 0.2, 0.2],
            "result": HTTP,
        },
        "freshness": {
            "command": "python bench/freshness.py --json",
            "elapsed_s": 30.0,
            "load_before": [0.3, 0.2, 0.2],
            "result": {
                "first_suspended_ms": 12.5,
                "last_unsuspended_ms": 1400.0,
                "unsuspended_after_1s": 2,
                "errors": 0,
            },
        },
        "queues": {
            "command": "python bench/queues.py --json",
            "elapsed_s": 10.0,
            "load_before": [0.3, 0.2, 0.2],
            "result": {
                "guarantees": 1000000,
                "queues": {
                    "staff_claims": {"sql_ms_first": 4.2, "sql_ms_deep": 75.0},
                    "member_guarantees": {"sql_ms_first": 3.0, "sql_ms_deep": 3.1},
                },
            },
        },
        "pdf": {
            "command": "python bench/pdf.py --json",
            "elapsed_s": 3.0,
            "load_before": [0.3, 0.2, 0.2],
            "error": "exit status 1: Traceback ... CriteriaSet.DoesNotExist",
        },
    },
}


def verdicts(markdown: str) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(benchmark, figure) -> (measured, target, verdict) from the targets table."""
    section = markdown.split("## Targets", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0] not in {"benchmark", "---"}:
            rows[(cells[0], cells[1])] = (cells[2], cells[3], cells[4])
    return rows


def test_each_figure_is_met_or_missed_by_how_much():
    rows = verdicts(render(SAMPLE))
    assert rows[("http", "badge: ratio to the empty view")] == ("0.95", ">= 0.9", "met")
    assert rows[("http", "badge: SQL queries per request")] == ("0", "0", "met")
    assert rows[("http", "verify_json: ratio to the empty view")] == (
        "0.8",
        ">= 0.9",
        "missed by 0.1 (11%)",
    )
    assert rows[("http", "verify_json: SQL queries per request")] == ("1", "0", "missed by 1")
    # exactly on the bound is met
    assert rows[("http", "guarantee_api: ratio to the empty view")][2] == "met"
    assert rows[("http", "guarantee_api: SQL statements per request")] == ("3", "<= 3", "met")
    assert rows[("http", "verify_page: errors")] == ("4", "0", "missed by 4")
    assert rows[("http", "empty: errors")][2] == "met"
    assert rows[
        ("freshness", "badge responses still valid > 1 s after the suspension's commit")
    ] == (
        "2",
        "0",
        "missed by 2",
    )


def test_a_target_over_every_queue_is_checked_for_each_queue():
    rows = verdicts(render(SAMPLE))
    assert rows[("queues", "staff_claims: SQL ms, first page")][2] == "met"
    assert rows[("queues", "staff_claims: SQL ms, deep page")] == (
        "75",
        "<= 50",
        "missed by 25 (50%)",
    )
    assert rows[("queues", "member_guarantees: SQL ms, deep page")][2] == "met"


def test_a_full_export_is_not_held_to_the_page_target():
    doc = copy.deepcopy(SAMPLE)
    queues = doc["benchmarks"]["queues"]["result"]["queues"]
    queues["guarantee_csv"] = {"sql_ms_first": 1.0, "sql_ms_deep": 308.0, "paged": False}
    rows = verdicts(render(doc))
    assert not [key for key in rows if key[1].startswith("guarantee_csv")]
    assert rows[("queues", "member_guarantees: SQL ms, deep page")][2] == "met"


def test_a_failed_benchmark_shows_its_output_and_its_targets_as_not_measured():
    markdown = render(SAMPLE)
    rows = verdicts(markdown)
    assert rows[("pdf", "verification document: CPU time ratio to bare text")] == (
        "—",
        "<= 1.5",
        "not measured",
    )
    pdf = markdown.split("## pdf", 1)[1]
    assert "**Failed.**" in pdf
    assert "CriteriaSet.DoesNotExist" in pdf


def test_a_missing_figure_is_not_measured_rather_than_met():
    sample = copy.deepcopy(SAMPLE)
    del sample["benchmarks"]["http"]["result"]["targets"]["badge"]["queries"]
    rows = verdicts(render(sample))
    assert rows[("http", "badge: SQL queries per request")][2] == "not measured"


def test_the_header_states_machine_date_and_load_average():
    markdown = render(SAMPLE)
    header = markdown.split("## Targets", 1)[0]
    assert "2026-05-01 12:00 UTC" in header
    assert "abc1234" in header
    assert "0.12 / 0.30 / 0.25" in header  # before the run
    assert "0.40 / 0.35 / 0.30" in header  # after it
    assert "| PostgreSQL | 16.4 |" in header
    assert "| cores | 8 |" in header
    assert "| Python | 3.11.7 |" in header
    assert "busy" not in header
    assert "--quick" not in header


def test_a_short_run_on_a_busy_machine_says_so():
    sample = copy.deepcopy(SAMPLE)
    sample["quick"] = True
    sample["load_before"] = [5.5, 4.0, 3.0]
    sample["machine"]["cores"] = 2
    header = render(sample).split("## Targets", 1)[0]
    assert "**This machine was busy with other work during the run** (a load of 5.50" in header
    assert "**Short run (`--quick`)**" in header


def test_each_benchmark_has_its_figures_as_a_table():
    http = render(SAMPLE).split("## http", 1)[1].split("\n## ", 1)[0]
    assert "| targets | rps | p50_ms | p99_ms | errors | queries | ratio |" in http
    assert "| verify_page | 300 | 90 | 200 | 4 | 0 | 0.3 |" in http


def test_a_rerun_of_some_benchmarks_keeps_the_others_with_their_date(tmp_path):
    kept = tmp_path / "results.json"
    kept.write_text(json.dumps(SAMPLE))
    rerun = copy.deepcopy(SAMPLE)
    rerun["date"], rerun["machine"]["commit"] = "2026-06-01 08:00 UTC", "def5678"
    rerun["benchmarks"] = {"freshness": {**SAMPLE["benchmarks"]["freshness"], "elapsed_s": 9.0}}

    doc = merged(rerun, kept)

    assert set(doc["benchmarks"]) == set(SAMPLE["benchmarks"])
    assert doc["benchmarks"]["freshness"]["elapsed_s"] == 9.0
    markdown = render(doc)
    http = markdown.split("## http", 1)[1].split("\n## ", 1)[0]
    assert "Run on 2026-05-01 12:00 UTC at commit abc1234." in http
    assert "were run again on their own" in markdown


def test_a_rerun_does_not_mix_a_quick_run_with_a_full_one(tmp_path):
    kept = tmp_path / "results.json"
    kept.write_text(json.dumps({**SAMPLE, "quick": True}))
    rerun = {**copy.deepcopy(SAMPLE), "benchmarks": {}}

    assert merged(rerun, kept)["benchmarks"] == {}

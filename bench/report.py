"""Run every benchmark and write bench/RESULTS.md: machine, date, each figure and its target.

    python bench/report.py [--quick] [--only NAME ...] [--guarantees N]
                           [--output bench/RESULTS.md] [--render FILE]

`make bench` calls it; BENCH_ARGS passes options (`make bench BENCH_ARGS=--quick`).
Every script in bench/ runs with `--json`, the known ones in the order
seed, queues, http, freshness, pdf, scaleout, then any other. What each printed is kept
in bench/out/results.json and written into RESULTS.md with the machine (CPU,
cores, memory, the PostgreSQL version the server reports, Python), the date,
the load average before and after the run (on a shared machine the figures
are only as good as that), and every target of bench/targets.py as met or
missed by how much. `--only NAME ...` runs some of them and keeps the others'
figures from the kept results.json (each benchmark's section says the date and
commit it ran at). `--render FILE` writes RESULTS.md from a kept
results.json without running anything. `--quick` makes every run short
(100,000 guarantees, 2 s per HTTP target in one round, 3 PDF renders and 100 for
the worker's memory, 200 notifications in the scale-out burst): enough to
see that everything runs, not figures to trust.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Python puts a script's folder first on sys.path, where bench/http.py would hide the
# standard library's `http`: the project root takes the folder's place.
if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import json
import os
import platform
import subprocess
import time
from datetime import UTC, datetime
from typing import Any

from bench.common import ROOT, bench_env, ensure_database, prepare
from bench.targets import GOALS, number

BENCH = ROOT / "bench"
RESULTS = BENCH / "RESULTS.md"
ANALYSIS = BENCH / "ANALYSIS.md"  # included in RESULTS.md after the targets table
KEPT = BENCH / "out" / "results.json"
LIBRARIES = {"__init__", "common", "load", "targets", "report"}
QUICK_GUARANTEES = 100_000
# name: (arguments of a full run, of a quick run)
KNOWN: dict[str, tuple[list[str], list[str]]] = {
    "seed": ([], []),
    "queues": ([], []),
    "http": ([], ["--seconds", "2", "--rounds", "1"]),
    "freshness": ([], ["--watch", "2"]),
    "pdf": ([], ["--runs", "3", "--memory-renders", "100"]),
    "scaleout": ([], ["--quick"]),
}


def benchmarks() -> list[str]:
    """The scripts in bench/, the known ones first, in their order."""
    scripts = {
        path.stem
        for path in BENCH.glob("*.py")
        if path.stem not in LIBRARIES and "__main__" in path.read_text()
    }
    return [name for name in KNOWN if name in scripts] + sorted(scripts - set(KNOWN))


def takes(name: str, option: str) -> bool:
    """Whether a benchmark's --help names the option (queues.py may or may not)."""
    help_text = subprocess.run(
        [sys.executable, "-P", str(BENCH / f"{name}.py"), "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    return option in help_text


def arguments_for(name: str, quick: bool, guarantees: int | None) -> list[str]:
    """The benchmark's options for this run; the database's size goes to those that take it."""
    full, short = KNOWN.get(name, ([], []))
    chosen = list(short if quick else full)
    size = guarantees or (QUICK_GUARANTEES if quick else None)
    if size and name in {"seed", "queues"} and takes(name, "--guarantees"):
        chosen += ["--guarantees", str(size)]
    return chosen


def run(name: str, args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """One benchmark with --json: what it printed, or why it failed."""
    # -P: the script's folder is not put on sys.path (see the top of this file).
    command = [sys.executable, "-P", str(BENCH / f"{name}.py"), "--json", *args]
    print(f"== {name}: {' '.join(command[2:])}", file=sys.stderr, flush=True)
    entry: dict[str, Any] = {
        "command": " ".join(["python", f"bench/{name}.py", "--json", *args]),
        "date": now(),
        "commit": commit(),
        "load_before": list(os.getloadavg()),
    }
    start = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    entry["elapsed_s"] = round(time.monotonic() - start, 1)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    try:
        if done.returncode != 0:
            raise ValueError(f"exit status {done.returncode}")
        entry["result"] = json.loads(lines[-1])
    except (ValueError, IndexError) as exc:
        entry["error"] = f"{exc}: " + "\n".join(lines[-20:])
    return entry


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "postgresql": postgres_version(),
        "python": platform.python_version(),
        "system": platform.platform(),
        "load_generator": load_generator(),
        "commit": commit(),
    }


def postgres_version() -> str:
    """What the benchmarks' PostgreSQL server says it is."""
    import psycopg

    url = bench_env()["DATABASE_URL"]
    try:
        ensure_database(url)
        with psycopg.connect(url) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error as exc:
        return f"unknown ({exc.__class__.__name__})"


def load_generator() -> str:
    try:
        done = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    except FileNotFoundError:
        return "Python threads (wrk not installed)"
    words = (done.stdout or done.stderr).split()
    return " ".join(words[:2]) if words else "wrk"


def commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except FileNotFoundError:
        return "unknown"
    return f"{head} (with uncommitted changes)" if dirty else head or "unknown"


# --- RESULTS.md --------------------------------------------------------------------


def loads(values: list[float]) -> str:
    return " / ".join(f"{value:.2f}" for value in values)


def cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return number(value)
    if isinstance(value, list):
        return ", ".join(cell(item) for item in value)
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return lines


def targets_table(doc: dict[str, Any]) -> list[str]:
    rows = []
    for goal in GOALS:
        entry = doc["benchmarks"].get(goal.benchmark)
        if entry is None:
            continue
        for label, value in goal.figures(entry.get("result", {})):
            rows.append([goal.benchmark, label, value, goal.bound(), goal.verdict(value)])
    return table(["benchmark", "figure", "measured", "target", "verdict"], rows)


def details(result: dict[str, Any]) -> list[str]:
    """A benchmark's JSON as Markdown: its plain figures, then each table it holds."""
    lines = []
    for key, value in result.items():
        if not isinstance(value, dict):
            lines.append(f"- {key}: {cell(value)}")
    for key, value in result.items():
        if not isinstance(value, dict) or not value:
            continue
        lines.append("")
        if all(isinstance(row, dict) for row in value.values()):
            columns = list(dict.fromkeys(c for row in value.values() for c in row))
            lines += table(
                [key, *columns],
                [[name, *(row.get(c) for c in columns)] for name, row in value.items()],
            )
        else:
            lines += [f"{key}:", ""] + [f"- {name}: {cell(item)}" for name, item in value.items()]
    return lines


def render(doc: dict[str, Any]) -> str:
    """RESULTS.md from what `collect` gathered."""
    m = doc["machine"]
    cores = m["cores"] or 1
    busiest = max(doc["load_before"][0], doc["load_after"][0])
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` (bench/report.py) on {doc['date']} at commit {m['commit']}, "
        f"in {number(doc['elapsed_s'])} s. Rerun `make bench` to refresh; the figures are ratios "
        "to a baseline of the same run wherever the target is a ratio.",
        "",
        f"**Load average at the start {loads(doc['load_before'])}, at the end "
        f"{loads(doc['load_after'])}** (1, 5 and 15 minutes) on {cores} cores.",
    ]
    if busiest >= cores * 0.5:
        lines += [
            "",
            f"**This machine was busy with other work during the run** (a load of "
            f"{busiest:.2f} on {cores} cores): absolute figures are low and noisy, and even "
            "the ratios move with whatever else ran while each target had its turn.",
        ]
    if doc.get("merged"):
        lines += [
            "",
            "Some benchmarks were run again on their own (`--only`): the sections of the "
            "others keep the figures of the earlier run, with the date and commit each ran at.",
        ]
    if doc.get("quick"):
        lines += [
            "",
            "**Short run (`--quick`)**: brief runs and a small database, to show that every "
            "benchmark runs; not figures to plan by.",
        ]
    lines += ["", "## Machine", ""]
    lines += table(
        ["", ""],
        [
            ["CPU", m["cpu"]],
            ["cores", m["cores"]],
            ["memory", f"{number(m['memory_gib'])} GiB"],
            ["PostgreSQL", m["postgresql"]],
            ["Python", m["python"]],
            ["system", m["system"]],
            ["load generator", m["load_generator"]],
        ],
    )
    lines += ["", "## Targets", "", *targets_table(doc)]
    if ANALYSIS.exists():  # written by hand: why a missed target is missed, what was tried
        lines += ["", ANALYSIS.read_text().strip()]
    for name, entry in doc["benchmarks"].items():
        lines += ["", f"## {name}", ""]
        ran = entry.get("date", doc["date"]), entry.get("commit", m["commit"])
        when = "" if ran == (doc["date"], m["commit"]) else f" Run on {ran[0]} at commit {ran[1]}."
        lines.append(
            f"`{entry['command']}`: {number(entry['elapsed_s'])} s, load average at its start "
            f"{loads(entry['load_before'])}.{when}"
        )
        lines.append("")
        if "error" in entry:
            lines += ["**Failed.** Its last output:", "", "```", entry["error"], "```"]
        else:
            lines += details(entry["result"])
    return "\n".join(lines) + "\n"


def collect(names: list[str], quick: bool, guarantees: int | None) -> dict[str, Any]:
    """Run the benchmarks, each on the benchmark database (migrated here first, so that
    bench/pdf.py, which uses DATABASE_URL as it is, finds its tables too)."""
    start = time.monotonic()
    production = bench_env()
    prepare(production)
    env = {**os.environ, "DATABASE_URL": production["DATABASE_URL"]}
    doc: dict[str, Any] = {
        "date": now(),
        "quick": quick,
        "machine": machine(),
        "load_before": list(os.getloadavg()),
        "benchmarks": {},
    }
    for name in names:
        doc["benchmarks"][name] = run(name, arguments_for(name, quick, guarantees), env)
    doc["load_after"] = list(os.getloadavg())
    doc["elapsed_s"] = round(time.monotonic() - start, 1)
    return doc


def merged(doc: dict[str, Any], kept: Path) -> dict[str, Any]:
    """This run's benchmarks over the kept run's others (a rerun of some of them), when
    the kept run was of the same kind (both quick or both full)."""
    try:
        earlier = json.loads(kept.read_text())
    except (OSError, ValueError):
        return doc
    if earlier.get("quick") != doc["quick"]:
        return doc
    stamp = {"date": earlier["date"], "commit": earlier["machine"]["commit"]}
    others = {
        name: {**stamp, **entry}
        for name, entry in earlier["benchmarks"].items()
        if name not in doc["benchmarks"]
    }
    order = [name for name in benchmarks() if name in others or name in doc["benchmarks"]]
    both = {**others, **doc["benchmarks"]}
    return {**doc, "merged": True, "benchmarks": {name: both[name] for name in order}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="+", metavar="NAME")
    parser.add_argument("--guarantees", type=int)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--render", type=Path, metavar="FILE")
    args = parser.parse_args()
    if args.render:
        doc = json.loads(args.render.read_text())
    else:
        names = [name for name in benchmarks() if not args.only or name in args.only]
        unknown = set(args.only or ()) - set(names)
        if unknown:
            parser.error(f"no such benchmark: {', '.join(sorted(unknown))}")
        doc = collect(names, args.quick, args.guarantees)
        if args.only:
            doc = merged(doc, KEPT)
        KEPT.parent.mkdir(exist_ok=True)
        KEPT.write_text(json.dumps(doc, indent=1))
    args.output.write_text(render(doc))
    print(f"wrote {args.output}", file=sys.stderr)
    failed = [name for name, entry in doc["benchmarks"].items() if "error" in entry]
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()

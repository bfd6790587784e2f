"""The figures the benchmarks must reach, in one place.

bench/http.py prints them beside its figures; bench/report.py writes them into
RESULTS.md, each met or missed by how much. A goal names the benchmark, the
path to its figure in that benchmark's `--json` object (`*` stands for every
key at that level) and the bound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Goal:
    benchmark: str
    path: tuple[str, ...]
    op: str  # ">=" or "<="
    limit: float
    label: str  # what the figure is; "{}" is the key `*` matched

    def figures(self, result: dict[str, Any]) -> list[tuple[str, Any]]:
        """(label, value) for every figure the path names in `result`; None where absent."""
        found: list[tuple[str, Any]] = []

        def walk(node: Any, rest: tuple[str, ...], matched: str) -> None:
            if not rest:
                found.append((self.label.format(matched), node))
                return
            head, *tail = rest
            if head == "*":
                for key, child in node.items() if isinstance(node, dict) else ():
                    # A full export (bench/queues.py marks it "paged": false) is a download
                    # of every row, not a page: page targets do not hold it.
                    if isinstance(child, dict) and child.get("paged") is False:
                        continue
                    walk(child, tuple(tail), key)
                return
            child = node.get(head) if isinstance(node, dict) else None
            if child is None:
                found.append((self.label.format(matched or head), None))
                return
            walk(child, tuple(tail), matched)

        walk(result, self.path, "")
        return found

    def bound(self) -> str:
        """The target as text: '>= 0.9', '<= 3', '0' for 'none at all'."""
        if self.op == "<=" and self.limit == 0:
            return "0"
        return f"{self.op} {number(self.limit)}"

    def met(self, value: float) -> bool:
        return value >= self.limit if self.op == ">=" else value <= self.limit

    def verdict(self, value: Any) -> str:
        """'met', 'missed by X (Y %)' or 'not measured'."""
        if not isinstance(value, int | float) or isinstance(value, bool):
            return "not measured"
        if self.met(value):
            return "met"
        gap = self.limit - value if self.op == ">=" else value - self.limit
        if self.limit == 0:
            return f"missed by {number(gap)}"
        return f"missed by {number(gap)} ({gap / abs(self.limit):.0%})"


def number(value: float) -> str:
    """A figure with three significant digits, never in exponent notation."""
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    digits = max(0, 2 - math.floor(math.log10(abs(value)))) if value else 0
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


HTTP = "http"
GOALS = [
    Goal(HTTP, ("targets", "badge", "ratio"), ">=", 0.9, "badge: ratio to the empty view"),
    Goal(HTTP, ("targets", "badge", "queries"), "<=", 0, "badge: SQL queries per request"),
    Goal(
        HTTP, ("targets", "verify_json", "ratio"), ">=", 0.9, "verify_json: ratio to the empty view"
    ),
    Goal(
        HTTP, ("targets", "verify_json", "queries"), "<=", 0, "verify_json: SQL queries per request"
    ),
    Goal(
        HTTP,
        ("targets", "guarantee_api", "ratio"),
        ">=",
        0.5,
        "guarantee_api: ratio to the empty view",
    ),
    Goal(
        HTTP,
        ("targets", "guarantee_api", "queries"),
        "<=",
        3,
        "guarantee_api: SQL statements per request",
    ),
    Goal(HTTP, ("targets", "*", "errors"), "<=", 0, "{}: errors"),
    Goal(
        "freshness",
        ("unsuspended_after_1s",),
        "<=",
        0,
        "badge responses still valid > 1 s after the suspension's commit",
    ),
    Goal("freshness", ("errors",), "<=", 0, "badge requests failed during the check"),
    Goal("pdf", ("ratio",), "<=", 1.5, "verification document: CPU time ratio to bare text"),
    Goal("pdf", ("remote_fetches",), "<=", 0, "verification document: remote fetches"),
    Goal(
        "pdf",
        ("rss_growth",),
        "<=",
        1.5,
        "PDF worker: resident size after the last render / after the baseline renders",
    ),
    Goal(
        "scaleout",
        ("badge", "*", "last_valid_ms"),
        "<=",
        1000,
        "{}: ms from the suspension's commit to the last valid badge",
    ),
    Goal("scaleout", ("badge", "*", "errors"), "<=", 0, "{}: badge requests failed"),
    Goal("scaleout", ("burst", "pending"), "<=", 0, "burst: emails still unsent at the end"),
    Goal("scaleout", ("burst", "failed"), "<=", 0, "burst: emails failed"),
    Goal("scaleout", ("burst", "duplicates"), "<=", 0, "burst: emails sent more than once"),
    Goal("scaleout", ("burst", "missing_emails"), "<=", 0, "burst: rows with no email file"),
    Goal(
        "scaleout",
        ("burst", "extra_attempts"),
        "<=",
        0,
        "burst: send attempts beyond one per email",
    ),
    Goal("queues", ("queues", "*", "sql_ms_first"), "<=", 50, "{}: SQL ms, first page"),
    Goal("queues", ("queues", "*", "sql_ms_deep"), "<=", 50, "{}: SQL ms, deep page"),
]


def goals_for(benchmark: str) -> list[Goal]:
    return [goal for goal in GOALS if goal.benchmark == benchmark]


def http_goals(target: str) -> list[tuple[Goal, str]]:
    """The goals on one target of bench/http.py, with the figure each is about."""
    return [
        (goal, goal.path[2])
        for goal in goals_for(HTTP)
        if goal.path[1] in (target, "*") and len(goal.path) == 3
    ]

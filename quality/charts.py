"""Twelve months of one indicator as an SVG, drawn on the server with matplotlib.

No JavaScript, no network: the figure is rendered with matplotlib's SVG backend
(text kept as text, so it reads in the person's language and scales), the yellow
and red zones as bands behind the line, and the 95% interval as a light ribbon.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import matplotlib
from django.utils import formats
from django.utils.translation import gettext as _
from matplotlib import dates as mdates
from matplotlib import ticker
from matplotlib.figure import Figure

from quality.models import QualityIndicator, Threshold

GREEN, YELLOW, RED = "#e3f1e6", "#fbf1cc", "#f7d9da"
LINE, RIBBON = "#1d4f7c", "#9fbfdc"

matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",
        "svg.hashsalt": "trustmark-quality",
        "font.family": "sans-serif",
        "font.size": 9,
    }
)


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def render_svg(
    rows: list[QualityIndicator],
    threshold: Threshold,
    *,
    title: str,
    start: date,
    end: date,
) -> bytes:
    """The SVG document of one indicator's rows between start and end."""
    fig = Figure(figsize=(6.4, 2.6), dpi=100)
    ax = fig.add_subplot()
    values = [(r.day, _num(r.value), _num(r.low), _num(r.high)) for r in rows]
    known = [v for v in values if v[1] is not None]
    ys = [v[1] for v in known] + [float(threshold.yellow), float(threshold.red)]
    ys += [v[3] for v in known if v[3] is not None] + [v[2] for v in known if v[2] is not None]
    lo, hi = min(ys), max(ys)
    pad = (hi - lo) * 0.15 or 1.0
    bottom, top = lo - pad, hi + pad
    if lo >= 0 and bottom < 0:
        bottom = 0
    yellow, red = float(threshold.yellow), float(threshold.red)
    if threshold.higher_is_worse:
        ax.axhspan(bottom, yellow, color=GREEN, zorder=0, linewidth=0)
        ax.axhspan(yellow, red, color=YELLOW, zorder=0, linewidth=0)
        ax.axhspan(red, top, color=RED, zorder=0, linewidth=0)
    else:
        ax.axhspan(yellow, top, color=GREEN, zorder=0, linewidth=0)
        ax.axhspan(red, yellow, color=YELLOW, zorder=0, linewidth=0)
        ax.axhspan(bottom, red, color=RED, zorder=0, linewidth=0)
    if known:
        days = [v[0] for v in known]
        ribbon = [(v[0], v[2], v[3]) for v in known if v[2] is not None and v[3] is not None]
        if ribbon:
            ax.fill_between(
                [r[0] for r in ribbon],
                [r[1] for r in ribbon],
                [r[2] for r in ribbon],
                color=RIBBON,
                alpha=0.45,
                linewidth=0,
                zorder=1,
            )
        ax.plot(days, [v[1] for v in known], color=LINE, linewidth=1.6, zorder=2)
    else:
        ax.text(0.5, 0.5, _("Not enough data"), transform=ax.transAxes, ha="center", color="#555")
    ax.set_xlim(start, end)
    ax.set_ylim(bottom, top)
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonthday=1, interval=2))
    ax.xaxis.set_major_formatter(
        ticker.FuncFormatter(lambda x, _pos: formats.date_format(mdates.num2date(x).date(), "M Y"))
    )
    ax.set_title(title, loc="left", fontsize=10)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#ffffff", linewidth=0.8)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out.getvalue()

"""The report's charts: sober bar charts with Chinese labels from the bundled CJK font.

Each chart function takes the indicator context (``Indicators.context()`` or the Indicators object
itself) and returns a matplotlib Figure, or None when its data is missing; the notebook API shows
the Figures, :func:`make_charts` saves them as 300 dpi PNG files with deterministic bytes. What a
chart shows is worked out in chartdata.py (a Plan, without matplotlib); this module draws it.
Greys for the previous period or term, one dark red for the current one, no chart junk.
"""

from __future__ import annotations

import io
import math
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg", force=False)
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .. import zh  # noqa: E402
from ..outputs import atomic_write  # noqa: E402
from . import chartdata, fonts  # noqa: E402
from .chartdata import HEIGHT_IN, WIDTH_IN, Plan  # noqa: E402
from .chartset import CHART_TITLES, ChartInfo  # noqa: E402,F401 - ChartInfo is part of this API

DPI = 300
CURRENT = "本期"
PREVIOUS = "上期"


@contextmanager
def _style() -> Iterator[None]:
    family = fonts.chart_font_family()
    with matplotlib.rc_context({
        "font.family": [family], "font.sans-serif": [family], "font.size": 8.5,
        "axes.unicode_minus": False, "axes.spines.top": False, "axes.spines.right": False,
        "axes.edgecolor": fonts.GREY_DARK, "axes.linewidth": 0.6, "axes.labelcolor": fonts.GREY_DARK,
        "xtick.color": fonts.GREY_DARK, "ytick.color": fonts.GREY_DARK, "xtick.major.width": 0.6,
        "ytick.major.width": 0.6, "legend.frameon": False, "svg.hashsalt": "reportgen",
        "figure.dpi": 100, "savefig.dpi": DPI,
    }):
        yield


def _figure(ncols: int = 1, height: float = HEIGHT_IN, left: float = 0.105, bottom: float = 0.17,
            top: float = 0.9, wspace: float = 0.35) -> tuple[Figure, list]:
    """A figure with fixed margins (a layout engine would double the drawing time)."""
    fig = Figure(figsize=(WIDTH_IN, height))
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    fig.subplots_adjust(left=left, right=0.98, bottom=bottom, top=top, wspace=wspace)
    return fig, list(axes)


def _bar_labels(ax, bars, values, fmt: Callable[[float], str], size: float = 7.0) -> None:
    for bar, v in zip(bars, values):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        ax.annotate(fmt(v), (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    xytext=(0, 1.5), textcoords="offset points", ha="center", va="bottom",
                    fontsize=size, color=fonts.GREY_DARK)


def _pct_axis(ax, top: float) -> None:
    ax.set_ylim(0, max(top * 1.18, 0.05))
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v * 100:.0f}%"))


def _grouped(ax, labels: list[str], current: list[float], previous: list[float] | None,
             names: tuple[str, str] = (CURRENT, PREVIOUS)) -> None:
    n = len(labels)
    xs = list(range(n))
    if previous is not None:
        w = 0.38
        b1 = ax.bar([x - w / 2 for x in xs], previous, w, color=fonts.GREY_LIGHT,
                    edgecolor=fonts.GREY, linewidth=0.4, label=names[1])
        b2 = ax.bar([x + w / 2 for x in xs], current, w, color=fonts.ACCENT, label=names[0])
        del b1  # only the current bars carry value labels: two labels per group would collide
        _bar_labels(ax, b2, current, zh.pct, 6.5)
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=7.5, ncols=2,
                  borderaxespad=0.2)
    else:
        b = ax.bar(xs, current, 0.6, color=fonts.ACCENT)
        _bar_labels(ax, b, current, zh.pct)
    ax.set_xticks(xs, labels)
    values = [v for v in (current + (previous or [])) if v is not None and not math.isnan(v)]
    _pct_axis(ax, max(values, default=0.0))
    ax.tick_params(axis="x", length=0)


# --------------------------------------------------------------------------- charts


def _draw_age_bands(p: Plan) -> Figure:
    with _style():
        fig, (ax,) = _figure(bottom=0.2)
        labels = [s.replace("岁及以下", "岁\n及以下").replace("岁及以上", "岁\n及以上") for s in p.data["labels"]]
        _grouped(ax, labels, p.data["current"], p.data["previous"])
        ax.set_ylabel("占党员总数")
    return fig


def _draw_education(p: Plan) -> Figure:
    with _style():
        fig, (ax,) = _figure()
        _grouped(ax, p.data["labels"], p.data["current"], p.data["previous"])
        ax.set_ylabel("占党员总数")
    return fig


def _draw_committee(p: Plan) -> Figure:
    with _style():
        fig, axes = _figure(3, p.height, left=0.07, bottom=0.12, top=0.88, wspace=0.4)
        for ax, (title, cur, prev, kind) in zip(axes, p.data["panels"]):
            fmt = zh.pct if kind == "pct" else zh.num
            names, values, colors = [], [], []
            if prev is not None:
                names.append("上届")
                values.append(prev)
                colors.append(fonts.GREY_LIGHT)
            names.append("本届")
            values.append(cur if cur is not None else 0.0)
            colors.append(fonts.ACCENT)
            bars = ax.bar(range(len(values)), values, 0.55, color=colors, edgecolor=fonts.GREY,
                          linewidth=[0.4 if c == fonts.GREY_LIGHT else 0 for c in colors])
            _bar_labels(ax, bars, values, fmt, 7.5)
            ax.set_xticks(range(len(values)), names)
            ax.set_title(title, fontsize=8.5, color=fonts.GREY_DARK)
            ax.tick_params(axis="x", length=0)
            top = max(values) if values else 1.0
            if kind == "pct":
                _pct_axis(ax, top)
            else:
                ax.set_ylim(0, max(top * 1.18, 1.0))
                ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(nbins=4, integer=True))
    return fig


def _draw_coverage_by_size(p: Plan) -> Figure:
    shares = p.data["shares"]
    heights = [0.0 if v is None else v for v in shares]
    with _style():
        fig, (ax,) = _figure()
        bars = ax.bar(range(len(shares)), heights, 0.55, color=fonts.ACCENT)
        _bar_labels(ax, bars, [float("nan") if v is None else v for v in shares], zh.pct)
        for bar, v in zip(bars, shares):  # a band without units: no bar, labelled "—"
            if v is None:
                ax.annotate("—", (bar.get_x() + bar.get_width() / 2, 0), xytext=(0, 1.5),
                            textcoords="offset points", ha="center", va="bottom", fontsize=7.0,
                            color=fonts.GREY_DARK)
        ax.set_xticks(range(len(shares)), p.data["labels"])
        ax.tick_params(axis="x", length=0)
        _pct_axis(ax, max(heights, default=0.0))
        ax.set_ylabel(p.data["ylabel"])
    return fig


def _draw_overdue_by_area(p: Plan) -> Figure:
    height, areas, n = p.height, p.data["areas"], p.data["n"]
    with _style():
        fig, (ax,) = _figure(1, height, left=min(0.06 + 0.021 * p.data["widest"], 0.4),
                             bottom=0.5 / height, top=1 - 0.12 / height)
        bars = ax.barh(range(len(areas)), n, 0.6, color=fonts.ACCENT)
        ax.set_yticks(range(len(areas)), areas)
        for bar, v in zip(bars, n):
            ax.annotate(f"{int(v)}", (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                        xytext=(2, 0), textcoords="offset points", va="center", fontsize=7.5,
                        color=fonts.GREY_DARK)
        ax.set_xlim(0, max(n) * 1.15)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel("到期未换届党组织（个）")
    return fig


_DRAW: dict[str, Callable[[Plan], Figure]] = {
    "age_bands": _draw_age_bands, "education": _draw_education, "committee": _draw_committee,
    "coverage_by_size": _draw_coverage_by_size, "overdue_by_area": _draw_overdue_by_area}


def draw(p: Plan) -> Figure:
    """The Figure of a chart's plan."""
    return _DRAW[p.key](p)


def _drawn(source: Any, key: str) -> Figure | None:
    p = chartdata.plan(source, key)
    return draw(p) if p is not None else None


def age_bands(source: Any) -> Figure | None:
    """Members by age band (shares), against the previous period when there is one."""
    return _drawn(source, "age_bands")


def education(source: Any) -> Figure | None:
    """Members by education level (shares), against the previous period when there is one."""
    return _drawn(source, "education")


def committee(source: Any) -> Figure | None:
    """The new committees against the previous ones: mean age, 大专及以上 share, women's share."""
    return _drawn(source, "committee")


def coverage_by_size(source: Any) -> Figure | None:
    """Party-organization coverage of 两新组织 by employee size band."""
    return _drawn(source, "coverage_by_size")


def overdue_by_area(source: Any) -> Figure | None:
    """Organizations whose term has ended without an election, by area (片区)."""
    return _drawn(source, "overdue_by_area")


# key -> (caption title, function); the order is CHART_TITLES', that of the files and of make_charts().
CHARTS: dict[str, tuple[str, Callable[[Any], Figure | None]]] = {
    key: (CHART_TITLES[key], fn) for key, fn in (
        ("age_bands", age_bands), ("education", education), ("committee", committee),
        ("coverage_by_size", coverage_by_size), ("overdue_by_area", overdue_by_area))}


def png_bytes(fig: Figure) -> bytes:
    """A Figure as 300 dpi RGB PNG bytes: no text chunks (software, date), so identical inputs give
    identical bytes; RGB and a moderate zlib level keep encoding quick."""
    import numpy as np
    from PIL import Image

    with _style():
        fig.set_dpi(DPI)
        fig.canvas.draw()
        rgba = np.asarray(fig.canvas.buffer_rgba())
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgba[..., :3])).save(buf, format="png", compress_level=3,
                                                               dpi=(DPI, DPI))
    return buf.getvalue()


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Save a Figure as a 300 dpi PNG with deterministic bytes."""
    data = png_bytes(fig)
    with atomic_write(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def make_charts(source: Any, out_dir: str | Path,
                keys: Iterable[str] | None = None) -> list[ChartInfo]:
    """Draw every chart (or those in ``keys``) whose data exists; save it as ``out_dir/<key>.png``."""
    ctx = chartdata.context(source)
    out = Path(out_dir)
    wanted = set(CHARTS if keys is None else keys)
    made = []
    for key, (title, fn) in CHARTS.items():
        if key not in wanted:
            continue
        fig = fn(ctx)
        if fig is None:
            continue
        made.append(ChartInfo(key, title, save_figure(fig, out / f"{key}.png")))
    return made

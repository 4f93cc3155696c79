"""The report's charts: sober bar charts with Chinese labels from the bundled CJK font.

Each chart function takes the indicator context (``Indicators.context()`` or the Indicators object
itself) and returns a matplotlib Figure, or None when its data is missing; the notebook API shows
the Figures, :func:`make_charts` saves them as 300 dpi PNG files with deterministic bytes.
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
import pandas as pd  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .. import zh  # noqa: E402
from ..outputs import atomic_write  # noqa: E402
from . import fonts  # noqa: E402
from .chartset import CHART_TITLES, ChartInfo  # noqa: E402,F401 - ChartInfo is part of this API
from .tables import SHARE_SUFFIXES, _num, count_column as _count_column, lookup  # noqa: E402

DPI = 300
WIDTH_IN = 6.0
HEIGHT_IN = 2.6
CURRENT = "本期"
PREVIOUS = "上期"


def _context(source: Any) -> dict:
    if hasattr(source, "context") and callable(source.context):
        return source.context()
    return source if isinstance(source, dict) else {}


def _frame(value: Any) -> pd.DataFrame | None:
    return value if isinstance(value, pd.DataFrame) and len(value) and len(value.columns) else None


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


def _share_column(frame: pd.DataFrame, prefer: tuple[str, ...] = ()) -> Any:
    for name in prefer:
        if name in frame.columns:
            return name
    for col in frame.columns[1:]:
        label = col[-1] if isinstance(col, tuple) else str(col)
        if label.endswith(SHARE_SUFFIXES) and not str(label).startswith(("上期", "上届")):
            return col
    return None


def _shares(frame: pd.DataFrame, share_col: Any = None, count_col: Any = None) -> pd.Series | None:
    """Shares per category (as numbers in [0, 1]), from a share column or from counts."""
    if share_col is not None and share_col in frame.columns:
        return pd.to_numeric(frame[share_col], errors="coerce").astype("float64")
    count_col = count_col if count_col is not None else _count_column(frame)
    if count_col is None:
        return None
    counts = pd.to_numeric(frame[count_col], errors="coerce").astype("float64")
    total = counts.sum()
    return counts / total if total else None


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


def _category_labels(frame: pd.DataFrame) -> list[str]:
    return [str(v) for v in frame.iloc[:, 0].tolist()]


def _with_previous(ctx: dict, dotted: str, frame: pd.DataFrame) -> tuple[list[float], list[float] | None]:
    current = _shares(frame, _share_column(frame, ("占比",)))
    if current is None:
        return [], None
    prev = None
    if "上期占比" in frame.columns:
        prev = pd.to_numeric(frame["上期占比"], errors="coerce").astype("float64")
    elif "上期人数" in frame.columns:
        prev = _shares(frame, count_col="上期人数")
    else:
        pframe = _frame(lookup(ctx, f"previous.{dotted}"))
        if pframe is not None:
            pshare = _shares(pframe, _share_column(pframe, ("占比",)))
            if pshare is not None:
                mapping = dict(zip(_category_labels(pframe), pshare.tolist()))
                prev = pd.Series([mapping.get(k) for k in _category_labels(frame)], dtype="float64")
    prev_list = None if prev is None or prev.isna().all() else prev.fillna(0.0).tolist()
    return current.fillna(0.0).tolist(), prev_list


# --------------------------------------------------------------------------- charts


def age_bands(source: Any) -> Figure | None:
    """Members by age band (shares), against the previous period when there is one."""
    ctx = _context(source)
    frame = _frame(lookup(ctx, "members.age_bands"))
    if frame is None:
        return None
    current, previous = _with_previous(ctx, "members.age_bands", frame)
    if not current:
        return None
    with _style():
        fig, (ax,) = _figure(bottom=0.2)
        labels = [s.replace("岁及以下", "岁\n及以下").replace("岁及以上", "岁\n及以上") for s in
                  _category_labels(frame)]
        _grouped(ax, labels, current, previous)
        ax.set_ylabel("占党员总数")
    return fig


def education(source: Any) -> Figure | None:
    """Members by education level (shares), against the previous period when there is one."""
    ctx = _context(source)
    frame = _frame(lookup(ctx, "members.education"))
    if frame is None:
        return None
    current, previous = _with_previous(ctx, "members.education", frame)
    if not current:
        return None
    with _style():
        fig, (ax,) = _figure()
        _grouped(ax, _category_labels(frame), current, previous)
        ax.set_ylabel("占党员总数")
    return fig


def committee(source: Any) -> Figure | None:
    """The new committees against the previous ones: mean age, 大专及以上 share, women's share."""
    ctx = _context(source)
    c = lookup(ctx, "committee") or {}
    age, age_prev = _num(c.get("age_mean")), _num(c.get("age_mean_previous"))
    col, col_prev = _num(c.get("college_share")), _num(c.get("college_share_previous"))
    fem = _num(c.get("female_share"))
    fem_prev = None
    if _num(c.get("female_share_delta")) is not None and fem is not None:
        fem_prev = fem - _num(c.get("female_share_delta"))
    elif _num(c.get("female_previous")) is not None and _num(c.get("size_previous")):
        fem_prev = _num(c.get("female_previous")) / _num(c.get("size_previous"))
    if age is None and col is None and fem is None:
        return None
    panels = [("平均年龄（岁）", age, age_prev, lambda v: zh.num(v)),
              ("大专及以上学历占比", col, col_prev, zh.pct),
              ("女性占比", fem, fem_prev, zh.pct)]
    with _style():
        fig, axes = _figure(3, HEIGHT_IN * 0.95, left=0.07, bottom=0.12, top=0.88, wspace=0.4)
        for ax, (title, cur, prev, fmt) in zip(axes, panels):
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
            if fmt is zh.pct:
                _pct_axis(ax, top)
            else:
                ax.set_ylim(0, max(top * 1.18, 1.0))
                ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(nbins=4, integer=True))
    return fig


def coverage_by_size(source: Any) -> Figure | None:
    """Party-organization coverage of 两新组织 by employee size band."""
    ctx = _context(source)
    frame = _frame(lookup(ctx, "coverage.by_size"))
    if frame is None:
        return None
    col = _share_column(frame)
    if col is None:
        return None
    shares = pd.to_numeric(frame[col], errors="coerce").astype("float64").fillna(0.0).tolist()
    with _style():
        fig, (ax,) = _figure()
        bars = ax.bar(range(len(shares)), shares, 0.55, color=fonts.ACCENT)
        _bar_labels(ax, bars, shares, zh.pct)
        ax.set_xticks(range(len(shares)), _category_labels(frame))
        ax.tick_params(axis="x", length=0)
        _pct_axis(ax, max(shares, default=0.0))
        label = col[-1] if isinstance(col, tuple) else str(col)
        ax.set_ylabel(label)
    return fig


def overdue_by_area(source: Any) -> Figure | None:
    """Organizations whose term has ended without an election, by area (片区)."""
    ctx = _context(source)
    frame = _frame(lookup(ctx, "elections.overdue_by_area"))
    if frame is None:
        return None
    named = [c for c in frame.columns[1:] if "未换届" in str(c) and not str(c).startswith("上期")
             and not str(c).endswith(SHARE_SUFFIXES)]
    col = named[0] if named else _count_column(frame)
    if col is None:
        return None
    data = pd.DataFrame({"area": _category_labels(frame),
                         "n": pd.to_numeric(frame[col], errors="coerce").fillna(0).astype("float64")})
    data = data[data["n"] > 0].sort_values(["n", "area"], ascending=[True, False], kind="stable")
    if data.empty:
        return None
    height = min(max(1.4, 0.28 * len(data) + 0.7), 6.0)
    widest = max(sum(1.0 if ord(c) > 0x2E7F else 0.55 for c in a) for a in data["area"])
    with _style():
        fig, (ax,) = _figure(1, height, left=min(0.06 + 0.021 * widest, 0.4),
                             bottom=0.5 / height, top=1 - 0.12 / height)
        bars = ax.barh(range(len(data)), data["n"].tolist(), 0.6, color=fonts.ACCENT)
        ax.set_yticks(range(len(data)), data["area"].tolist())
        for bar, v in zip(bars, data["n"].tolist()):
            ax.annotate(f"{int(v)}", (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                        xytext=(2, 0), textcoords="offset points", va="center", fontsize=7.5,
                        color=fonts.GREY_DARK)
        ax.set_xlim(0, data["n"].max() * 1.15)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel("到期未换届党组织（个）")
    return fig


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
    ctx = _context(source)
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

"""Charts: real figures from real indicators, Chinese labels without tofu, deterministic PNG bytes."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image

from reportgen.indicators import compute
from reportgen.render import charts
from reportgen.render.context import report_context
from test_render_context import district


@pytest.fixture(scope="module")
def ctx():
    ds, prev = district(tricky=False)
    return report_context(compute(ds, previous=prev))


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")) if t.get_text()]


def test_every_chart_draws_without_missing_glyphs(ctx, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" would fail here
        made = charts.make_charts(ctx, tmp_path)
    assert [c.key for c in made] == list(charts.CHARTS)
    for info in made:
        with Image.open(info.path) as im:
            assert im.format == "PNG" and im.size[0] == 1800  # 6 inches at 300 dpi
            assert round(im.info["dpi"][0]) == 300


def test_chart_contents(ctx):
    age = charts.age_bands(ctx)
    texts = _texts(age)
    assert "61岁\n及以上" in texts and "上期" in texts and "本期" in texts
    assert "29.4%" in texts  # 25 of 85 members are 61 or older
    com = charts.committee(ctx)
    texts = _texts(com)
    assert {"平均年龄（岁）", "大专及以上学历占比", "女性占比", "上届", "本届"} <= set(texts)
    assert {"44.7", "53.5", "100%", "54.5%", "27.3%"} <= set(texts)
    overdue = charts.overdue_by_area(ctx)
    assert {"城东街道", "城西街道"} <= set(_texts(overdue)) and "高新园区" not in _texts(overdue)
    family = charts.age_bands(ctx).axes[0].get_xticklabels()[0].get_fontname()
    assert family == "Noto Sans CJK SC"


def test_missing_data_gives_no_chart():
    empty = report_context({})
    for key, (_, fn) in charts.CHARTS.items():
        assert fn(empty) is None, key
    alone = report_context({"members": {"age_bands": pd.DataFrame(
        {"年龄段": ["30岁及以下", "31至35岁"], "人数": [3, 1]})}})
    fig = charts.age_bands(alone)
    assert "上期" not in _texts(fig) and "75%" in _texts(fig)  # shares computed from the counts


def test_png_bytes_are_deterministic(ctx, tmp_path):
    a = charts.save_figure(charts.education(ctx), tmp_path / "a.png").read_bytes()
    b = charts.save_figure(charts.education(ctx), tmp_path / "b.png").read_bytes()
    assert a == b
    assert b"Software" not in a and b"tIME" not in a


def test_figures_keep_their_font_outside_the_renderer(ctx):
    """A notebook draws the returned Figure later, with its own rcParams: no tofu there either."""
    fig = charts.education(ctx)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.canvas.draw()
    assert {t.get_fontname() for t in fig.axes[0].get_xticklabels()} == {"Noto Sans CJK SC"}

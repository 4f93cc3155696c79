"""Charts drawn by a helper process while the report renders: the same files, byte for byte, as
drawing them in this process; a helper that breaks costs nothing but time."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
from PIL import Image

from reportgen import api
from reportgen.indicators import compute
from reportgen.render import CHART_TITLES, ChartProcess, render_report
from reportgen.render.chartdata import WIDTH_IN
from reportgen.render.chartset import ChartSet, draw_here, plans
from reportgen.render.context import report_context
from test_render_context import district

FILES = ["report.docx", "tables.xlsx", *(f"charts/{k}.png" for k in CHART_TITLES)]


@pytest.fixture(scope="module")
def indicators():
    ds, prev = district(tricky=False)
    return compute(ds, previous=prev)


def _bytes(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in FILES}


def test_helper_process_gives_the_same_report_and_charts(indicators, tmp_path):
    here = render_report(indicators, tmp_path / "here")
    with ChartProcess() as process:
        there = render_report(indicators, tmp_path / "there", chart_process=process)
        again = render_report(indicators, tmp_path / "again", chart_process=process)  # a second report
    assert [c.key for c in there.charts] == [c.key for c in here.charts] == list(CHART_TITLES)
    assert [(f.key, f.number) for f in there.figures] == [(f.key, f.number) for f in here.figures]
    assert _bytes(tmp_path / "there") == _bytes(tmp_path / "here") == _bytes(tmp_path / "again")


def test_a_closed_helper_draws_everything_here(indicators, tmp_path):
    process = ChartProcess()
    process.close()  # submitting now raises: every chart is drawn in this process
    result = render_report(indicators, tmp_path / "closed", chart_process=process)
    render_report(indicators, tmp_path / "here")
    assert [c.key for c in result.charts] == list(CHART_TITLES)
    assert _bytes(tmp_path / "closed") == _bytes(tmp_path / "here")


def test_a_chart_the_helper_failed_is_drawn_here(indicators, tmp_path):
    ctx = report_context(indicators)
    failed = Future()
    failed.set_exception(BrokenProcessPool("the helper died"))
    charts = ChartSet(plans(ctx, ["age_bands", "education"]), tmp_path, {"age_bands": failed})
    info = charts.get("age_bands")
    assert info is not None and info.path == tmp_path / "age_bands.png" and not info.path.exists()
    assert charts.png("age_bands")[:8] == b"\x89PNG\r\n\x1a\n" and info.path.is_file()
    draw_here(ctx, tmp_path / "here", ["age_bands"])
    assert info.path.read_bytes() == (tmp_path / "here" / "age_bands.png").read_bytes()
    assert charts.get("committee") is None  # not asked for


def test_report_figures_are_the_drawn_charts_at_their_size(indicators, tmp_path):
    ctx = report_context(indicators)
    result = render_report(indicators, tmp_path)
    with zipfile.ZipFile(result.report) as z:
        media = sorted(z.read(n) for n in z.namelist() if n.startswith("word/media/"))
        xml = z.read("word/document.xml").decode()
    assert media == sorted(c.path.read_bytes() for c in result.charts)  # no placeholder left
    extents = [(int(cx), int(cy)) for cx, cy in re.findall(r'<wp:extent cx="(\d+)" cy="(\d+)"', xml)]
    for fig, (cx, cy) in zip(result.figures, extents):
        with Image.open(fig.path) as im:
            assert abs(cy / cx - im.size[1] / im.size[0]) < 1e-3, fig.key
        assert abs(cy / cx - plans(ctx, [fig.key])[fig.key].height / WIDTH_IN) < 1e-6
    assert len(extents) == len(result.figures) == len(CHART_TITLES)


def test_plans_and_drawings_agree(indicators):
    from reportgen.render import charts

    empty, full = report_context({}), report_context(indicators)
    for key in CHART_TITLES:
        assert plans(empty, [key])[key] is None and getattr(charts, key)(empty) is None
        p = plans(full, [key])[key]
        fig = getattr(charts, key)(full)
        assert tuple(fig.get_size_inches()) == (WIDTH_IN, p.height), key


def test_build_starts_its_helper_before_reading_where_it_forks(monkeypatch, indicators):
    ds = indicators.dataset  # 85 members: a small set
    monkeypatch.setattr(api.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(api, "forks", lambda: True)
    with api._ChartHelper() as helper:
        assert isinstance(helper.process, ChartProcess)  # forked while this process is small
        assert helper.after_load(ds) is helper.process
    monkeypatch.setattr(api, "forks", lambda: False)  # spawn: after reading, and only for a large set
    with api._ChartHelper() as helper:
        assert helper.process is None and helper.after_load(ds) is None
    monkeypatch.setattr(api, "CHART_PROCESS_MIN_MEMBERS", 50)
    with api._ChartHelper() as helper:
        assert helper.process is None and isinstance(helper.after_load(ds), ChartProcess)
    monkeypatch.setattr(api, "forks", lambda: True)
    monkeypatch.setattr(api.os, "cpu_count", lambda: 1)  # no second core: nothing to gain
    with api._ChartHelper() as helper:
        assert helper.after_load(ds) is None


def test_rendering_imports_matplotlib_only_for_the_charts():
    code = ("import sys, reportgen.render, reportgen.validate.workbook; "
            "print('matplotlib' in sys.modules); from reportgen.render import CHARTS; "
            "print('matplotlib' in sys.modules, list(CHARTS) == list(reportgen.render.CHART_TITLES))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True", "True"]


def test_chart_helper_starts_without_the_report_writers_which_load_during_reading():
    # the helper is forked before the readers start; the writers (docxtpl, python-docx, jinja2)
    # are imported by the while_reading hook, not on the way to the first file
    code = ("import sys, reportgen.api as api; h = api._ChartHelper(); "
            "print(h.process is not None, 'docxtpl' in sys.modules, 'docx' in sys.modules); "
            "api._import_writers(); print('docxtpl' in sys.modules, 'matplotlib' in sys.modules); "
            "from reportgen.render import render_report, TemplateProblem; h.__exit__(None, None, None)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    expected_helper = "True" if api.forks() and (os.cpu_count() or 1) >= 2 else "False"
    assert out.split() == [expected_helper, "False", "False", "True", str(not api.forks())]

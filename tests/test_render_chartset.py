"""Charts drawn by a helper process while the report renders: the same files, byte for byte, as
drawing them in this process; a helper that breaks costs nothing but time."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from reportgen import api
from reportgen.indicators import compute
from reportgen.render import CHART_TITLES, ChartProcess, render_report
from reportgen.render.chartset import ChartSet, draw_here
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
    failed, nothing = Future(), Future()
    failed.set_exception(BrokenProcessPool("the helper died"))
    nothing.set_result(False)  # the helper found no data for it
    redrawn = []

    def redraw(key):
        redrawn.append(key)
        return draw_here(ctx, tmp_path, [key]).get(key)

    charts = ChartSet({"age_bands": failed, "education": nothing}, {"age_bands": tmp_path / "age_bands.png",
                                                                     "education": tmp_path / "education.png"},
                      redraw)
    info = charts.get("age_bands")
    assert info is not None and info.path == tmp_path / "age_bands.png" and info.path.is_file()
    assert charts.get("age_bands") is info  # resolved once: its figure number stays on it
    assert charts.get("education") is None and charts.get("committee") is None
    assert [c.key for c in charts.made()] == ["age_bands"] and redrawn == ["age_bands"]


def test_build_uses_a_helper_where_it_forks(monkeypatch, indicators):
    ds = indicators.dataset
    monkeypatch.setattr(api.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(api, "forks", lambda: True)
    with api._chart_process(ds) as process:
        assert isinstance(process, ChartProcess)
    monkeypatch.setattr(api, "forks", lambda: False)  # spawn: only worth it for a large set
    with api._chart_process(ds) as process:
        assert process is None
    monkeypatch.setattr(api, "forks", lambda: True)
    monkeypatch.setattr(api.os, "cpu_count", lambda: 1)  # no second core: nothing to gain
    with api._chart_process(ds) as process:
        assert process is None


def test_rendering_imports_matplotlib_only_for_the_charts():
    code = ("import sys, reportgen.render, reportgen.validate.workbook; "
            "print('matplotlib' in sys.modules); from reportgen.render import CHARTS; "
            "print('matplotlib' in sys.modules, list(CHARTS) == list(reportgen.render.CHART_TITLES))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True", "True"]

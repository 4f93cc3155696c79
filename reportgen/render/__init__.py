"""Rendering: the Word report (docxtpl, GB/T 9704 layout), the tables workbook and the charts.

    from reportgen.render import render_report, write_tables_xlsx, make_charts, export_template
    result = render_report(indicators, "out")            # report.docx, tables.xlsx, charts/*.png
"""

from __future__ import annotations

from typing import Any

from .chartset import CHART_TITLES, ChartInfo, ChartProcess
from .context import report_context
from .docx import TEMPLATE_KINDS, RenderResult, export_template, render_report, template_path
from .engine import TemplateProblem
from .xlsx import write_tables_xlsx

__all__ = ["render_report", "write_tables_xlsx", "make_charts", "export_template", "template_path",
           "report_context", "TEMPLATE_KINDS", "RenderResult", "TemplateProblem", "ChartInfo", "CHARTS",
           "CHART_TITLES", "ChartProcess"]


def __getattr__(name: str) -> Any:
    # The chart functions import matplotlib (about a second): only when they are asked for, so
    # that a build whose charts are drawn by a helper process never imports it here.
    if name in ("CHARTS", "make_charts"):
        from . import charts

        return getattr(charts, name)
    raise AttributeError(name)

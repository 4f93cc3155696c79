"""Rendering: the Word report (docxtpl, GB/T 9704 layout), the tables workbook and the charts.

    from reportgen.render import render_report, write_tables_xlsx, make_charts, export_template
    result = render_report(indicators, "out")            # report.docx, tables.xlsx, charts/*.png
"""

from __future__ import annotations

from .charts import CHARTS, ChartInfo, make_charts
from .context import report_context
from .docx import TEMPLATE_KINDS, RenderResult, export_template, render_report, template_path
from .engine import TemplateProblem
from .xlsx import write_tables_xlsx

__all__ = ["render_report", "write_tables_xlsx", "make_charts", "export_template", "template_path",
           "report_context", "TEMPLATE_KINDS", "RenderResult", "TemplateProblem", "ChartInfo", "CHARTS"]

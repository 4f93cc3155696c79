"""Rendering: the Word report (docxtpl, GB/T 9704 layout), the tables workbook and the charts.

    from reportgen.render import render_report, write_tables_xlsx, make_charts, export_template
    result = render_report(indicators, "out")            # report.docx, tables.xlsx, charts/*.png

The names below are loaded when first asked for (PEP 562), so that importing one light module of
this package (``chartset``, to start the chart helper before the files are read) does not import
docxtpl, python-docx and jinja2: ``build`` imports those while the files are being read, on the
core the readers leave, instead of before they start. The chart functions import matplotlib
(about a second): a build whose charts are drawn by a helper process never imports it here.
"""

from __future__ import annotations

import importlib
from typing import Any

# name → the submodule that defines it
_WHERE = {
    "render_report": "docx", "export_template": "docx", "template_path": "docx",
    "TEMPLATE_KINDS": "docx", "RenderResult": "docx",
    "write_tables_xlsx": "xlsx",
    "report_context": "context",
    "TemplateProblem": "engine",
    "ChartInfo": "chartset", "CHART_TITLES": "chartset", "ChartProcess": "chartset",
    "CHARTS": "charts", "make_charts": "charts",
}

__all__ = list(_WHERE)


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{where}", __name__), name)
    globals()[name] = value  # asked once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

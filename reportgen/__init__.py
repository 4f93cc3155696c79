"""reportgen: quarterly submissions of grassroots Party organizations → statistical reports.

The public API is small (the same functions the command line calls)::

    import reportgen
    ds = reportgen.load("data_samples/2026Q3", period="2026Q3")   # read and check
    ind = reportgen.compute(ds)                                     # indicators and findings
    reportgen.build("data_samples/2026Q3", out="out")               # report, tables, charts
"""

from __future__ import annotations

from typing import Any

from .api import build, compute, load, read_narrative, validate
from .dataset import Dataset
from .periods import Period, parse_period

__version__ = "0.1.0"

__all__ = ["load", "validate", "compute", "build", "read_narrative", "Dataset", "Indicators",
           "Period", "parse_period", "charts", "__version__"]


def __getattr__(name: str) -> Any:
    # Heavier parts are imported on first use so that `import reportgen` stays quick.
    if name == "Indicators":
        from .indicators import Indicators

        return Indicators
    if name == "charts":
        from .render import charts

        return charts
    raise AttributeError(name)

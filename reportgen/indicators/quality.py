"""quality.*: how much of the submission could be used (SPEC §2 reconciliation)."""

from __future__ import annotations

import pandas as pd

from ..dataset import Dataset
from ..validate.catalog import ERROR, WARNING
from .registry import Result, indicator


def _used_rows(ds: Dataset) -> int:
    return int(sum(len(ds.table(k)) for k in ds.TABLES))


def _sum(ds: Dataset, col: str) -> int | None:
    r = ds.reconciliation
    if len(r) == 0 or col not in r:
        return None
    return int(pd.to_numeric(r[col], errors="coerce").fillna(0).sum())


def _issues(ds: Dataset, severity: str) -> Result:
    i = ds.issues
    mask = (i["severity"] == severity) if len(i) else pd.Series([], dtype=bool)
    n = int(mask.sum())
    return Result(n, n, None, i, mask.to_numpy(dtype=bool))


@indicator("quality.rows_read", label="读取数据行数", unit="行",
           definition="各文件各工作表读取到的行数之和（空行不计；合计、说明、示例等非数据行计入读取行数，另列为已跳过）；"
                      "未经读取而直接构建的数据集按计入行数计")
def rows_read(ds: Dataset) -> Result:
    n = _sum(ds, "rows_read")
    return Result(_used_rows(ds) if n is None else n, rows=ds.reconciliation)


@indicator("quality.rows_used", label="计入统计的行数", unit="行",
           definition="没有“错误”级问题、计入统计的数据行数")
def rows_used(ds: Dataset) -> Result:
    n = _sum(ds, "rows_used")
    return Result(_used_rows(ds) if n is None else n, rows=ds.reconciliation)


@indicator("quality.rows_left_out", label="未计入统计的行数", unit="行",
           definition="有“错误”级问题、暂未计入统计的数据行数（读取行数 − 计入行数 − 跳过的非数据行数）")
def rows_left_out(ds: Dataset) -> Result:
    n = _sum(ds, "rows_left_out")
    return Result(0 if n is None else n, rows=ds.reconciliation)


@indicator("quality.errors", label="错误数", unit="条", definition="校验结果中严重程度为“错误”的问题条数")
def errors(ds: Dataset) -> Result:
    return _issues(ds, ERROR)


@indicator("quality.warnings", label="警告数", unit="条", definition="校验结果中严重程度为“警告”的问题条数")
def warnings(ds: Dataset) -> Result:
    return _issues(ds, WARNING)

"""The Dataset: the clean tables of one submission set, with their provenance and issues.

Every clean table has the columns of its sheet in ``schema`` (field keys, not headers) with
canonical dtypes, plus the derived columns listed in ``DERIVED`` and the provenance columns
``_file``, ``_sheet``, ``_row`` (the Excel row number a user sees). Rows that failed a rule of
severity 错误 are not in the tables; they are in ``issues``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import schema
from .periods import Period

ISSUE_COLUMNS = ("file", "sheet", "row", "column", "value", "rule", "severity", "message")
RECONCILIATION_COLUMNS = ("file", "sheet", "rows_read", "rows_used", "rows_left_out", "rows_skipped")
FILE_COLUMNS = ("file", "kind", "status", "sheets", "rows")

# Columns computed from others; present in every clean table of that sheet.
DERIVED: dict[str, tuple[str, ...]] = {
    "orgs": ("term_end",),  # term_years is filled with its default, term_end computed if blank
    "members": (),  # gender, birth_date from the ID; status from full_member_since
    "elections": (),  # previous_date filled from the organization's term
    "committee": (),
    "units": (),
}

STRING = pd.StringDtype()
DATE = "datetime64[ns]"


def column_dtype(f: schema.Field) -> Any:
    """The canonical dtype of a field in a clean table."""
    if f.type == "enum":
        return pd.CategoricalDtype(list(f.enum.values))
    if f.type == "date":
        return DATE
    if f.type == "int":
        return "Int64"
    return STRING


def empty_table(sheet_key: str) -> pd.DataFrame:
    """A clean table with no rows and every column in its canonical dtype."""
    sheet = schema.sheet(sheet_key)
    cols = {f.key: pd.Series(dtype=column_dtype(f)) for f in sheet.fields}
    for extra in DERIVED.get(sheet_key, ()):
        cols[extra] = pd.Series(dtype=DATE)
    cols["_file"] = pd.Series(dtype=STRING)
    cols["_sheet"] = pd.Series(dtype=STRING)
    cols["_row"] = pd.Series(dtype="Int64")
    return pd.DataFrame(cols)


def conform(sheet_key: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Give ``frame`` every column of the clean table in its canonical dtype (missing ones blank).

    Values must already be normalised (enumeration values canonical, dates parsed); this only
    casts. Extra columns are kept after the schema's.
    """
    template = empty_table(sheet_key)
    n = len(frame)
    out = {}
    for col, dtype in template.dtypes.items():
        if col in frame.columns:
            s = frame[col]
            if s.dtype == dtype:
                pass  # already canonical (the reader builds categories itself): no copy, no cast
            elif isinstance(dtype, pd.CategoricalDtype):
                s = _categorical(s, dtype)
            elif str(dtype) == DATE:
                s = pd.to_datetime(s, errors="coerce").astype(DATE)
            else:
                s = s.astype(dtype)
            out[col] = s.reset_index(drop=True)
        else:
            out[col] = pd.Series([pd.NA] * n if str(dtype) != DATE else [pd.NaT] * n,
                                 dtype=dtype)
    for col in frame.columns:
        if col not in out:
            out[col] = frame[col].reset_index(drop=True)
    return pd.DataFrame(out)


def _categorical(s: pd.Series, dtype: pd.CategoricalDtype) -> pd.Series:
    """``s.astype(dtype)`` for text, with the codes found in Arrow (values outside the
    categories become missing, as astype makes them)."""
    text = s.astype(STRING).array
    arr = getattr(text, "_pa_array", None)  # Arrow-backed already (chunks of several files)
    if arr is None:
        arr = pa.chunked_array([pa.array(text, type=pa.large_string(), from_pandas=True)])
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    codes = pc.index_in(arr, value_set=pa.array(list(dtype.categories), pa.large_string()))
    codes = pc.fill_null(codes, -1).to_numpy().astype("int8" if len(dtype.categories) < 127 else "int32")
    return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype), index=s.index, name=s.name)


def complete(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Fill the values SPEC §1 defines as defaults: term length and end, member status,
    the previous election date. Vectorised; returns new frames."""
    tables = dict(tables)
    orgs = tables["orgs"].copy()
    default_years = orgs["org_type"].astype("string").map(schema.TERM_YEARS_DEFAULT).astype("Int64")
    orgs["term_years"] = orgs["term_years"].fillna(default_years)
    years = orgs["term_years"].fillna(3).astype("int64")
    computed = _add_years(orgs["last_election"], years)
    # a term end computed from a 本届选举日期 known only to the month is known only to the month
    ends_by_month = (~orgs["term_end"].notna().to_numpy() & month_only(orgs, "last_election")) \
        | month_only(orgs, "term_end")
    orgs["term_end"] = orgs["term_end"].fillna(computed).astype(DATE)
    if ends_by_month.any():
        orgs[MONTH_ONLY + "term_end"] = ends_by_month
    tables["orgs"] = orgs

    members = tables["members"].copy()
    dtype = members["status"].dtype
    if isinstance(dtype, pd.CategoricalDtype):  # coded directly: no text column of a million rows
        cats = list(dtype.categories)
        codes = np.where(members["full_member_since"].notna().to_numpy(),
                         cats.index(schema.FULL_MEMBER), cats.index(schema.PROBATIONARY)).astype(np.int8)
        status = pd.Series(pd.Categorical.from_codes(codes, dtype=dtype), index=members.index)
    else:
        status = members["full_member_since"].notna().map(
            {True: schema.FULL_MEMBER, False: schema.PROBATIONARY}).astype(dtype)
    members["status"] = members["status"].fillna(status)
    tables["members"] = members

    elections = tables["elections"].copy()
    if len(elections):
        term = elections["org_id"].map(orgs.set_index("org_id")["term_years"].groupby(level=0).first())
        term = pd.to_numeric(term, errors="coerce").fillna(3).astype("int64")
        by_month = (~elections["previous_date"].notna().to_numpy() & month_only(elections, "date")) \
            | month_only(elections, "previous_date")
        elections["previous_date"] = elections["previous_date"].fillna(
            _add_years(elections["date"], -term)).astype(DATE)
        if by_month.any():
            elections[MONTH_ONLY + "previous_date"] = by_month
    tables["elections"] = elections
    tables["committee"] = _previous_term_copies(tables["committee"], orgs)
    return tables


# Prefix of the columns flagging dates given to the month only ("2010.05", "2010年5月"): the date
# holds the 1st of that month, and comparisons that depend on the day are made by month.
MONTH_ONLY = "_month_only:"


def month_only(frame: pd.DataFrame, col: str) -> np.ndarray:
    """Per row: whether date column ``col`` is known only to the month (False when unflagged)."""
    flag = MONTH_ONLY + col
    if flag not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return frame[flag].fillna(False).to_numpy(dtype=bool)


def _previous_term_copies(committee: pd.DataFrame, orgs: pd.DataFrame) -> pd.DataFrame:
    """班子信息集 rows (with 任职日期): a 本届 member who took office before the organization's
    latest election and did not leave before it sat on the 上届 committee too; a 上届 copy is
    added unless that organization's 上届 already lists the person (same ID, else same name)."""
    if not len(committee) or "start_date" not in committee or committee["start_date"].isna().all():
        return committee
    last = committee["org_id"].map(orgs.dropna(subset=["org_id"]).drop_duplicates("org_id")
                                   .set_index("org_id")["last_election"])
    last = pd.to_datetime(last)
    start, end = committee["start_date"], committee["end_date"]
    term = committee["term"].astype("string")
    span = ((term == schema.CURRENT_TERM) & (start < last) & (end.isna() | (end > last))).fillna(False)
    if not span.any():
        return committee
    person = committee["id_number"].astype("string").fillna("name:" + committee["name"].astype("string"))
    key = committee["org_id"].astype("string") + "|" + person
    listed = set(key[(term == schema.PREVIOUS_TERM).fillna(False)].dropna())
    span &= ~key.isin(listed).to_numpy()
    if not span.any():
        return committee
    copies = committee[span.to_numpy()].copy()
    copies["term"] = pd.Series(schema.PREVIOUS_TERM, index=copies.index).astype(committee["term"].dtype)
    return pd.concat([committee, copies], ignore_index=True)


def _add_years(dates: pd.Series, years: pd.Series) -> pd.Series:
    """dates + years (calendar years; 29 February falls back to 28 February). Vectorised."""
    d = pd.to_datetime(dates)
    y = d.dt.year + years
    m = d.dt.month
    day = d.dt.day
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    day = day.where(~((m == 2) & (day == 29) & ~leap), 28)
    parts = pd.DataFrame({"year": y, "month": m, "day": day})
    out = pd.to_datetime(parts.where(d.notna()), errors="coerce")
    return out.astype(DATE)


@dataclass
class Dataset:
    """One period's submissions, read, normalised and checked."""

    period: Period
    orgs: pd.DataFrame = field(default_factory=lambda: empty_table("orgs"))
    members: pd.DataFrame = field(default_factory=lambda: empty_table("members"))
    elections: pd.DataFrame = field(default_factory=lambda: empty_table("elections"))
    committee: pd.DataFrame = field(default_factory=lambda: empty_table("committee"))
    units: pd.DataFrame = field(default_factory=lambda: empty_table("units"))
    issues: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(ISSUE_COLUMNS)))
    reconciliation: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(RECONCILIATION_COLUMNS)))
    files: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(FILE_COLUMNS)))
    meta: dict[str, Any] = field(default_factory=dict)

    TABLES = ("orgs", "members", "elections", "committee", "units")

    @classmethod
    def from_frames(cls, period: Period, **frames: pd.DataFrame) -> "Dataset":
        """A Dataset from already-normalised frames (tests, notebooks): columns are conformed to
        their canonical dtypes and SPEC defaults are filled in."""
        tables = {k: conform(k, frames.get(k, empty_table(k))) for k in cls.TABLES}
        tables = complete(tables)
        return cls(period=period, **tables)

    @property
    def as_of(self) -> date:
        return self.period.as_of

    @property
    def error_count(self) -> int:
        return int((self.issues["severity"] == "错误").sum()) if len(self.issues) else 0

    @property
    def warning_count(self) -> int:
        return int((self.issues["severity"] == "警告").sum()) if len(self.issues) else 0

    def table(self, key: str) -> pd.DataFrame:
        return getattr(self, key)

    def _repr_html_(self) -> str:
        return _dataset_html(self)

    def __repr__(self) -> str:
        # Short on purpose: the default dataclass repr would print every table, ID numbers included.
        rows = "，".join(f"{schema.sheet(k).name}{len(getattr(self, k))}行" for k in self.TABLES)
        return (f"<reportgen.Dataset {self.period.label}：{len(self.files)}个文件，{rows}；"
                f"错误{self.error_count}，警告{self.warning_count}>")

    @property
    def usable(self) -> bool:
        """Whether anything at all could be analysed."""
        return any(len(getattr(self, k)) for k in self.TABLES)


def subset_by_orgs(ds: Dataset, org_ids: pd.Series, label: str, units: Any = None) -> Dataset:
    """The part of ``ds`` that belongs to the organizations ``org_ids`` (a per-area report).

    Members, elections and committees follow their organization; 两新组织 follow theirs
    (units.org_id); ``units`` (a boolean array over ds.units) adds units without one (未建立)
    that the caller attributed to the part (api.split_by_area).

    The reconciliation, issues and file list are those of the part: a file all
    of whose counted rows belong to the part keeps its whole reconciliation and all its issues;
    a file shared with others (one 两新 list for the district) counts only the part's rows and the
    issues of those rows (its left-out rows cannot be attributed to an organization)."""
    keep = set(org_ids.dropna())
    parts = {}
    for key in ("orgs", "members", "elections", "committee"):
        t = getattr(ds, key)
        parts[key] = t[t["org_id"].isin(keep)].reset_index(drop=True)
    in_part = ds.units["org_id"].isin(keep).to_numpy(dtype=bool).copy()
    if units is not None:
        in_part |= np.asarray(units, dtype=bool)
    parts["units"] = ds.units[in_part].reset_index(drop=True)
    meta = dict(ds.meta, district=label, area=label)
    rec, issues, files = _scoped_quality(ds, parts)
    return Dataset(period=ds.period, issues=issues, reconciliation=rec, files=files, meta=meta, **parts)


def _scoped_quality(ds: Dataset, parts: dict[str, pd.DataFrame]):
    """(reconciliation, issues, files) of the rows in ``parts`` (see subset_by_orgs)."""
    rec = ds.reconciliation
    if not len(rec):
        return rec, ds.issues, ds.files
    prov = [p[["_file", "_sheet", "_row"]] for p in parts.values() if "_file" in p.columns and len(p)]
    rows = (pd.concat(prov, ignore_index=True) if prov
            else pd.DataFrame({"_file": pd.Series(dtype="string"), "_sheet": pd.Series(dtype="string"),
                               "_row": pd.Series(dtype="Int64")}))
    rows = rows.astype({"_file": "string", "_sheet": "string"})
    used = rows.groupby(["_file", "_sheet"], sort=False).size().rename("part_used")
    file_used = rows.groupby("_file", sort=False).size()
    all_used = pd.to_numeric(rec["rows_used"], errors="coerce").fillna(0).groupby(rec["file"]).sum()
    # a file is the part's own when every counted row of it is the part's
    own = set(f for f, n in file_used.items() if int(all_used.get(f, -1)) == int(n))
    shared = set(file_used.index) - own
    f = rec["file"].astype("string")
    out = rec[f.isin(own).fillna(False).to_numpy(dtype=bool)]
    sh = rec[f.isin(shared).fillna(False).to_numpy(dtype=bool)]
    if len(sh):
        n = sh.merge(used, left_on=["file", "sheet"], right_index=True, how="left")["part_used"]
        n = n.fillna(0).astype("int64").to_numpy()
        sh = sh.assign(rows_read=n, rows_used=n, rows_left_out=0, rows_skipped=0)
        sh = sh[n > 0].astype({c: "Int64" for c in ("rows_read", "rows_used", "rows_left_out", "rows_skipped")})
        out = pd.concat([out, sh])
    out = out.reset_index(drop=True)
    iss = ds.issues
    if len(iss):
        isf = iss["file"].astype("string")
        keep = isf.isin(own).fillna(False).to_numpy(dtype=bool).copy()
        in_shared = isf.isin(shared).fillna(False).to_numpy(dtype=bool)
        if in_shared.any():  # only the rows of the shared files are compared
            mine = rows[rows["_file"].isin(shared).fillna(False).to_numpy(dtype=bool)]
            key = pd.MultiIndex.from_frame(mine[["_file", "_sheet", "_row"]])
            sub = iss[in_shared]
            ikey = pd.MultiIndex.from_arrays([sub["file"].astype("string"), sub["sheet"].astype("string"),
                                              sub["row"]])
            keep[np.flatnonzero(in_shared)[ikey.isin(key)]] = True
        iss = iss[keep].reset_index(drop=True)
    files = ds.files
    if len(files) and "file" in files.columns:
        kept = set(out["file"].astype(str))
        files = files[files["file"].astype(str).isin(kept).to_numpy(dtype=bool)].reset_index(drop=True)
    return out, iss, files


def _dataset_html(ds: Dataset) -> str:
    """A small HTML summary for Jupyter: period, files, rows per table, errors and warnings."""
    from html import escape

    rec = ds.reconciliation
    read = int(rec["rows_read"].sum()) if len(rec) else 0
    used = int(rec["rows_used"].sum()) if len(rec) else 0
    skipped = int(rec["rows_skipped"].sum()) if len(rec) and "rows_skipped" in rec else 0
    rows = "".join(
        f"<tr><td>{escape(schema.sheet(k).name)}</td><td style='text-align:right'>{len(getattr(ds, k)):,}</td></tr>"
        for k in Dataset.TABLES)
    nfiles = len(ds.files)
    return (
        f"<div><b>reportgen.Dataset</b> {escape(ds.period.zh)}（截止 {ds.as_of:%Y-%m-%d}）<br>"
        f"文件 {nfiles} 个；读取 {read:,} 行，计入 {used:,} 行，未计入 {read - used - skipped:,} 行"
        f"{f'，跳过非数据行 {skipped:,} 行' if skipped else ''}；"
        f"<span style='color:#b00'>错误 {ds.error_count:,}</span>，"
        f"<span style='color:#a60'>警告 {ds.warning_count:,}</span>"
        f"<table><thead><tr><th>表</th><th>计入行数</th></tr></thead><tbody>{rows}</tbody></table></div>")


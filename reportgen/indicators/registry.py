"""The indicator registry (Hamilton style) and the shared, cached inputs indicators are computed from.

An indicator is a small pure function named after what it returns, decorated with
:func:`indicator`. Its parameters name what it needs: each is an attribute of :class:`Inputs`
(``members``, ``orgs``, ``held``, ``committee_current`` …), computed once per ``compute()`` call
and shared by every indicator that asks for it. The catalogue (docs/指标说明.md), ``explain`` and the
JSON context all read the same :data:`REGISTRY`.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any, Callable, Literal

import numpy as np
import pandas as pd

from .. import schema
from ..config import DEFAULT, Config
from ..dataset import Dataset, _add_years, month_only

Unit = Literal["%", "个", "名", "岁", "次", "表", "台账"]

# Labels of rows whose category is blank.
NO_AREA = "未填片区"
UNFILLED = "未填写"

# Chinese names of derived columns, for explain() rows and ledgers.
DERIVED_LABELS = {
    "age": "年龄",
    "age_at_join": "入党时年龄",
    "area_label": schema.ORGS.header("area"),
    "n_members": "党员总数",
    "n_full": "正式党员数",
    "n_units": "联系单位数",
    "n_subtree": "含下级党员总数",
    "unverified": "待核实",
    "left_out_members": "未计入的党员行数",
    "left_out_committee": "未计入的班子成员行数",
    "eff_term_end": "现任一届届满日期",
    "months_overdue": "逾期月数",
    "days_left": "距届满天数",
    "reelected": "连选连任",
    "secretary_reelected": "书记连任",
    "ref_date": "年龄计算日期",
    "size_band": "从业人员规模",
    "built": "已建党组织",
    "work_covered": "党的工作已覆盖",
    "quorum_invalid": "到会人数不足",
    "margin_violation": "差额比例不足",
}


# --------------------------------------------------------------------------- results


@dataclass
class Result:
    """What an indicator function returns: its value and how it was obtained.

    ``numerator``/``denominator`` are the counts behind a share (or the sum and count behind a
    mean); ``rows`` is the frame the value was computed from and ``mask`` (aligned with ``rows``)
    picks the rows behind the value. Rows are kept by reference and only sliced by ``explain``.
    """

    value: Any
    numerator: float | int | None = None
    denominator: float | int | None = None
    rows: pd.DataFrame | None = None
    mask: pd.Series | np.ndarray | None = None

    def behind(self) -> pd.DataFrame | None:
        """The rows behind the value (all of ``rows`` when there is no mask)."""
        if self.rows is None:
            return None
        if self.mask is None:
            return self.rows
        return self.rows[np.asarray(self.mask, dtype=bool)]


def _bool(mask: pd.Series | np.ndarray) -> np.ndarray:
    """A nullable boolean mask as a plain numpy bool array (NA → False)."""
    if isinstance(mask, pd.Series):
        if mask.dtype == bool:
            return mask.to_numpy()
        return mask.fillna(False).to_numpy(dtype=bool)
    return np.asarray(mask, dtype=bool)


def share(hit: pd.Series | np.ndarray, rows: pd.DataFrame | None = None,
          known: pd.Series | np.ndarray | None = None) -> Result:
    """hit ÷ known (all rows when ``known`` is None); None when nothing is known."""
    hit = _bool(hit)
    known_arr = np.ones(len(hit), dtype=bool) if known is None else _bool(known)
    num = int((hit & known_arr).sum())
    den = int(known_arr.sum())
    return Result(num / den if den else None, num, den, rows, hit & known_arr)


def count(hit: pd.Series | np.ndarray, rows: pd.DataFrame | None = None) -> Result:
    """The number of rows where ``hit`` is true."""
    hit = _bool(hit)
    return Result(int(hit.sum()), int(hit.sum()), None, rows, hit)


def mean(values: pd.Series, rows: pd.DataFrame | None = None) -> Result:
    """The arithmetic mean of the non-missing ``values``; None when there are none."""
    v = pd.to_numeric(values, errors="coerce").astype("float64")
    ok = v.notna().to_numpy()
    n = int(ok.sum())
    total = float(v[ok].sum())
    return Result(total / n if n else None, total, n, rows, ok)


def ratio(num: float | int, den: float | int) -> float | None:
    """num ÷ den, None when den is 0."""
    return float(num) / float(den) if den else None


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Spec:
    """One registered indicator."""

    id: str
    label: str
    definition: str
    unit: str
    func: Callable[..., Any]
    params: tuple[str, ...]
    numerator: str = ""
    denominator: str = ""
    compare: bool = True  # scalar: gets a period *_delta; table: gets 上期 columns
    compare_columns: tuple[str, ...] = ()
    note: str = ""

    @property
    def group(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def key(self) -> str:
        return self.id.split(".", 1)[1]

    @property
    def is_table(self) -> bool:
        return self.unit in ("表", "台账")

    @property
    def is_share(self) -> bool:
        return self.unit == "%"


REGISTRY: dict[str, Spec] = {}


def indicator(id: str, *, label: str, definition: str, unit: str, numerator: str = "",
              denominator: str = "", compare: bool | None = None,
              compare_columns: tuple[str, ...] = (), note: str = "") -> Callable:
    """Register a function as indicator ``id``; its parameter names pick its :class:`Inputs`."""

    def wrap(func: Callable) -> Callable:
        if id in REGISTRY:
            raise ValueError(f"indicator {id} registered twice")
        params = tuple(inspect.signature(func).parameters)
        known = {f.name for f in fields(Inputs)}
        for p in params:
            if p not in known and not hasattr(Inputs, p):
                raise TypeError(f"indicator {id}: unknown input {p!r}")
        cmp = compare
        if cmp is None:  # committee.* compare terms, quality.* describe the submission itself
            cmp = id.split(".", 1)[0] not in ("committee", "quality") and unit != "台账"
        REGISTRY[id] = Spec(id, label, definition, unit, func, params, numerator, denominator,
                            cmp, tuple(compare_columns), note)
        return func

    return wrap


def evaluate(spec: Spec, inputs: "Inputs") -> Result:
    """Run one indicator on ``inputs``; a bare return value is wrapped in a Result."""
    out = spec.func(*(getattr(inputs, p) for p in spec.params))
    return out if isinstance(out, Result) else Result(out)


# --------------------------------------------------------------------------- dates and ages


def completed_years(birth: pd.Series, ref: pd.Timestamp | pd.Series,
                    by_month: np.ndarray | None = None) -> pd.Series:
    """Age in completed years (周岁) at ``ref``: year difference, minus 1 before the birthday.

    Where ``by_month`` is true (either date known only to the month) the birthday counts as
    reached in its month: no day is invented. Vectorised; missing dates give NA (float NaN).
    """
    b = pd.to_datetime(birth)
    if isinstance(ref, pd.Series):
        r = pd.to_datetime(ref)
        ry, rm, rd = r.dt.year, r.dt.month, r.dt.day
    else:
        r = pd.Timestamp(ref)
        ry, rm, rd = r.year, r.month, r.day
    bd = b.dt.day
    if by_month is not None and np.any(by_month):
        bd = bd.where(~np.asarray(by_month, dtype=bool), 0)
    years = ry - b.dt.year - ((b.dt.month * 100 + bd) > (rm * 100 + rd)).astype("float64")
    return years.astype("float64")


def month_end(dates: pd.Series, by_month: np.ndarray) -> pd.Series:
    """The last day of the month where ``by_month`` (a date known to the month is reached, or
    passed, only when that month is over); the date itself elsewhere."""
    d = pd.to_datetime(dates)
    if not np.any(by_month):
        return d
    return d.where(~np.asarray(by_month, dtype=bool), d + pd.offsets.MonthEnd(0))


def whole_months(start: pd.Series, end: pd.Timestamp) -> pd.Series:
    """Whole months from ``start`` to ``end`` (a month counts once its day-of-month is reached)."""
    s = pd.to_datetime(start)
    e = pd.Timestamp(end)
    months = (e.year - s.dt.year) * 12 + (e.month - s.dt.month) - (s.dt.day > e.day).astype("int64")
    return months


def add_months(ts: pd.Timestamp, months: int) -> pd.Timestamp:
    return pd.Timestamp(ts) + pd.DateOffset(months=months)


def as_dates(s: pd.Series) -> pd.Series:
    """datetime64 → python ``date`` objects (None when missing), for ledgers a person reads."""
    d = pd.to_datetime(s)
    out = pd.Series(d.dt.date, index=s.index, dtype=object)
    return out.where(d.notna(), None)


def yes(s: pd.Series) -> pd.Series:
    """A 是/否 column as booleans: 是 → True, 否 or blank → False."""
    r = s == schema.YES
    return r if r.dtype == bool else r.fillna(False).astype(bool)


def lookup_dates(keys: pd.Series, dates: pd.Series) -> pd.Series:
    """dates[key] for each key (NaT when absent), aligned with ``keys``; ``dates`` has unique keys."""
    d = pd.Series(pd.to_datetime(dates.to_numpy()), index=pd.Index(dates.index).astype(object))
    d = d.astype("datetime64[ns]")
    out = d.reindex(keys.astype(object).to_numpy())
    return pd.Series(out.to_numpy(), index=keys.index, dtype="datetime64[ns]")


def positions(keys: pd.Series, ref: pd.Series) -> np.ndarray:
    """For each key, the row number of its first occurrence in ``ref`` (-1 when absent or blank).

    Factorises the keys first, so that only the distinct keys are looked up (fast on 1M rows).
    """
    codes, uniques = pd.factorize(keys)  # blank keys get code -1
    ref = ref.reset_index(drop=True)
    first = ~ref.duplicated().to_numpy()
    index = pd.Index(ref[first].astype(object).to_numpy())
    where = np.append(np.flatnonzero(first), -1)  # get_indexer's -1 picks the sentinel
    found = np.append(where[index.get_indexer(pd.Index(np.asarray(uniques, dtype=object)))], -1)
    return found[codes].astype("int64")


def among(keys: pd.Series, values: pd.Series | pd.Index) -> np.ndarray:
    """keys.isin(values) as a numpy bool array, fast for Arrow strings (which pandas' isin is not)."""
    values = pd.Series(np.asarray(values, dtype=object))
    return positions(keys, values.dropna()) >= 0


def take_labels(labels: pd.Series, pos: np.ndarray, missing: str) -> pd.Categorical:
    """labels[pos] as a Categorical with sorted categories; ``missing`` where pos is -1."""
    cats = sorted(set(labels.astype(object)) | {missing})
    lookup = pd.Index(cats)
    codes = lookup.get_indexer(labels.astype(object).to_numpy())
    miss = lookup.get_loc(missing)
    out = np.where(pos >= 0, codes[np.maximum(pos, 0)] if len(codes) else miss, miss)
    return pd.Categorical.from_codes(out.astype("int64"), categories=cats)


def label_series(s: pd.Series, blank: str) -> pd.Series:
    """Text categories with blanks replaced by ``blank`` (a plain object Series)."""
    t = s.astype("string").str.strip()
    return t.mask(t.isna() | (t == ""), blank).astype(object)


# --------------------------------------------------------------------------- tables


def breakdown(values: pd.Series, label: str, categories: tuple[str, ...] | list[str] | None = None,
              count_col: str = "人数", unknown: str | None = UNFILLED) -> pd.DataFrame:
    """A category table: label column, counts and ``占比`` among the rows whose value is filled.

    Categories in the given order (all of them, zeros included) or sorted; blank values form a last
    ``未填写`` row (count only, no share) when there are any.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        counts = values.value_counts(dropna=True)
        counts.index = counts.index.astype(object)
        v = values
    else:
        v = values.astype("string")
        counts = v.value_counts(dropna=True)
    if categories is None:
        categories = sorted(counts.index.tolist())
    counts = counts.groupby(level=0).sum().reindex(list(categories), fill_value=0).astype("int64")
    known = int(counts.sum())
    table = pd.DataFrame({label: list(categories), count_col: counts.to_numpy()})
    table["占比"] = (table[count_col] / known) if known else np.nan
    blanks = int(v.isna().sum())
    if blanks and unknown is not None:
        extra = pd.DataFrame({label: [unknown], count_col: [blanks], "占比": [np.nan]})
        table = pd.concat([table, extra], ignore_index=True)
    table[count_col] = table[count_col].astype("int64")
    table["占比"] = table["占比"].astype("float64")
    return table


# --------------------------------------------------------------------------- inputs


_ORG_ID = "org_id"


@dataclass
class Inputs:
    """The clean tables with the derived columns indicators share, each computed once.

    Every frame keeps the clean table's columns and provenance (``_file``, ``_sheet``, ``_row``).
    """

    ds: Dataset
    config: Config = DEFAULT
    election_window: str = "period"
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.election_window not in ("period", "year"):
            raise ValueError("换届统计范围只能是 period（本期）或 year（本年度截至本期末）")

    # dates ---------------------------------------------------------------
    @property
    def period(self):
        return self.ds.period

    @property
    def as_of(self) -> pd.Timestamp:
        return pd.Timestamp(self.ds.as_of)

    @property
    def period_start(self) -> pd.Timestamp:
        return pd.Timestamp(self.ds.period.start)

    @property
    def period_end(self) -> pd.Timestamp:
        return pd.Timestamp(self.ds.period.end)

    @property
    def window_start(self) -> pd.Timestamp:
        p = self.ds.period
        return pd.Timestamp(p.start if self.election_window == "period" else p.year_start)

    @property
    def window_end(self) -> pd.Timestamp:
        return pd.Timestamp(self.ds.period.end)

    # organizations -------------------------------------------------------
    @cached_property
    def member_org_pos(self) -> np.ndarray:
        """For each member row, the row number of its organization in ``orgs`` (-1 if unknown)."""
        return positions(self.ds.members[_ORG_ID], self.ds.orgs[_ORG_ID])

    @cached_property
    def orgs(self) -> pd.DataFrame:
        """Organizations with their area label, direct member counts, linked units and the
        members of their whole subtree (through parent_id)."""
        o = self.ds.orgs.copy(deep=False)
        o["area_label"] = label_series(o["area"], NO_AREA)
        pos = self.member_org_pos
        known = pos >= 0
        full = (self.ds.members["status"] == schema.FULL_MEMBER).to_numpy(dtype=bool)
        o["n_members"] = np.bincount(pos[known], minlength=len(o)).astype("int64")
        o["n_full"] = np.bincount(pos[known & full], minlength=len(o)).astype("int64")
        u = self.ds.units
        linked = positions(u.loc[u["party_org"].isin(schema.ORG_BUILT).to_numpy(dtype=bool), _ORG_ID],
                           o[_ORG_ID])
        o["n_units"] = np.bincount(linked[linked >= 0], minlength=len(o)).astype("int64")
        o["n_subtree"] = _subtree_totals(o[_ORG_ID].astype(object), o["parent_id"].astype(object),
                                         o["n_members"])
        # rows left out (not as duplicates) refer to it: its roster or committee may be incomplete
        refs = (self.ds.meta or {}).get("unverified")
        if isinstance(refs, pd.DataFrame) and len(refs) and len(o):
            at = positions(o[_ORG_ID], refs["org_id"])
            for col in ("members", "committee"):
                got = refs[col].to_numpy(dtype="int64")
                o[f"left_out_{col}"] = np.where(at >= 0, got[np.maximum(at, 0)], 0).astype("int64")
            o["unverified"] = at >= 0
        else:
            o["left_out_members"] = np.zeros(len(o), dtype="int64")
            o["left_out_committee"] = np.zeros(len(o), dtype="int64")
            o["unverified"] = np.zeros(len(o), dtype=bool)
        return o

    @cached_property
    def org_lookup(self) -> pd.DataFrame:
        """org_id → name, area label, type, sector, member counts (first row per id)."""
        o = self.orgs
        return o.drop_duplicates(_ORG_ID).set_index(o[_ORG_ID].drop_duplicates().astype(object))

    @cached_property
    def org_terms(self) -> pd.DataFrame:
        """Every organization's current term at the as-of date.

        The current term starts at the later of 本届选举日期 and any election on record (up to the
        as-of date) held after it; it ends at 本届届满日期 when the orgs table already reflects that
        election, else at the newer election date plus the term length. ``overdue``: the term ended
        before the as-of date; ``due_soon``: it ends on or after the as-of date and within
        ``due_soon_months``.
        """
        o = self.orgs.copy()
        e = self.ds.elections
        e = e[(e["date"].notna() & (e["date"] <= self.as_of)).to_numpy(dtype=bool)]
        e = e.assign(_by_month=month_only(e, "date")).sort_values("date", kind="stable")
        latest = e.drop_duplicates(_ORG_ID, keep="last")
        latest.index = pd.Index(latest[_ORG_ID].astype(object).to_numpy())
        last_rec = lookup_dates(o[_ORG_ID], latest["date"])
        newer = last_rec.notna() & (o["last_election"].isna() | (last_rec > o["last_election"]))
        newer = newer.to_numpy()
        years = pd.to_numeric(o["term_years"], errors="coerce").fillna(3).astype("int64")
        from_record = _add_years(last_rec, years)
        o["eff_last"] = o["last_election"].where(~newer, last_rec)
        o["eff_term_end"] = o["term_end"].where(~newer, from_record)
        # an end known only to the month is due in that month and overdue from the next one
        at = positions(o[_ORG_ID], pd.Series(latest.index, dtype=object))
        flags = np.append(latest["_by_month"].to_numpy(dtype=bool), False)  # -1 picks False
        o["end_by_month"] = np.where(newer, flags[at], month_only(o, "term_end"))
        end = month_end(o["eff_term_end"], o["end_by_month"].to_numpy())
        o["end_cmp"] = end
        o["overdue"] = (end < self.as_of).fillna(False).to_numpy(dtype=bool)
        o["months_overdue"] = whole_months(end, self.as_of).where(o["overdue"]).astype("Int64")
        soon_limit = add_months(self.as_of, self.config.regulations.due_soon_months)
        o["due_soon"] = ((end >= self.as_of) & (end <= soon_limit)).fillna(False).to_numpy(dtype=bool)
        o["days_left"] = (end - self.as_of).dt.days.where(o["due_soon"]).astype("Int64")
        return o

    # members -------------------------------------------------------------
    @cached_property
    def members(self) -> pd.DataFrame:
        """Members with their age at the as-of date and their organization's area and sector."""
        m = self.ds.members.copy(deep=False)
        m["age"] = completed_years(m["birth_date"], self.as_of)
        pos = self.member_org_pos
        m["org_pos"] = pos
        m["area_label"] = take_labels(self.orgs["area_label"], pos, NO_AREA)
        sector = self.orgs["sector"]
        sector_codes = sector.cat.codes.to_numpy()
        codes = (np.where(pos >= 0, sector_codes[np.maximum(pos, 0)], -1) if len(sector_codes)
                 else np.full(len(pos), -1))
        m["sector"] = pd.Categorical.from_codes(codes, dtype=sector.dtype)
        return m

    @cached_property
    def new_members(self) -> pd.DataFrame:
        """Members whose 入党日期 falls in the period (发展党员), with their age when they joined."""
        m = self.members
        hit = (m["joined"] >= self.period_start) & (m["joined"] <= self.period_end)
        n = m[hit.fillna(False).to_numpy(dtype=bool)].copy()
        n["age_at_join"] = completed_years(n["birth_date"], n["joined"])
        return n

    # elections -----------------------------------------------------------
    @cached_property
    def held(self) -> pd.DataFrame:
        """Elections held in the election window, with their organization and the rule checks."""
        e = self.ds.elections
        hit = (e["date"] >= self.window_start) & (e["date"] <= self.window_end)
        h = e[hit.fillna(False).to_numpy(dtype=bool)].copy()
        lk = self.org_lookup
        ids = h[_ORG_ID].astype(object)
        h["org_name"] = ids.map(lk["name"].astype(object)).to_numpy()
        h["area_label"] = ids.map(lk["area_label"]).fillna(NO_AREA).to_numpy()
        h["n_members"] = ids.map(lk["n_subtree"]).fillna(0).astype("int64").to_numpy()
        reg = self.config.regulations
        qn, qd = _fraction(reg.quorum_fraction)
        present, eligible = h["present"].astype("Float64"), h["eligible"].astype("Float64")
        h["quorum_invalid"] = (qd * present <= qn * eligible).fillna(False).to_numpy(dtype=bool)
        mn, md = _fraction(1 + reg.candidate_margin)
        seats, cands = h["seats"].astype("Float64"), h["candidates"].astype("Float64")
        viol = (seats >= reg.candidate_margin_min_seats) & (md * cands < mn * seats)
        h["margin_violation"] = viol.fillna(False).to_numpy(dtype=bool)
        h["congress_small"] = ((h["method"] == schema.CONGRESS).to_numpy(dtype=bool)
                               & (h["n_members"] < reg.congress_min_members).to_numpy())
        return h.sort_values(["date", _ORG_ID], kind="stable")

    @cached_property
    def renewals(self) -> pd.DataFrame:
        """One row per organization that held an election in the window: its latest one there.

        ``renewed_end`` is the end of the term that election replaced (上届选举日期 + term length).
        """
        h = self.held.sort_values([_ORG_ID, "date"], kind="stable")
        r = h.drop_duplicates(_ORG_ID, keep="last").copy()
        lk = self.org_lookup
        years = pd.to_numeric(r[_ORG_ID].astype(object).map(lk["term_years"]), errors="coerce")
        r["renewed_end"] = _add_years(r["previous_date"], years.fillna(3).astype("int64"))
        # compared by month when the previous election is known only to the month
        r["renewed_end_cmp"] = month_end(r["renewed_end"], month_only(r, "previous_date"))
        return r.reset_index(drop=True)

    @cached_property
    def due(self) -> pd.DataFrame:
        """Organizations whose term (the one under review) ended on or before the period end.

        For an organization that held an election in the window, the term under review is the one
        that election replaced; for the others it is the current term (``org_terms``).
        """
        o = self.org_terms.copy()
        r = self.renewals.set_index(self.renewals[_ORG_ID].astype(object))
        ids = o[_ORG_ID].astype(object)
        renewed = among(ids, r.index)
        o["review_end"] = o["eff_term_end"].where(~renewed, lookup_dates(ids, r["renewed_end"]))
        review_cmp = o["end_cmp"].where(~renewed, lookup_dates(ids, r["renewed_end_cmp"]))
        o["renewed_on"] = lookup_dates(ids, r["date"])
        # due: the term ends in the period or earlier (a month-only end: ends in that month)
        o["is_due"] = (o["review_end"] <= self.period_end).fillna(False).to_numpy(dtype=bool)
        o["on_time"] = (o["is_due"] & renewed & (o["renewed_on"] <= review_cmp).fillna(False).to_numpy(dtype=bool))
        return o

    # committees ----------------------------------------------------------
    @cached_property
    def committee_previous(self) -> pd.DataFrame:
        """上届 committee members of the organizations that held elections in the window, with
        their age at the previous term's election date."""
        return self._committee(schema.PREVIOUS_TERM, "previous_date")

    @cached_property
    def committee_current(self) -> pd.DataFrame:
        """本届 committee members of those organizations, with their age at the election date and
        whether they were re-elected (same person on the 上届 committee of the same organization:
        same ID number; else same name and birth date; else same name when a birth date is
        missing) and, for secretaries, whether they were 上届 secretary there."""
        cur = self._committee(schema.CURRENT_TERM, "date")
        prev = self.committee_previous
        matched_any, matched_sec = _match_people(cur, prev)
        cur["reelected"] = matched_any
        cur["secretary_reelected"] = matched_sec & (cur["role"] == schema.SECRETARY).to_numpy(dtype=bool)
        return cur

    def _committee(self, term: str, date_col: str) -> pd.DataFrame:
        c = self.ds.committee
        r = self.renewals
        in_window = among(c[_ORG_ID], r[_ORG_ID])
        rows = c[((c["term"] == term).to_numpy(dtype=bool) & in_window)].copy()
        by_org = r.set_index(r[_ORG_ID].astype(object))
        rows["ref_date"] = lookup_dates(rows[_ORG_ID], by_org[date_col]).to_numpy()
        # the age is counted by month when the birth or the election date is known only to the month
        ref_month = pd.Series(month_only(r, date_col), index=by_org.index)
        ref_month = ref_month[~ref_month.index.duplicated()]
        by_month = (month_only(rows, "birth_date")
                    | ref_month.reindex(rows[_ORG_ID].astype(object).to_numpy()).fillna(False).to_numpy(dtype=bool))
        rows["age"] = completed_years(rows["birth_date"], rows["ref_date"], by_month)
        lk = self.org_lookup
        rows["area_label"] = rows[_ORG_ID].astype(object).map(lk["area_label"]).fillna(NO_AREA).to_numpy()
        return rows

    # two-new units -------------------------------------------------------
    @cached_property
    def units(self) -> pd.DataFrame:
        """两新组织 with coverage flags and their employee size band."""
        u = self.ds.units.copy()
        u["built"] = u["party_org"].isin(schema.ORG_BUILT).to_numpy(dtype=bool)
        u["work_covered"] = u["built"].to_numpy() | yes(u["has_instructor"]).to_numpy()
        emp = u["employees"].astype("Float64")
        bands = SIZE_BANDS
        band = pd.Series(pd.NA, index=u.index, dtype=object)
        for name, lo, hi in bands:
            band = band.mask(((emp >= lo) & (emp <= hi)).fillna(False).to_numpy(dtype=bool), name)
        u["size_band"] = band
        u["large"] = (emp >= self.config.concerns.large_unit_employees).fillna(False).to_numpy(dtype=bool)
        return u

    # submission ----------------------------------------------------------
    @property
    def dataset(self) -> Dataset:
        return self.ds


# Employee size bands of 两新组织 (upper bounds inclusive).
SIZE_BANDS: tuple[tuple[str, int, float], ...] = (
    ("少于50人", 0, 49), ("50至99人", 50, 99), ("100至299人", 100, 299), ("300人及以上", 300, float("inf")),
)


def _fraction(x: float) -> tuple[int, int]:
    """A threshold such as 0.8 or 1.2 as an exact fraction (4, 5) / (6, 5) for integer tests."""
    from fractions import Fraction

    f = Fraction(str(x)).limit_denominator(1000)
    return f.numerator, f.denominator


def _subtree_totals(ids: pd.Series, parents: pd.Series, own: pd.Series, max_depth: int = 50) -> np.ndarray:
    """Members of each organization and all organizations below it (through parent_id).

    Walks up one level at a time (a loop over levels, not rows): every organization adds its own
    members to each of its ancestors. A cycle in parent_id is cut where an ancestor repeats.
    """
    ids = ids.reset_index(drop=True)
    own = np.asarray(own, dtype="int64")
    total = own.copy()
    parent_of = pd.Series(parents.to_numpy(), index=ids.to_numpy())
    parent_of = parent_of[~parent_of.index.duplicated()]
    index_of = pd.Series(np.arange(len(ids)), index=ids.to_numpy())
    index_of = index_of[~index_of.index.duplicated()]
    current = pd.Series(parents.to_numpy(), dtype=object)
    seen = [ids.astype(object)]
    for _ in range(max_depth):
        alive = current.notna() & current.isin(index_of.index)
        for s in seen:
            alive &= current != s
        if not alive.any():
            break
        pos = current[alive].map(index_of).to_numpy(dtype="int64")
        np.add.at(total, pos, own[alive.to_numpy()])
        seen.append(current.where(alive))
        current = current.where(alive).map(parent_of).astype(object)
    return total


def _match_people(cur: pd.DataFrame, prev: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """For each 本届 row: matched to a 上届 person of the same organization, and whether a matched
    上届 person was 书记. Matching: ID number; else name + birth date when an ID is missing on
    either side; else name when a birth date is also missing on either side."""
    n = len(cur)
    if n == 0 or len(prev) == 0:
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    a = pd.DataFrame({"cid": np.arange(n), "org": cur[_ORG_ID].astype(object).to_numpy(),
                      "idn": cur["id_number"].astype(object).to_numpy(),
                      "name": cur["name"].astype("string").str.strip().astype(object).to_numpy(),
                      "birth": cur["birth_date"].to_numpy()})
    b = pd.DataFrame({"org": prev[_ORG_ID].astype(object).to_numpy(),
                      "idn": prev["id_number"].astype(object).to_numpy(),
                      "name": prev["name"].astype("string").str.strip().astype(object).to_numpy(),
                      "birth": prev["birth_date"].to_numpy(),
                      "was_sec": (prev["role"] == schema.SECRETARY).to_numpy(dtype=bool)})
    a_id, b_id = a["idn"].notna(), b["idn"].notna()
    by_id = a[a_id].merge(b[b_id], on=["org", "idn"], suffixes=("", "_p"))[["cid", "was_sec"]]
    done = set(by_id["cid"])
    rest = a[~a["cid"].isin(done)]
    nb = rest.dropna(subset=["birth"]).merge(b.dropna(subset=["birth"]), on=["org", "name", "birth"],
                                             suffixes=("", "_p"))
    nb = nb[nb["idn"].isna() | nb["idn_p"].isna()][["cid", "was_sec"]]
    done |= set(nb["cid"])
    rest = rest[~rest["cid"].isin(done)]
    nm = rest.merge(b, on=["org", "name"], suffixes=("", "_p"))
    nm = nm[(nm["idn"].isna() | nm["idn_p"].isna()) & (nm["birth"].isna() | nm["birth_p"].isna())]
    pairs = pd.concat([by_id, nb, nm[["cid", "was_sec"]]], ignore_index=True)
    matched = np.zeros(n, dtype=bool)
    matched[pairs["cid"].to_numpy(dtype="int64")] = True
    sec = np.zeros(n, dtype=bool)
    sec[pairs.loc[pairs["was_sec"].astype(bool), "cid"].to_numpy(dtype="int64")] = True
    return matched, sec

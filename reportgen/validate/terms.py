"""The 届别 of committee rows from their dates (the national system's 班子信息集 layout).

A 班子信息集 export has no 届别 column: one row per office held, with 任职日期 and 离职日期. The
term is derived against the organization's latest election (党组织.本届选举日期) and the as-of
date, before any rule runs (so that 届别 is not "missing"):

- 本届 (current term): holds office now — no 离职日期, or one after the as-of date; a member
  elected at the latest election (任职日期 on or after it) who has since left is still counted
  with the committee elected then;
- 上届 (previous term): the committee the latest election replaced — who held office at that
  election: took office before it (or 任职日期 blank) and left on or after it (离职日期 blank or
  not before the election; a 离职日期 given to the month only counts to the end of that month).
  A member of that committee who left during its term is not in it: the 上届 is the committee
  as it stood when it handed over (its size is the seats filled then, the figure set against
  the 本届);
- neither: an office left before the latest election (e.g. one left at the election before it)
  belongs to an older term; its 届别 stays blank (the row is read, and counted in no committee).

With no election on record for the organization, an office left is 上届 (nothing to tell
which term it belonged to).

A row that holds office now and took office before the latest election sat on both committees
(re-elected without a new record); :func:`reportgen.dataset.complete` adds its 上届 copy.
Rows whose 届别 is written keep it. Vectorised.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import schema
from ..ingest import normalize as nz

# Column of ``committee.raw``: True where the office belongs to a term older than the 上届 (its
# 届别 stays blank on purpose: no "届别为空" line for it).
OLDER_TERM = "_older_term"


def derive_terms(committee, orgs, as_of: pd.Timestamp) -> None:
    """Fill the blank 届别 text of ``committee`` (a rules.Table) from its 任职/离职 dates."""
    raw = committee.raw
    if not len(raw) or ("start_date" not in raw and "end_date" not in raw):
        return
    blank = raw["term"].isna().to_numpy() if "term" in raw else np.ones(len(raw), dtype=bool)
    start = _dates(raw, "start_date")
    end = _dates(raw, "end_date")
    dated = (start.notna() | end.notna()).to_numpy()
    todo = blank & dated
    if not todo.any():
        return
    last = last_election_of(raw["org_id"] if "org_id" in raw else pd.Series(pd.NA, index=raw.index),
                            orgs.raw)
    # a 离职日期 known to the month only runs to the end of that month
    end_month = _month_only(raw, "end_date")
    end_by = end.where(~end_month, end + pd.offsets.MonthEnd(0))
    now = (end.isna() | (end > as_of)).to_numpy()
    before = ((end.notna() & (end <= last)) | (start.notna() & (start < last))).fillna(False).to_numpy()
    elected = (start.notna() & (start >= last)).fillna(False).to_numpy()
    current = now | (elected & ~before)
    no_election = last.isna().to_numpy()
    held_at_election = ((start.isna() | (start < last)) & (end.isna() | (end_by >= last))).fillna(False).to_numpy()
    previous = ~current & ((held_at_election & ~no_election) | no_election)
    term = np.where(current, schema.CURRENT_TERM, np.where(previous, schema.PREVIOUS_TERM, None))
    fill = todo & (term != None)  # noqa: E711 - elementwise
    raw[OLDER_TERM] = todo & ~fill
    if not fill.any():
        return
    column = raw["term"].astype(nz.STRING) if "term" in raw else pd.Series(pd.NA, index=raw.index, dtype=nz.STRING)
    column = column.copy()
    column[fill] = term[fill]
    raw["term"] = column


def _month_only(raw: pd.DataFrame, key: str) -> pd.Series:
    if key not in raw:
        return pd.Series(False, index=raw.index)
    return pd.Series(nz.parse_dates(raw[key].astype(nz.STRING))["month_only"].to_numpy(dtype=bool), index=raw.index)


def _dates(raw: pd.DataFrame, key: str) -> pd.Series:
    if key not in raw:
        return pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    return pd.to_datetime(nz.parse_dates(raw[key].astype(nz.STRING))["date"]).reset_index(drop=True).set_axis(raw.index)


def last_election_of(org_text: pd.Series, orgs_raw: pd.DataFrame) -> pd.Series:
    """Per row: the latest election date of the organization named by code or by exact name."""
    out = pd.Series(pd.NaT, index=org_text.index, dtype="datetime64[ns]")
    if not len(orgs_raw) or "last_election" not in orgs_raw:
        return out
    dates = pd.to_datetime(nz.parse_dates(orgs_raw["last_election"].astype(nz.STRING))["date"]).to_numpy()
    key = nz.compact(org_text.astype(nz.STRING))
    for col in ("org_id", "name"):
        if col not in orgs_raw:
            continue
        names = nz.compact(orgs_raw[col].astype(nz.STRING)).to_numpy()
        table = pd.Series(dates, index=names)
        table = table[table.index.notna()]
        table = table[~table.index.duplicated(keep=False)]
        found = key.map(table)
        out = out.fillna(pd.to_datetime(found.to_numpy()).to_series(index=out.index))
    return out

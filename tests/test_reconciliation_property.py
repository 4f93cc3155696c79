"""Nothing lost (SPEC §2): over random messy submission sets made by ``reportgen.samples.generate``,
per file and sheet, rows read = rows used + rows left out + rows skipped (not data); every row left
out has a 错误 line at that file, sheet and row, every row skipped a 已跳过 line; no used row has
either; every planted problem of the manifest is found."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import reject, HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen import schema
from reportgen.ingest import load
from reportgen.samples import generate
from reportgen.validate import catalog

KEYS = ["file", "sheet", "row"]


def _used_rows(ds) -> pd.DataFrame:
    parts = [getattr(ds, s.key)[["_file", "_sheet", "_row"]] for s in schema.DATA_SHEETS]
    used = pd.concat(parts, ignore_index=True)
    used.columns = KEYS
    return used.astype({"file": str, "sheet": str, "row": "int64"})


@settings(max_examples=int(__import__("os").environ.get("RG_EXAMPLES", 200)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(1, 10_000), members=st.integers(200, 320), workbooks=st.integers(1, 3),
       legacy=st.booleans())
def test_rows_read_equal_rows_used_plus_rows_left_out_plus_rows_skipped(seed, members, workbooks, legacy):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "2026Q3"
        try:
            made = generate(folder, members=members, workbooks=workbooks, seed=seed, messy=True,
                            legacy_formats=legacy)
        except ValueError:  # a draw whose 两新 units hold over half the members: no district to make
            reject()
        ds = load(folder, period="2026Q3")
        manifest = pd.read_csv(made.manifest, encoding="utf-8-sig", dtype={"row": "int64"})

    rec = ds.reconciliation
    assert (rec["rows_read"] == rec["rows_used"] + rec["rows_left_out"] + rec["rows_skipped"]).all(), rec

    used = _used_rows(ds)
    assert not used.duplicated().any()
    # rows left out: those with an issue whose rule drops the row (SPEC §2; other 错误 make a
    # field unknown and the row is counted)
    drops = ds.issues["rule"].map(lambda r: catalog.rule(r).drops_row).astype(bool)
    errors = ds.issues[drops & ds.issues["row"].notna()]
    left = errors[KEYS].astype({"file": str, "sheet": str, "row": "int64"}).drop_duplicates()
    # rows left out and rows used are disjoint, and together they are the rows read
    both = used.merge(left, on=KEYS)
    assert both.empty, both
    skipped = ds.issues[(ds.issues["severity"] == "已跳过") & ds.issues["row"].notna()]
    skipped = skipped[KEYS].astype({"file": str, "sheet": str, "row": "int64"}).drop_duplicates()
    assert used.merge(skipped, on=KEYS).empty and left.merge(skipped, on=KEYS).empty
    counted = pd.concat([used.assign(used=1, left=0, skip=0), left.assign(used=0, left=1, skip=0),
                         skipped.assign(used=0, left=0, skip=1)])
    per_sheet = counted.groupby(["file", "sheet"])[["used", "left", "skip"]].sum()
    got = rec.set_index(["file", "sheet"])[["rows_read", "rows_used", "rows_left_out", "rows_skipped"]]
    got = got[got["rows_read"] > 0]
    joined = got.join(per_sheet, how="left").fillna(0)
    assert (joined["rows_used"] == joined["used"]).all(), joined
    assert (joined["rows_left_out"] == joined["left"]).all(), joined
    assert (joined["rows_skipped"] == joined["skip"]).all(), joined
    assert (joined["rows_read"] == joined["used"] + joined["left"] + joined["skip"]).all(), joined

    # every planted problem is found at its file, sheet, row with its rule and severity
    assert len(manifest) > 0
    found = ds.issues[["file", "sheet", "row", "rule", "severity"]].dropna(subset=["row"]).astype(
        {"file": str, "sheet": str, "row": "int64", "rule": str, "severity": str})
    planted = manifest[["file", "sheet", "row", "rule", "severity"]].astype(
        {"file": str, "sheet": str, "row": "int64", "rule": str, "severity": str})
    missed = planted.merge(found.drop_duplicates(), how="left", indicator=True)
    missed = missed[missed["_merge"] == "left_only"]
    assert missed.empty, missed

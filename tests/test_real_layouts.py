"""Fixtures that are not ours (issue 16 item 7): workbooks in the layouts organization departments
really exchange (tests/realfiles.py) go through ``reportgen.load`` and ``reportgen.compute``, and
every figure is checked against a count made here, independently, with plain pandas from what the
writer says it wrote — never with reportgen's indicator code.

Definitions are those of SPEC §3 and docs/指标说明.md: ages in completed years at the as-of date
(the last day of 2026Q3); the election window is the quarter; committee figures cover the
organizations that held an election in the window — the current term is who holds office now, the
previous term who held office just before that election; re-elected = in both terms of the same
organization (same ID number).

Rows may be lost only because the person cannot be identified (no name and no ID number) or is a
second copy; furniture (title, 合计/小计, section, note, signature, 填表说明 example rows, the hidden 字典)
is skipped, never an error and never counted; rows read = counted + left out + skipped.

What the reader must understand for these checks to pass (issue 16), by workbook:
- national export: 学历 short and 党校 forms (博士及以上, 在职研究生, 中央党校研究生/大学, 省（区、市）委党校大学/
  大专, 高中及以下), a branch given by its 简称, a person kept when one field is unknown;
- WPS .xls on Sheet1: 党籍状态（正式党员或预备党员）, 民族 "汉", GB/T 4658 学历 words (中等专科, 普通高中, 职业
  高中, 技工学校, 初中, 小学), the older 工作岗位 wording, 所在党支部 by 简称 beside 所在党支部编码 30130;
- hand-made roster: 性别 1/2, 出生年月 "1969.01" (month precision, agreeing with the ID number), 预/正,
  the visible 学历 preferred to a hidden stale copy, blank rows, 合计 / note / signature rows skipped;
- organization list: 简称, parent by name (全称 or 简称), 单位类别 其他事业单位, a code with a leading space;
- 换届统计表: 应到会有选举权党员数 / 实到会有选举权党员数, month-only dates, 总计 and note rows skipped;
- 班子信息集: recognised as committee (not as a member roster), org by 所属党支部 name, 本届/上届 derived
  from 任职日期/离职日期;
- 两新 table: one-hot √ under 党组织组建情况, section / 小计 / 合计 / note / signature rows skipped, 所属党组织
  by 简称, the 填表说明 sheet's 填写示例 rows skipped, the hidden 字典 sheet not taken for data;
- reconciliation: a skipped-rows column (any column whose name contains "skip").
The control test (template layout, same people) checks that the independent count agrees with
reportgen's own definitions, so a failure here is a reading failure, not a definition mismatch.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

import reportgen
from realfiles import (AS_OF, COLLEGE, EDU_LEVELS, F_COMMITTEE, F_NATIONAL, F_ROSTER, F_XLS, FILES,
                       NATIONAL_ORGS, PERIOD, PERIOD_END, PERIOD_START, ROSTER_ORGS, XLS_ORGS, write_district)

ERROR = "错误"
RULE_BRANCHES = ("党支部", "联合党支部")  # the 党支部 rules do not apply to a 临时党支部
BANDS = (("30岁及以下", 0, 30), ("31至35岁", 31, 35), ("36至40岁", 36, 40), ("41至45岁", 41, 45),
         ("46至50岁", 46, 50), ("51至55岁", 51, 55), ("56至60岁", 56, 60), ("61岁及以上", 61, 999))


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = tmp_path_factory.mktemp("real") / PERIOD
    truth = write_district(folder)
    ds = reportgen.load(folder, period=PERIOD)
    ind = reportgen.compute(ds)
    return truth, ds, ind


# ---------------------------------------------------------------- the independent count


def _age(birth: date, at: date) -> int:
    return at.year - birth.year - ((birth.month, birth.day) > (at.month, at.day))


def expected(truth) -> dict:
    """Every checked figure, counted from the truth with plain pandas."""
    m = truth.members
    n = len(m)
    age = m["birth"].map(lambda b: _age(b, AS_OF))
    exp = {
        "members.total": n,
        "members.full": int((m["status"] == "正式党员").sum()),
        "members.probationary": int((m["status"] == "预备党员").sum()),
        "members.female_share": (m["gender"] == "女").sum() / n,
        "members.minority_share": (m["ethnicity"] != "汉族").sum() / n,
        "members.age_mean": age.mean(),
        "members.under35_share": (age <= 35).sum() / n,
        "members.college_share": m["education"].isin(COLLEGE).sum() / n,
    }
    exp["members.age_bands"] = {name: int(((age >= lo) & (age <= hi)).sum()) for name, lo, hi in BANDS}
    exp["members.education"] = {lvl: int((m["education"] == lvl).sum()) for lvl in EDU_LEVELS}

    o = truth.orgs
    exp["orgs.total"] = len(o)
    exp["orgs.by_type"] = o["org_type"].value_counts().to_dict()
    full = m[m["status"] == "正式党员"].groupby("code").size().reindex(o["code"], fill_value=0)
    size = m.groupby("code").size().reindex(o["code"], fill_value=0)
    branch = o["org_type"].isin(RULE_BRANCHES).to_numpy()
    exp["orgs.branches_under_3"] = int((branch & (full.to_numpy() < 3)).sum())
    exp["orgs.branches_over_50"] = int((branch & (size.to_numpy() > 50)).sum())

    e = truth.elections.copy()
    # the files give month-only dates, which mean the 1st of the month
    e["written"] = e["date"].map(lambda d: date(d.year, d.month, 1))
    held = e[(e["written"] >= PERIOD_START) & (e["written"] <= PERIOD_END)]
    exp["elections.held"] = len(held)
    exp["elections.turnout"] = held["present"].sum() / held["eligible"].sum()
    exp["elections.invalid_quorum"] = int((5 * held["present"] <= 4 * held["eligible"]).sum())
    need = (held["seats"] * 12 + 9) // 10  # 120 % of the seats, rounded up
    exp["elections.candidate_margin_violations"] = int(((held["seats"] >= 3) & (held["candidates"] < need)).sum())

    c = truth.committee
    current, previous = [], []
    for code, when in held.groupby("code")["date"].max().items():
        offices = c[c["code"] == code]
        now = offices[offices["end"].isna() | offices["end"].map(lambda d: d is None)]
        before = offices[(offices["start"] < when)
                         & offices["end"].map(lambda d: d is None or (isinstance(d, date) and d >= when))]
        current.append(now.drop_duplicates("id"))
        previous.append(before.drop_duplicates("id"))
    cur, prev = pd.concat(current), pd.concat(previous)
    re = cur.merge(prev[["code", "id"]], on=["code", "id"], how="inner")
    exp["committee.size"] = len(cur)
    exp["committee.size_previous"] = len(prev)
    exp["committee.reelected"] = len(re)
    exp["committee.reelected_share"] = len(re) / len(cur)

    u = truth.units
    built = u["party_org"].isin(("单独组建", "联合组建"))
    large = u["employees"] >= 100
    exp["coverage.units"] = len(u)
    exp["coverage.org_share"] = built.sum() / len(u)
    exp["coverage.work_share"] = (built | (u["instructor"] == "是")).sum() / len(u)
    exp["coverage.org_share_100plus"] = (built & large).sum() / large.sum()
    for col, key in (("union", "union_share"), ("youth", "youth_league_share"), ("women", "women_org_share")):
        exp[f"coverage.{key}"] = (built & (u[col] == 1)).sum() / built.sum()
    return exp


def test_the_truth_has_what_the_checks_need(tmp_path):
    """The fixture itself: the cases each figure is meant to exercise are really there."""
    t = write_district(tmp_path)
    exp = expected(t)
    assert 300 <= exp["members.total"] <= 600
    assert exp["orgs.branches_under_3"] == 2 and exp["orgs.branches_over_50"] == 1
    assert exp["elections.held"] == 4 and len(t.elections) == 5  # one history row before the quarter
    assert exp["elections.invalid_quorum"] == 1 and exp["elections.candidate_margin_violations"] == 1
    assert (exp["committee.size"], exp["committee.size_previous"], exp["committee.reelected"]) == (18, 16, 9)
    assert 0 < exp["members.minority_share"] < 0.2 and 0 < exp["members.probationary"]
    assert exp["coverage.units"] == 14
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES)
    # the same seed writes the same people
    again = write_district(tmp_path / "again")
    assert again.members["id"].tolist() == t.members["id"].tolist()


# ---------------------------------------------------------------- figures

SCALARS = ("members.total", "members.full", "members.probationary", "members.female_share",
           "members.minority_share", "members.age_mean", "members.under35_share", "members.college_share",
           "orgs.total", "orgs.branches_under_3", "orgs.branches_over_50",
           "elections.held", "elections.turnout", "elections.invalid_quorum",
           "elections.candidate_margin_violations",
           "committee.size", "committee.size_previous", "committee.reelected", "committee.reelected_share",
           "coverage.units", "coverage.org_share", "coverage.work_share", "coverage.org_share_100plus",
           "coverage.union_share", "coverage.youth_league_share", "coverage.women_org_share")


@pytest.mark.parametrize("key", SCALARS)
def test_figure(made, key):
    truth, ds, ind = made
    want = expected(truth)[key]
    got = ind.get(key)
    assert got is not None, f"{key}: no value"
    if isinstance(want, float) or isinstance(got, float):
        assert math.isclose(float(got), float(want), rel_tol=0, abs_tol=1e-9), f"{key}: {got} ≠ {want}"
    else:
        assert int(got) == int(want), f"{key}: {got} ≠ {want}"


def test_age_bands(made):
    truth, ds, ind = made
    table = ind.table("members.age_bands")
    got = dict(zip(table["年龄段"], table["人数"].astype(int)))
    assert got == expected(truth)["members.age_bands"]


def test_education_counts(made):
    """Every level exactly, except that the national system's 高中及以下 does not say which of the two
    lowest levels a member has: for those two only their sum is fixed."""
    truth, ds, ind = made
    want = expected(truth)["members.education"]
    table = ind.table("members.education")
    got = {k: int(v) for k, v in zip(table["学历"], table["人数"])}
    assert got.get("未填写", 0) == 0, table
    for level in ("研究生", "大学本科", "大学专科", "中专"):
        assert got[level] == want[level], (level, got, want)
    assert got["高中、中技"] + got["初中及以下"] == want["高中、中技"] + want["初中及以下"], (got, want)


def test_orgs_by_type(made):
    truth, ds, ind = made
    table = ind.table("orgs.by_type")
    got = {k: int(v) for k, v in zip(table["组织类别"], table["个数"]) if int(v)}
    assert got == expected(truth)["orgs.by_type"]


def test_members_per_file(made):
    """Each member file contributes exactly its people (the roster less its two planted rows)."""
    truth, ds, ind = made
    m = truth.members
    want = {F_NATIONAL: int(m["code"].isin(NATIONAL_ORGS).sum()), F_XLS: int(m["code"].isin(XLS_ORGS).sum()),
            F_ROSTER: int(m["code"].isin(ROSTER_ORGS).sum())}
    got = ds.members["_file"].astype(str).value_counts().to_dict()
    assert got == want


def test_members_attached_to_their_branch(made):
    """Every member is counted in the branch the writer put them in (names, 简称, 30130, padded codes)."""
    truth, ds, ind = made
    got = ds.members.assign(id=ds.members["id_number"].astype(str))[["id", "org_id"]]
    merged = truth.members[["id", "code"]].merge(got, on="id", how="left")
    wrong = merged[merged["org_id"].astype("string").str.strip().fillna("(not counted)") != merged["code"]]
    assert wrong.empty, wrong.head(10).to_string()


def _finding_orgs(ind, fid: str) -> list[str]:
    f = next((f for f in ind.findings if f.id == fid), None)
    if f is None or f.ledger is None:
        return []
    return sorted(f.ledger["组织编码"].astype(str).str.strip())


def expected_finding_orgs(truth) -> dict[str, list[str]]:
    e = truth.elections
    held = e[e["date"].map(lambda d: PERIOD_START <= date(d.year, d.month, 1) <= PERIOD_END)]
    need = (held["seats"] * 12 + 9) // 10
    return {"elections.invalid_quorum": sorted(held.loc[5 * held["present"] <= 4 * held["eligible"], "code"]),
            "elections.candidate_margin": sorted(held.loc[(held["seats"] >= 3) & (held["candidates"] < need), "code"])}


@pytest.mark.parametrize("fid", ["elections.invalid_quorum", "elections.candidate_margin"])
def test_election_findings_name_the_organizations(made, fid):
    truth, ds, ind = made
    assert _finding_orgs(ind, fid) == expected_finding_orgs(truth)[fid]


# ---------------------------------------------------------------- rows: counted, left out, skipped


def _skipped_column(rec: pd.DataFrame) -> str:
    cols = [c for c in rec.columns if "skip" in c]
    assert cols, f"reconciliation has no skipped-rows column: {list(rec.columns)}"
    return cols[0]


def test_rows_read_are_counted_left_out_or_skipped(made):
    truth, ds, ind = made
    rec = ds.reconciliation
    skipped = _skipped_column(rec)
    bad = rec[rec["rows_read"] != rec["rows_used"] + rec["rows_left_out"] + rec[skipped]]
    assert bad.empty, bad.to_string()
    per_file = rec.groupby(rec["file"].astype(str))[["rows_used", "rows_left_out"]].sum()
    left = pd.Series([f for f, _, _ in truth.left_out]).value_counts()
    for f in FILES:
        want_left = int(left.get(f, 0))
        assert int(per_file.loc[f, "rows_left_out"]) == want_left, (f, per_file.loc[f].to_dict())
        if f != F_COMMITTEE:  # the 班子信息集 has one row per office: its rows are all data
            assert int(per_file.loc[f, "rows_used"]) == truth.data_rows[f] - want_left, (f, per_file.loc[f].to_dict())


def test_only_identity_problems_are_errors(made):
    """No 错误 but the two planted identity rows: no vocabulary, header or furniture error."""
    truth, ds, ind = made
    errors = ds.issues[ds.issues["severity"] == ERROR]
    planted = {(f, r) for f, r, _ in truth.left_out}
    rows = pd.to_numeric(errors["row"], errors="coerce")
    at = [(str(f), int(r) if r == r else None) for f, r in zip(errors["file"], rows)]
    other = errors[[a not in planted for a in at]]
    summary = other.groupby(["file", "sheet", "rule", "column"]).size().to_string() if len(other) else ""
    assert other.empty, f"{len(other)} unexpected 错误 lines:\n{summary}"
    assert planted <= set(at), "the planted rows were not reported"


def test_no_error_repeated_per_row_for_one_value(made):
    """An unknown value is reported once with its count, not once per row."""
    truth, ds, ind = made
    errors = ds.issues[(ds.issues["severity"] == ERROR) & (ds.issues["rule"].astype(str) == "row.enum")]
    rep = errors.groupby(["file", "sheet", "rule", "column", "value"]).size()
    assert (rep <= 1).all(), rep[rep > 1].sort_values(ascending=False).head(15).to_string()


def test_furniture_is_neither_counted_nor_an_error(made):
    truth, ds, ind = made
    used = pd.concat([getattr(ds, k)[["_file", "_sheet", "_row"]] for k in ("orgs", "members", "elections",
                                                                             "committee", "units")])
    used_at = set(zip(used["_file"].astype(str), used["_row"].astype(int)))
    furniture = set(truth.furniture)
    assert not (furniture & used_at), sorted(furniture & used_at)
    errors = ds.issues[ds.issues["severity"] == ERROR]
    err_at = {(str(f), int(r)) for f, r in zip(errors["file"], pd.to_numeric(errors["row"], errors="coerce"))
              if r == r}
    assert not (furniture & err_at), sorted(furniture & err_at)
    # the 填表说明 sheet (its 填写示例 rows) and the hidden 字典 sheet give no data and no error
    assert not used["_sheet"].astype(str).isin(["填表说明", "字典"]).any()
    side = ds.issues[ds.issues["sheet"].astype(str).isin(["填表说明", "字典"]) & (ds.issues["severity"] == ERROR)]
    assert side.empty, side[["sheet", "row", "column", "rule"]].to_string()


def test_every_unit_and_org_is_counted_once(made):
    truth, ds, ind = made
    assert sorted(ds.units["unit_name"].astype(str)) == sorted(truth.units["name"])
    assert sorted(ds.orgs["org_id"].astype(str).str.strip()) == sorted(truth.orgs["code"])
    assert len(ds.elections) == len(truth.elections)


# ---------------------------------------------------------------- control: the same district, our layout


@pytest.fixture(scope="module")
def control(tmp_path_factory):
    from realfiles import write_canonical

    folder = tmp_path_factory.mktemp("control") / PERIOD
    truth = write_canonical(folder)
    ds = reportgen.load(folder, period=PERIOD)
    return truth, ds, reportgen.compute(ds)


def test_control_the_independent_count_agrees_with_reportgen_on_the_template_layout(control):
    """The same people in the template's own layout: every figure of ``expected`` is what reportgen
    computes, so the definitions above are reportgen's and a failure above is a reading failure."""
    truth, ds, ind = control
    assert ds.error_count == 0, ds.issues[ds.issues["severity"] == ERROR].head().to_string()
    want = expected(truth)
    for key in SCALARS:
        assert math.isclose(float(ind.get(key)), float(want[key]), abs_tol=1e-9), (key, ind.get(key), want[key])
    bands = ind.table("members.age_bands")
    assert dict(zip(bands["年龄段"], bands["人数"].astype(int))) == want["members.age_bands"]
    edu = ind.table("members.education")
    assert {k: int(v) for k, v in zip(edu["学历"], edu["人数"])} == want["members.education"]
    for fid, orgs in expected_finding_orgs(truth).items():
        assert _finding_orgs(ind, fid) == orgs, fid


# ---------------------------------------------------------------- the sample district's real-layout workbooks


def test_sample_committee_offices_give_back_both_terms():
    """samples_layouts turns 本届/上届 rows into offices with 任职/离职 dates; who holds office now and
    who held it just before 本届选举日期 are exactly the two terms again (same person, same role)."""
    from reportgen.samples import build_district
    from reportgen.samples_layouts import committee_offices

    d = build_district(1500, 7, PERIOD, "示例区")
    off = committee_offices(d.committee, d.orgs, d.elections)
    last = off["org_id"].map(pd.to_datetime(d.orgs.set_index("org_id")["last_election"]))
    start, end = pd.to_datetime(off["start"]), pd.to_datetime(off["end"])
    assert start.notna().all() and (start <= pd.Timestamp(PERIOD_END)).all()
    now = off[end.isna()]
    before = off[(start < last) & (end.isna() | (end >= last))]

    def key(f):
        return sorted((str(o), str(i), str(r)) for o, i, r in zip(f["org_id"], f["id_number"], f["role"]))

    c = d.committee
    assert key(now) == key(c[c["term"] == "本届"])
    assert key(before) == key(c[c["term"] == "上届"])
    assert len(off) < len(c)  # a re-elected member in the same role holds one office, not two rows


SAMPLE_KW = dict(members=1500, workbooks=6, seed=5, period=PERIOD, jobs=1)
# 兼任职务 is not part of a 班子信息集, so 一肩挑 may be judged from fewer secretaries
NOT_COMPARED = ("quality.", "committee.secretary_union_chair_share")


@pytest.fixture(scope="module")
def sample_pair(tmp_path_factory):
    from reportgen.samples import generate

    root = tmp_path_factory.mktemp("sample")
    ours = generate(root / "ours" / PERIOD, **SAMPLE_KW)
    real = generate(root / "real" / PERIOD, real_layouts=True, **SAMPLE_KW)
    return ours, real


def test_sample_writes_real_layout_workbooks(sample_pair):
    ours, real = sample_pair
    extra = sorted(set(real.files) - set(ours.files))
    assert [f for f in extra if f.endswith("_党员信息导出.xlsx")]
    assert [f for f in extra if f.endswith("_党组织名册.xlsx")]
    assert [f for f in extra if f.endswith("_班子信息集.xlsx")]
    assert [f for f in extra if f.endswith("_换届选举情况统计表.xlsx")]
    units = real.out_dir / next(f for f in real.files if "两新组织" in f)
    import openpyxl

    wb = openpyxl.load_workbook(units)
    assert wb.sheetnames == ["两新组织党建情况统计表", "填表说明", "字典"]
    assert wb["字典"].sheet_state == "hidden"
    ws = wb["两新组织党建情况统计表"]
    assert [ws.cell(4, j).value for j in (7, 8, 9)] == ["单独组建", "联合组建", "未建立"]
    assert ws.cell(5, 1).value == "一、非公有制企业"


def test_sample_in_real_layouts_gives_the_same_figures(sample_pair):
    """The same district, some of it in real layouts: every scalar figure is the same."""
    ours, real = sample_pair
    a = reportgen.compute(reportgen.load(ours.out_dir, period=PERIOD))
    ds = reportgen.load(real.out_dir, period=PERIOD)
    b = reportgen.compute(ds)
    diff = {}
    for key, v in a.values.items():
        if key.startswith(NOT_COMPARED) or isinstance(v, pd.DataFrame) or isinstance(v, (list, dict)):
            continue
        w = b.values.get(key)
        same = (v is None and w is None) or (v is not None and w is not None
                                             and math.isclose(float(v), float(w), abs_tol=1e-9))
        if not same:
            diff[key] = (v, w)
    assert not diff, "\n".join(f"{k}: {v} → {w}" for k, (v, w) in diff.items())
    assert ds.error_count == 0, ds.issues[ds.issues["severity"] == ERROR].groupby(
        ["file", "rule", "column"]).size().to_string()


def test_sample_real_layouts_are_deterministic(tmp_path):
    from reportgen.samples import generate

    kw = dict(members=600, workbooks=4, seed=9, period=PERIOD, messy=True, legacy_formats=True, jobs=1,
              real_layouts=True)
    a = generate(tmp_path / "a" / PERIOD, **kw)
    b = generate(tmp_path / "b" / PERIOD, **kw)
    assert a.files == b.files and any(f.endswith("_班子信息集.xlsx") for f in a.files)
    for f in a.files:
        assert (a.out_dir / f).read_bytes() == (b.out_dir / f).read_bytes(), f
    assert a.manifest.read_bytes() == b.manifest.read_bytes()

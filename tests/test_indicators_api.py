"""The Indicators object: previous-period deltas, nested context, JSON, explain, catalogue."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from reportgen.dataset import Dataset
from reportgen.docsgen import CATALOGUE, indicator_catalogue
from reportgen.indicators import REGISTRY, compute, explain
from reportgen.periods import Period

# Every id of the table in SPEC §3, written out from the SPEC, plus the breakdowns the brief names.
SPEC_IDS = """
orgs.total orgs.by_type orgs.by_sector orgs.by_area orgs.secretary_vacant orgs.branches_under_3
orgs.no_committee_7plus orgs.branches_over_50
members.total members.full members.probationary members.female_share members.minority_share
members.age_mean members.age_bands members.under35_share members.education members.college_share
members.by_occupation members.retired_share members.mobile_share
development.total development.under35_share development.college_share development.female_share
development.two_new
elections.due elections.held elections.on_time_share elections.overdue elections.due_soon
elections.turnout elections.invalid_quorum elections.candidate_margin_violations
committee.size committee.size_previous committee.reelected committee.reelected_share committee.new
committee.new_share committee.secretary_reelected_share committee.age_mean committee.age_mean_previous
committee.college_share committee.college_share_previous committee.female committee.female_share
committee.female_previous committee.secretary_union_chair_share
coverage.units coverage.org_share coverage.work_share coverage.org_share_100plus coverage.union_share
coverage.youth_league_share coverage.women_org_share
quality.rows_read quality.rows_used quality.errors quality.warnings
members.by_area elections.overdue_by_area coverage.by_location coverage.by_size committee.by_area
""".split()

_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def idn(body: str) -> str:
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _W)) % 11]


ID_A = idn("11010519900101123")
ID_B = idn("11010519750615456")


def _orgs():
    return pd.DataFrame([
        dict(org_id="B1", name="东城第一支部", org_type="党支部", sector="非公有制企业", area="东片",
             last_election="2023-06-01", secretary="甲"),
        dict(org_id="B2", name="西城<第二>支部", org_type="党支部", sector="机关", area="西片",
             last_election="2025-06-01", secretary="乙"),
    ])


def member(name, gender, birth, org_id="B1", id_number=None, joined="2010-01-01"):
    return dict(name=name, gender=gender, birth_date=birth, education="大学本科", joined=joined,
                full_member_since="2011-01-01", org_id=org_id, id_number=id_number)


def current():
    members = pd.DataFrame([member("甲一", "女", "1990-01-01", id_number=ID_A),
                            member("甲二", "男", "1975-06-15", id_number=ID_B),
                            member("甲三", "女", "1960-01-01", "B2"), member("甲四", "男", "1993-03-03", "B2"),
                            member("甲五", "男", "1999-09-09", "B2", joined="2026-08-01")])
    units = pd.DataFrame([dict(unit_name="某科技公司", unit_type="非公有制企业", employees=120,
                               party_org="单独组建", org_id="B1")])
    return Dataset.from_frames(Period(2026, 3), orgs=_orgs(), members=members, units=units)


def previous():
    members = pd.DataFrame([member("甲一", "女", "1990-01-01"), member("甲二", "男", "1975-06-15"),
                            member("甲三", "女", "1960-01-01", "B2"), member("甲四", "男", "1993-03-03", "B2")])
    return Dataset.from_frames(Period(2026, 2), orgs=_orgs(), members=members)


@pytest.fixture(scope="module")
def ind():
    return compute(current(), previous=previous())


def test_deltas_against_previous_period(ind):
    assert ind.get("members.total_delta") == 1
    assert ind.get("members.female_share_delta") == pytest.approx(2 / 5 - 2 / 4)  # -0.1, a share difference
    assert ind.get("development.total_delta") == 1
    assert ind.previous["members.total"] == 4
    # a side that cannot be computed (no 两新 units last quarter): the delta is absent, not null
    assert ind.previous["coverage.org_share"] is None
    assert "coverage.org_share_delta" not in ind.values
    assert ind.get("coverage.units_delta") == 1
    # committee figures compare terms, not periods; quality is not compared
    assert "committee.reelected_share_delta" not in ind.values
    assert "quality.rows_read_delta" not in ind.values


def test_previous_columns_in_tables(ind):
    bands = ind.table("members.age_bands")
    assert bands.columns.tolist() == ["年龄段", "人数", "占比", "上期人数", "上期占比"]
    # at 2026-09-30: 36, 51, 66, 33, 27; at 2026-06-30: 36, 51, 66, 33
    assert bands["人数"].tolist() == [1, 1, 1, 0, 0, 1, 0, 1]
    assert bands["上期人数"].tolist() == [0, 1, 1, 0, 0, 1, 0, 1]
    assert bands["上期占比"].tolist() == pytest.approx([0, 0.25, 0.25, 0, 0, 0.25, 0, 0.25])
    org_types = ind.table("orgs.by_type")
    assert "上期个数" in org_types.columns and "上期占比" in org_types.columns


def test_no_previous():
    ind = compute(current())
    assert ind.previous is None
    assert not any(k.endswith("_delta") and not k.startswith("committee.") for k in ind.values)
    ctx = ind.context()
    assert ctx["previous"] == {} and ctx["has_previous"] is False
    assert "上期人数" not in ind.table("members.age_bands").columns


def test_context_is_nested(ind):
    ctx = ind.context()
    assert ctx["members"]["total"] == 5
    assert ctx["members"]["total_delta"] == 1
    assert isinstance(ctx["members"]["age_bands"], pd.DataFrame)
    assert ctx["previous"]["members"]["total"] == 4
    assert ctx["has_previous"] is True
    assert ctx["period"] == {"label": "2026Q3", "zh": "2026年第三季度", "year": 2026, "quarter": 3,
                             "start": "2026-07-01", "end": "2026-09-30", "as_of": "2026-09-30",
                             "as_of_zh": "2026年9月30日"}
    assert all(isinstance(f["ledger"], pd.DataFrame) for f in ctx["findings"])


def test_json_round_trip_has_every_spec_id(ind):
    text = ind.to_json()
    assert text == ind.to_json()  # deterministic
    data = json.loads(text)
    for key in SPEC_IDS:
        group, name = key.split(".", 1)
        assert name in data[group], key
        assert key in REGISTRY, key
    for key in SPEC_IDS:
        group, name = key.split(".", 1)
        value = data[group][name]
        if REGISTRY[key].unit == "%":
            assert value is None or 0 <= value <= 1, key
        if REGISTRY[key].unit in ("表", "台账"):
            assert isinstance(value, list) and all(isinstance(r, dict) for r in value), key
    assert data["members"]["female_share"] == pytest.approx(0.4)
    assert data["committee"]["reelected_share"] is None  # no elections: null, not 0
    assert data["members"]["age_bands"][0] == {"年龄段": "30岁及以下", "人数": 1, "占比": 0.2, "上期人数": 0,
                                               "上期占比": 0.0}
    overdue = data["elections"]["overdue"]
    assert overdue == [{"组织编码": "B1", "组织名称": "东城第一支部", "所属片区": "东片", "组织类别": "党支部",
                        "本届选举日期": "2023-06-01", "本届届满日期": "2026-06-01", "逾期月数": 3}]
    assert data["previous"]["members"]["total"] == 4
    assert data["period"]["as_of"] == "2026-09-30"
    finding = next(f for f in data["findings"] if f["id"] == "elections.overdue")
    assert finding["count"] == 1 and finding["ledger"][0]["组织编码"] == "B1"
    assert list(data)[:7] == ["orgs", "members", "development", "elections", "committee", "coverage", "quality"]


def test_explain_share(ind):
    e = explain(ind, "members.female_share")
    assert (e.numerator, e.denominator) == (2, 5)
    assert e.value == pytest.approx(e.numerator / e.denominator)
    assert e.total_rows == 2 and len(e.rows) == 2
    assert set(e.rows["姓名"]) == {"甲一", "甲三"}
    assert {"_file", "_sheet", "_row"} <= set(e.rows.columns)
    text = str(e)
    assert "女党员占比" in text and "分子：女党员人数 = 2" in text and "40%" in text


def test_explain_masks_id_numbers(ind):
    e = explain(ind, "members.total", n=3)
    assert len(e.rows) == 3 and e.total_rows == 5
    ids = e.rows["公民身份号码"].dropna().tolist()
    assert ids == [ID_A[:6] + "********" + ID_A[-4:], ID_B[:6] + "********" + ID_B[-4:]]
    text = str(e)
    assert ID_A not in text and ID_B not in text and ID_A[:6] + "********" in text
    assert "联系电话" not in e.rows.columns


def test_explain_from_a_dataset_and_unknown_id():
    e = explain(current(), "coverage.org_share")
    assert (e.numerator, e.denominator, e.value) == (1, 1, 1.0)
    with pytest.raises(KeyError, match="members.female_share"):
        explain(current(), "members.female_shar")


def test_table_and_html(ind):
    assert ind.table("elections.overdue")["组织编码"].tolist() == ["B1"]
    with pytest.raises(TypeError):
        ind.table("members.total")
    html = ind._repr_html_()
    assert "2026年第三季度" in html and "党员总数" in html and "40%" in html
    assert "有1个党组织到期未换届。" in html


def test_every_indicator_is_documented():
    for spec in REGISTRY.values():
        assert spec.label and spec.definition and spec.unit, spec.id
        if spec.unit == "%" and not spec.id.endswith("_delta"):
            assert spec.numerator and spec.denominator, spec.id


def test_catalogue_is_current():
    assert Path(CATALOGUE).read_text(encoding="utf-8") == indicator_catalogue(), \
        "docs/指标说明.md is stale: run python -m reportgen.docsgen"
    text = indicator_catalogue()
    for key in SPEC_IDS:
        assert f"`{key}`" in text, key
    assert "`elections.overdue`" in text and "逾期超过12个月" in text

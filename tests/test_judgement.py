"""The judgement layer (issue 18): ranking, concentration, persistence, outliers and rules, and the
sample report's 总体情况 and section openings checked against independent counts."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from docx import Document

from reportgen import api, load
from reportgen.findings import rank
from reportgen.render import judgement as J

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data_samples"


def _ledger(rows):
    return pd.DataFrame(rows, columns=["组织编码", "组织名称", "所属片区"])


def _f(id, severity, count, title="t"):
    return {"id": id, "severity": severity, "count": count, "title": title}


def test_rank_severity_then_count():
    items = [_f("a", "提示", 90), _f("b", "一般", 3), _f("c", "严重", 1), _f("d", "一般", 14)]
    assert [f["id"] for f in rank(items)] == ["c", "d", "b", "a"]


def test_concentration_and_persistence_sentence():
    ledger = _ledger([("A1", "甲", "柳河镇"), ("A2", "乙", "柳河镇"), ("A3", "丙", "望湖街道"),
                      ("A4", "丁", "柳河镇"), ("A5", "戊", "金桥街道")])
    prev = _ledger([("A1", "甲", "柳河镇"), ("A3", "丙", "望湖街道"), ("Z9", "己", "金桥街道")])
    c = J.concentration(ledger)
    assert c == {"area": "柳河镇", "n": 3, "total": 5, "share": 0.6}
    assert J.persistence(ledger, prev) == 2
    # 2 of 5 persist (< 0.5) and the ledger is smaller than small_base: no interpretation
    assert J.ledger_sentence("到期未换届", c, 2) == "到期未换届的5个党组织中，柳河镇3个，占60.0%；其中2个上季度已到期未换届。"


def test_persistence_rule_states_its_sentence_only_when_true():
    ledger = _ledger([(f"B{i}", "x", "柳河镇" if i < 4 else f"片区{i}") for i in range(12)])
    prev_most = _ledger([(f"B{i}", "x", "y") for i in range(7)])
    prev_few = _ledger([(f"B{i}", "x", "y") for i in range(2)])
    c = J.concentration(ledger)
    assert c["n"] == 4 and c["total"] == 12
    yes = J.ledger_sentence("到期未换届", c, J.persistence(ledger, prev_most))
    no = J.ledger_sentence("到期未换届", c, J.persistence(ledger, prev_few))
    assert "其中7个上季度" in yes and J.RULES_BY_ID["persistent"].sentence in yes
    assert "其中2个上季度" in no and J.RULES_BY_ID["persistent"].sentence not in no
    # 4/12 = 33.3% ≥ 0.3 with 12 ≥ small_base: concentrated in both
    assert J.RULES_BY_ID["concentrated"].sentence in no


def test_aging_rule_false_gives_no_interpretation():
    frame = pd.DataFrame({"所属片区": ["甲", "乙"], "人数": [100, 100], "35岁及以下占比": [0.10, 0.30],
                          "平均年龄": [52.0, 45.0]})
    members = {"by_area": frame, "age_mean": 48.5, "under35_share": 0.20}
    text = J.members_sentence(members, "示例区")
    # 甲 is the oldest (+3.5 ≥ 3) and the youngest share lowest, but 52 is not above 55: no rule
    assert text == "甲党员平均年龄52岁，比示例区（48.5岁）高3.5岁；35岁及以下的仅占10.0%（示例区20.0%）。"
    assert J.RULES_BY_ID["aging"].sentence not in text
    frame.loc[0, "平均年龄"] = 58.0
    members["age_mean"] = 51.5
    assert J.members_sentence(members, "示例区").endswith("，" + J.RULES_BY_ID["aging"].sentence + "。")
    # within the margin: nobody named
    frame.loc[0, "平均年龄"] = 53.0
    frame.loc[0, "35岁及以下占比"] = 0.18
    assert "甲" not in J.members_sentence(members, "示例区")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("judge") / "out"
    api.build(SAMPLES / "2026Q3", out=out, period="2026Q3", previous=SAMPLES / "2026Q2")
    doc = Document(str(out / "report.docx"))
    return [p.text for p in doc.paragraphs]


def _overdue(period):
    from reportgen.indicators import compute
    ind = compute(load(SAMPLES / period))
    ledger = next(f.ledger for f in ind.findings if f.id == "elections.overdue")
    return ledger


def test_sample_overall_names_the_area_and_persistence(sample):
    cur, prev = _overdue("2026Q3"), _overdue("2026Q2")
    ds = load(SAMPLES / "2026Q3")
    areas = ds.orgs.set_index(ds.orgs["org_id"].astype(str))["area"].astype(str)
    counts = cur["组织编码"].astype(str).map(areas).value_counts()
    area, n = counts.index[0], int(counts.iloc[0])
    share = f"{n / len(cur) * 100:.1f}%"
    persisted = len(set(cur["组织编码"].astype(str)) & set(prev["组织编码"].astype(str)))
    overall = next(t for t in sample if t.startswith("总体上看，"))
    assert f"到期未换届的{len(cur)}个党组织中，{area}{n}个，占{share}" in overall
    assert f"其中{persisted}个上季度已到期未换届" in overall
    assert "最突出的是：到期未换届（25个，严重）" in overall


def test_sample_every_section_opening_has_a_number(sample):
    heads = [i for i, t in enumerate(sample) if re.match(r"^[一二三四五六七八九十]+、", t)]
    for i in heads:
        if sample[i].endswith("下步工作建议"):
            continue
        assert re.search(r"\d", sample[i + 1]), (sample[i], sample[i + 1])


def test_overall_ranks_and_counts_with_units():
    overdue = _ledger([(f"C{i}", "x", "柳河镇" if i < 3 else "望湖街道") for i in range(4)])
    items = [
        {"id": "committee.few_women", "title": "班子中女性偏少", "severity": "提示", "count": 9, "ledger": _ledger([])},
        {"id": "elections.candidate_margin", "title": "差额比例不足", "severity": "一般", "count": 3,
         "ledger": pd.DataFrame({"组织编码": ["a"] * 3, "所属片区": ["甲"] * 3, "选举日期": ["2026-07-01"] * 3})},
        {"id": "orgs.secretary_vacant", "title": "书记空缺", "severity": "一般", "count": 5, "ledger": _ledger([])},
        {"id": "elections.overdue", "title": "到期未换届", "severity": "严重", "count": 4, "ledger": overdue},
    ]
    out = J.overall(items, {"elections.overdue": overdue.iloc[:1]}, "上季度")
    assert out == ["本期数据反映出4类问题，按严重程度和涉及数量，最突出的是：到期未换届（4个，严重）；书记空缺（5个，一般）；"
                   "差额比例不足（3次，一般）。",
                   "到期未换届的4个党组织中，柳河镇3个，占75.0%；其中1个上季度已到期未换届。"]


def test_sample_rules_state_sentences_only_when_their_condition_holds(sample, tmp_path):
    from dataclasses import replace

    from reportgen.config import DEFAULT, Config

    aging, persistent = J.RULES_BY_ID["aging"].sentence, J.RULES_BY_ID["persistent"].sentence
    # the sample: 望湖街道 58.7 岁 and 10.0% ≤ 35; 19 of 25 overdue were overdue last quarter
    assert any(aging in t for t in sample) and any(persistent in t for t in sample)
    cfg = Config(report=replace(DEFAULT.report, aging_age_mean=70.0, persistent_share=0.9))
    out = tmp_path / "out"
    api.build(SAMPLES / "2026Q3", out=out, period="2026Q3", previous=SAMPLES / "2026Q2", config=cfg)
    texts = [p.text for p in Document(str(out / "report.docx")).paragraphs]
    assert not any(aging in t for t in texts)
    # 19/25 = 0.76 < 0.9: the figure stays, the judgement goes (14/14 of 党支部正式党员不足3名 still holds)
    overdue = [t for t in texts if "其中19个上季度已到期未换届" in t]
    assert overdue and not any(persistent in t for t in overdue)
    assert any("其中14个上季度已存在此问题，" + persistent in t for t in texts)

"""Wording rules of the report text (issue 18): one precision for percentages, changes stated on
the printed figures, "持平" said once, ages, small bases, no "0%" of nothing, no tool or file names
in the body, no stray spaces. Unit tests of reportgen.zh, then the sample report read back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document

from reportgen import zh
from reportgen.config import load_config
from reportgen.render import chartdata

ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- zh


def test_percentages_have_one_precision():
    assert zh.pct_text(0.8) == "80.0%"
    assert zh.pct_text(0.51) == "51.0%" and zh.pct_text(0.697) == "69.7%"
    assert zh.pct_text(0.0005) == "0.1%"  # half away from zero
    assert zh.pct_text(None) == "" and zh.pct_text(float("nan")) == ""
    with zh.wording(pct_digits=2):
        assert zh.pct_text(0.8) == "80.00%"
        assert zh.pp_change(0.001, "上季度") == "高于上季度0.10个百分点"
    assert zh.pct_text(0.8) == "80.0%"  # the setting ends with the block
    assert zh.FILTERS["pct"] is zh.pct_text  # what templates write
    assert zh.pp(0.01) == "1.0" and zh.pp(0.001) == "0.1"  # "1.0个百分点" beside "0.1个百分点"


def test_points_are_the_difference_of_the_printed_figures():
    # Q2 printed 45.5%, Q3 prints 35.4%: the unrounded difference is 10.001 points, which alone
    # would print "10.0"; the reader subtracts 45.5 − 35.4 = 10.1
    assert zh.pp_change(-0.10001, "上季度") == "低于上季度10.0个百分点"
    delta = zh.displayed_delta(0.35449, previous=0.45450)
    assert zh.pp_change(delta, "上季度") == "低于上季度10.1个百分点"
    assert zh.pp_change(zh.displayed_delta(0.35449, -0.10001), "上季度") == "低于上季度10.1个百分点"
    # Q2 printed 8.0%, Q3 8.1%: not "持平"
    assert zh.pp_change(zh.displayed_delta(0.0806, previous=0.0804), "上季度") == "高于上季度0.1个百分点"
    # 持平 only when the printed figures are equal, even if the values differ
    assert zh.pp_change(zh.displayed_delta(0.3091, previous=0.3089), "上季度") == "与上季度持平"
    # 31.0% last quarter, 30.9% now: the raw difference (0.002 points) is no reason for "持平"
    assert zh.pp_change(-0.00002, "上季度") == "与上季度持平"
    assert zh.pp_change(zh.displayed_delta(0.30949, previous=0.30951), "上季度") == "低于上季度0.1个百分点"
    assert zh.pp_change(0.01) == "高于上届1.0个百分点"  # "1.0", beside "0.1": one precision
    assert zh.displayed_delta(None, 0.1) == 0.1 and zh.displayed_delta(0.3, None) is None


def test_ages_are_never_older_by():
    assert zh.age_change(-1.8) == "比上届年轻1.8岁"
    assert zh.age_change(2.3) == "比上届提高2.3岁"
    assert zh.age_change(0.04) == "与上届持平"
    assert "大" not in zh.age_change(0.5, "上季度")
    # 44.4岁 and 42.2岁 printed: 2.2, although the unrounded difference 2.28 would print 2.3
    assert zh.age_change(zh.displayed_delta(44.44, previous=42.16, scale=1.0)) == "比上届提高2.2岁"


def test_small_bases_are_counts():
    assert zh.share_or_count(1 / 3, 3) == "3名中的1名"
    assert zh.share_or_count(0.4, 20) == "40.0%"
    assert zh.share_or_count(0.5, 4, "个", small=3) == "50.0%"
    assert zh.share_or_count(None, 0) == "" and zh.share_or_count(0.0, 0) == ""  # no "0%" of nothing
    assert zh.is_small(3) and not zh.is_small(10) and not zh.is_small(0)
    cfg = load_config(_yaml("report:\n  small_base: 5\n  pct_digits: 2\n"))
    assert cfg.report.small_base == 5 and cfg.report.pct_digits == 2


def _yaml(text: str) -> Path:
    import tempfile

    path = Path(tempfile.mkdtemp()) / "c.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_level_said_once_in_a_paragraph():
    text = "女党员占30.9%，与上季度持平；少数民族党员占8.1%，与上季度持平。"
    assert zh.merge_level(text) == "女党员占30.9%；少数民族党员占8.1%。上述各项均与上季度持平。"
    mixed = ("已建立党组织的占56.8%（与上季度持平），党的工作覆盖率为85.2%（高于上季度1.0个百分点）。"
             "从业人员100人以上的单位中，已建立党组织的占86.7%，与上季度持平。")
    out = zh.merge_level(mixed)
    assert out.count("持平") == 1 and out.endswith("其余各项与上季度持平。")
    assert "高于上季度1.0个百分点" in out
    one = "女党员占30.9%，与上季度持平。"
    assert zh.merge_level(one) == one


def test_spaces_between_chinese_are_removed():
    assert zh.tidy_body("换届选举、 班子成员 和 党员") == "换届选举、班子成员和党员"
    assert zh.tidy_body("共 2026 年") == "共 2026 年"  # beside a number: kept (not CJK on both sides)


def test_empty_band_has_no_zero_bar():
    import pandas as pd

    frame = pd.DataFrame({"从业人员规模": ["少于50人", "300人及以上"], "个数": [10, 0],
                          "已建党组织个数": [5, 0], "党组织覆盖率": [0.5, float("nan")]})
    plan = chartdata.coverage_by_size({"coverage": {"by_size": frame}})
    assert plan.data["shares"] == [0.5, None]
    frame["党组织覆盖率"] = [0.5, 0.0]  # a 0 computed over no units is no figure either
    assert chartdata.coverage_by_size({"coverage": {"by_size": frame}}).data["shares"] == [0.5, None]


def test_empty_band_is_drawn_as_a_dash():
    import pandas as pd

    from reportgen.render import charts

    frame = pd.DataFrame({"从业人员规模": ["少于50人", "300人及以上"], "个数": [10, 0],
                          "已建党组织个数": [5, 0], "党组织覆盖率": [0.5, float("nan")]})
    fig = charts.draw(chartdata.coverage_by_size({"coverage": {"by_size": frame}}))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "—" in texts and "0%" not in texts and "0.0%" not in texts and "50%" in texts


# --------------------------------------------------------------------------- the sample report


@pytest.fixture(scope="module")
def sample_reports(tmp_path_factory):
    from reportgen import api

    out = {}
    for kind in ("季度统计分析", "两新组织党建调研"):
        folder = tmp_path_factory.mktemp("wording")
        api.build(ROOT / "data_samples" / "2026Q3", out=folder, previous=ROOT / "data_samples" / "2026Q2",
                  template=kind)
        out[kind] = Document(str(folder / "report.docx"))
    return out


def _body(doc) -> list[str]:
    """The body paragraphs before 数据说明 (tables are not paragraphs of the body)."""
    texts = []
    for p in doc.paragraphs:
        if p.text.strip() == "数据说明":
            break
        texts.append(p.text)
    return texts


def _analysis(doc) -> list[str]:
    """The paragraphs the templates write from the figures: up to 存在的主要问题 (whose sentences,
    with the regulation's thresholds "低于100%的目标", come from reportgen.findings)."""
    out = []
    for t in _body(doc):
        if "存在的主要问题" in t:
            break
        out.append(t)
    return out


PCT = re.compile(r"(\d+(?:\.\d+)?)%")


def test_every_percentage_in_the_text_has_one_decimal(sample_reports):
    for kind, doc in sample_reports.items():
        found = [m.group(1) for t in _analysis(doc) for m in PCT.finditer(t)]
        assert found, kind
        assert all(re.fullmatch(r"\d+\.\d", f) for f in found), (kind, found)


def test_points_agree_with_the_printed_figures(sample_reports):
    text = "\n".join(_analysis(sample_reports["季度统计分析"]))
    # 按期换届率 45.5% last quarter (data_samples/2026Q2) and 35.4% now
    assert "按期换届率为35.4%，低于上季度10.1个百分点" in text
    assert "比上届大" not in text and "比上季度大" not in text
    # one "持平" per paragraph at most
    for t in _analysis(sample_reports["季度统计分析"]):
        assert t.count("持平") <= 1, t


def test_small_base_paragraph_uses_counts(sample_reports):
    text = "\n".join(_analysis(sample_reports["两新组织党建调研"]))
    para = next(t for t in _analysis(sample_reports["两新组织党建调研"]) if "共有1个党组织完成换届选举" in t)
    assert "%" not in para and "连选连任的1名、新进班子的2名" in para
    assert "0.0%" not in text and "100.0%" not in text


def test_no_tool_or_file_names_before_the_data_note(sample_reports):
    for doc in sample_reports.values():
        body = "\n".join(_body(doc))
        for word in ("reportgen", ".xlsx", "explain", ".csv", "命令"):
            assert word not in body, word


def test_no_space_between_chinese_characters(sample_reports):
    cjk = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”]"
    for doc in sample_reports.values():
        for t in _body(doc):
            assert not re.search(f"{cjk}[ \u00a0]+{cjk}", t), t


def test_title_breaks_at_a_phrase_boundary(sample_reports):
    title = sample_reports["季度统计分析"].paragraphs[0].text
    assert "\n" in title
    first, second = title.split("\n")
    assert first.endswith("和") and second.startswith("党员队伍")


def test_changes_agree_with_last_quarters_report(sample_reports, tmp_path):
    """Every "A%，高于/低于上季度X个百分点" or "A%，与上季度持平" of the Q3 report agrees with the
    figure the Q2 report printed for the same phrase: Q2 + change = Q3, to the printed decimal."""
    from reportgen import api

    api.build(ROOT / "data_samples" / "2026Q2", out=tmp_path, template="季度统计分析")
    q2 = "\n".join(_analysis(Document(str(tmp_path / "report.docx"))))
    q3 = "\n".join(_analysis(sample_reports["季度统计分析"]))
    claim = re.compile(r"([^，。；（\d]+?)(\d+\.\d)%[，（](与上季度持平|高于上季度(\d+\.\d)个百分点|低于上季度(\d+\.\d)个百分点)")
    checked = 0
    for m in claim.finditer(q3):
        label, now = m.group(1), float(m.group(2))
        before = re.search(re.escape(label) + r"(\d+\.\d)%", q2)
        if before is None:
            continue
        prev = float(before.group(1))
        change = 0.0 if m.group(3).endswith("持平") else float(m.group(4) or m.group(5)) * \
            (1 if m.group(4) else -1)
        assert round(prev + change, 1) == now, (label, prev, m.group(0))
        checked += 1
    assert checked >= 4, checked

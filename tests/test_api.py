"""The notebook/CLI API: per-area folder names, narrative reading, configuration."""

from __future__ import annotations

import pytest

from reportgen.api import area_folders, read_narrative
from reportgen.config import ConfigError, load_config


def test_area_folders_are_safe_and_distinct():
    folders = area_folders(["城西/街道", "城西_街道", "../../evil", "CON", "Abc", "abc"])
    assert folders["城西/街道"] == "城西_街道"
    assert folders["城西_街道"] == "城西_街道_2"
    assert "/" not in folders["../../evil"] and not folders["../../evil"].startswith(".")
    assert folders["CON"] == "_CON"
    assert folders["abc"] == "abc_2"  # Windows folders ignore case
    assert len(set(folders.values())) == 6


def test_narrative_yaml(tmp_path):
    assert read_narrative(tmp_path) == {}
    (tmp_path / "narrative.yaml").write_text("主要做法:\n  - 标题: 抓培训\n    正文: 组织了培训。\n", encoding="utf-8")
    assert read_narrative(tmp_path)["主要做法"][0]["标题"] == "抓培训"
    (tmp_path / "narrative.yaml").write_text("主要做法: [\n", encoding="utf-8")
    with pytest.raises(ValueError, match="narrative.yaml"):
        read_narrative(tmp_path)


def test_config_overrides_and_rejects_unknown_keys(tmp_path):
    f = tmp_path / "阈值.yaml"
    f.write_text("regulations:\n  branch_max_members: 40\nconcerns:\n  aging_share: 0.6\n", encoding="utf-8")
    cfg = load_config(f)
    assert cfg.regulations.branch_max_members == 40 and cfg.concerns.aging_share == 0.6
    assert cfg.regulations.branch_min_full == 3  # defaults kept
    f.write_text("regulations:\n  branch_max: 40\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="branch_max_members"):
        load_config(f)
    f.write_text("thresholds:\n  x: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="未知分组"):
        load_config(f)


def test_short_reprs_hide_the_tables():
    import pandas as pd

    from reportgen.dataset import Dataset
    from reportgen.indicators import compute
    from reportgen.periods import parse_period

    ds = Dataset.from_frames(parse_period("2026Q3"), members=pd.DataFrame({
        "name": ["甲"], "id_number": ["110105199001011237"], "gender": ["男"], "education": ["大学本科"],
        "joined": ["2015-07-01"], "birth_date": ["1990-01-01"], "org_id": ["A"]}))
    text = repr(ds)
    assert text.startswith("<reportgen.Dataset 2026Q3") and "党员1行" in text
    assert "110105" not in text
    ind_text = repr(compute(ds))
    assert ind_text.startswith("<reportgen.Indicators 2026Q3") and "110105" not in ind_text


def test_issue_values_show_dates_as_written():
    from pathlib import Path

    import reportgen

    ds = reportgen.load(Path(__file__).parents[1] / "data_samples" / "2026Q3")
    mismatch = ds.issues[ds.issues["rule"] == "row.id_mismatch"]
    assert len(mismatch) and not ds.issues["message"].str.contains("00:00:00").any()
    assert not ds.issues["value"].astype(str).str.contains("00:00:00").any()


def test_no_notebook_widget_outside_jupyter(monkeypatch):
    """Outside a Jupyter kernel the progress widget is not looked for (IPython is not imported)."""
    import sys

    import reportgen.api as api

    for name in [m for m in sys.modules if m == "IPython" or m.startswith("IPython.")]:
        monkeypatch.delitem(sys.modules, name)
    assert api._auto_progress() is None
    assert "IPython" not in sys.modules

"""schema.py is the single source of the submission format (issue 2, Done when)."""

from __future__ import annotations

import ast
from pathlib import Path

from reportgen import schema
from reportgen.periods import parse_period, find_period

PACKAGE = Path(schema.__file__).parent


def _vocabulary() -> set[str]:
    words: set[str] = set()
    for sheet in schema.SHEETS:
        words.update(sheet.names)
        for f in sheet.fields:
            words.update(f.headers)
    for enum in schema.ENUMERATIONS.values():
        # Short words (男, 是, 本届, 书记 …) also occur in ordinary sentences; the values and aliases of
        # three characters or more are specific enough to be a repeated enumeration.
        words.update(w for w in (*enum.values, *enum.aliases) if len(w) >= 3)
    return {w for w in words if len(w) >= 2}


def _string_constants(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def test_no_header_or_enumeration_outside_schema():
    vocab = _vocabulary()
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        # samples_layouts.py writes other systems' layouts on purpose (the national member export,
        # a 班子信息集 …): their headers are the point, not a second spelling of ours
        if path.name in ("schema.py", "samples_layouts.py"):
            continue
        for line, text in _string_constants(path):
            if text.strip() in vocab:
                offenders.append(f"{path.relative_to(PACKAGE)}:{line}: {text!r}")
    assert not offenders, "header names or enumeration values written outside schema.py:\n" + "\n".join(offenders)


def test_grep_catches_a_repeated_header(tmp_path):
    # the check itself must be able to fail
    bad = tmp_path / "bad.py"
    bad.write_text('COLUMN = "公民身份号码"\n', encoding="utf-8")
    assert any(t == "公民身份号码" for _, t in _string_constants(bad))
    assert "公民身份号码" in _vocabulary()


def test_aliases_unique_within_each_sheet():
    for sheet in schema.SHEETS:
        seen: dict[str, str] = {}
        for f in sheet.fields:
            for h in f.headers:
                assert h not in seen, f"{sheet.name}: {h} names both {seen[h]} and {f.key}"
                seen[h] = f.key


def test_enumeration_aliases_point_to_values():
    for enum in schema.ENUMERATIONS.values():
        for alias, value in enum.aliases.items():
            assert value in enum.values, (enum.key, alias, value)
    assert schema.EDUCATION.lookup()["硕士"] == "研究生"
    assert schema.EDUCATION.lookup()["中技"] == "高中、中技"
    assert schema.MEMBER_STATUS.lookup()["预"] == "预备党员"


def test_spec_aliases_present():
    members = schema.MEMBERS
    assert {"身份证号", "身份证号码", "身份证", "公民身份证号码", "证件号码"} <= set(members.field("id_number").aliases)
    assert {"出生年月", "出生时间"} <= set(members.field("birth_date").aliases)
    assert {"党员类型", "党籍状态", "预/正"} <= set(members.field("status").aliases)
    assert {"职业", "人员身份"} <= set(members.field("occupation").aliases)
    assert {"换届时间", "本届起始时间"} <= set(schema.ORGS.field("last_election").aliases)
    # aliases are per sheet: 换届时间 is the election date in 换届选举 and the term start in 党组织
    assert "换届时间" in schema.ELECTIONS.field("date").aliases
    assert {"党员信息", "党员花名册"} <= set(members.aliases)


def test_periods():
    for text in ("2026Q3", "2026q3", "2026-Q3", "2026年第三季度", "2026年三季度", "2026年第3季度"):
        p = parse_period(text)
        assert (p.year, p.quarter) == (2026, 3)
    p = parse_period("2026Q3")
    assert str(p.start) == "2026-07-01" and str(p.end) == "2026-09-30" and p.as_of == p.end
    assert p.previous().label == "2026Q2" and parse_period("2026Q1").previous().label == "2025Q4"
    assert p.zh == "2026年第三季度"
    assert find_period("data/示例区-2026Q2") == parse_period("2026Q2")

"""Output safety: no formula in any workbook, XML-invalid characters removed, ID numbers masked in
every output and printout, file names from data stay inside OUT, atomic replacement, inputs never
modified, and hostile report templates fail with a Chinese message (exit 2, no traceback)."""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
import xlsxwriter
from typer.testing import CliRunner

import hostile
from conftest import person_id, valid_sheets, write_workbook
from reportgen import api
from reportgen.cli import app

ENV = {"COLUMNS": "160", "NO_COLOR": "1"}
ID18 = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
STRAY_ID = person_id("19591111", False, 77)  # typed into the 学历 column by mistake


def _cli(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env=ENV)


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    """The hostile-text workbook alone (its formula-like org and unit names are used), plus a row
    holding an ID number in a text column; built once."""
    root = tmp_path_factory.mktemp("hostile") / "2026Q3"
    hostile.hostile_data(root / "恶意文字.xlsx")
    sheets = valid_sheets()
    m = sheets["党员"][0]
    row = list(sheets["党员"][1])
    row[m.index("姓名")] = "错列"
    row[m.index("公民身份号码")] = person_id("19620202", True, 78)
    row[m.index("出生日期")] = "1962-02-02"
    row[m.index("学历")] = STRAY_ID
    hostile.write_strings(root / "错列.xlsx", {"党员": [m, row]})
    before = _hashes(root)
    out = root.parent / "out"
    result = api.build(root, out=out, period="2026Q3")
    return {"root": root, "out": out, "result": result, "before": before}


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _input_ids(folder: Path) -> set[str]:
    ids = set()
    for p in folder.rglob("*.xlsx"):
        wb = openpyxl.load_workbook(p, read_only=True)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                ids.update(m.group(0) for v in row if isinstance(v, str) for m in ID18.finditer(v))
    return ids


def _xml_texts(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()
                         if n.endswith((".xml", ".rels")))


def test_no_formula_cell_in_any_output_workbook(hostile_build):
    out = hostile_build["out"]
    seen_formula_text = []
    for name in ("validation.xlsx", "tables.xlsx"):
        wb = openpyxl.load_workbook(out / name)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (name, ws.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                        seen_formula_text.append((name, cell.value))
        assert "<f>" not in _xml_texts(out / name) and "<f " not in _xml_texts(out / name)
    names = {n for n, _ in seen_formula_text}
    assert names == {"validation.xlsx", "tables.xlsx"}, seen_formula_text  # the hostile texts are there, as text
    assert any("HYPERLINK" in v for _, v in seen_formula_text)


def test_control_characters_are_removed_and_the_files_open(hostile_build):
    out = hostile_build["out"]
    bad = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
    for name in ("validation.xlsx", "tables.xlsx", "report.docx"):
        assert not bad.search(_xml_texts(out / name)), name
    docx.Document(out / "report.docx")  # opens: well-formed
    for name in ("validation.xlsx", "tables.xlsx"):
        openpyxl.load_workbook(out / name)
    ds = hostile_build["result"].dataset
    assert ds.members["name"].str.contains("\x07", regex=False).any()  # it was in the data


def test_template_syntax_in_data_is_printed_not_run(hostile_build):
    text = "\n".join(p.text for p in docx.Document(hostile_build["out"] / "report.docx").paragraphs)
    tables = _xml_texts(hostile_build["out"] / "tables.xlsx")
    assert "49" not in re.findall(r"\d+", "".join(re.findall(r"\{\{ 7\*7 \}\}|49片区", text + tables)))
    assert "{{ 7*7 }}" in tables  # the area name, as written


def test_id_numbers_masked_in_every_output_and_printout(hostile_build):
    root, out = hostile_build["root"], hostile_build["out"]
    ids = _input_ids(root)
    assert STRAY_ID in ids and len(ids) >= 10
    texts = {name: _xml_texts(out / name) for name in ("validation.xlsx", "tables.xlsx", "report.docx")}
    ctx = _cli("context", root, "--period", "2026Q3")
    assert ctx.exit_code == 0, ctx.output
    texts["context"] = ctx.stdout
    for indicator in ("members.total", "members.female_share", "quality.errors"):
        r = _cli("explain", indicator, root, "--period", "2026Q3", "--rows", "50")
        assert r.exit_code == 0, r.output
        texts[f"explain {indicator}"] = r.output
    for where, text in texts.items():
        leaked = {i for i in ids if i in text}
        assert not leaked, (where, leaked)
    assert STRAY_ID[:6] + "********" + STRAY_ID[-4:] in texts["validation.xlsx"]


def test_masking_in_text_takes_runs_of_15_digits_or_more_only():
    from reportgen.outputs import mask_ids_in_text

    text = ("证件110105194912310021、11010519491231002x、110105491231002；电话010-88886666，"
            "编号246813579024，账号1234567890123456，代码91110105MA01ABCD2X")
    out = mask_ids_in_text(text)
    assert "110105********0021" in out and "110105********002x" in out and "110105*****1002" in out
    assert "编号246813579024，" in out  # 12 digits: not an ID
    # 16 digits: masked too since issue 17 (an ID glued to other digits must not slip through)
    assert "账号123456******3456，" in out
    assert "010-88886666" in out and "91110105MA01ABCD2X" in out


def test_file_names_from_area_names_stay_inside_out(tmp_path):
    root = tmp_path / "data" / "2026Q3"
    sheets = valid_sheets()
    o = sheets["党组织"][0]
    sheets["党组织"][1][o.index("所属片区")] = "../../evil"
    sheets["党组织"][2][o.index("所属片区")] = "CON"
    sheets["党组织"][3][o.index("所属片区")] = "城西/街道\\..\\x"
    write_workbook(root / "片区.xlsx", sheets)
    out = tmp_path / "deep" / "out"
    result = api.build(root, out=out, period="2026Q3", by="area")
    assert len(result.parts) == 3
    outside = [p for p in tmp_path.rglob("*") if p.is_file()
               and not p.resolve().is_relative_to(out.resolve()) and not p.resolve().is_relative_to(root.resolve())]
    assert not outside, outside
    subs = sorted(p.name for p in out.iterdir() if p.is_dir() and p.name != "charts")
    assert len(subs) == 3 and all("/" not in s and "\\" not in s and s not in ("..", ".", "CON") for s in subs), subs
    for part in result.parts.values():
        assert part.report.is_file() and part.report.resolve().is_relative_to(out.resolve())


def test_crash_mid_write_leaves_the_previous_files_intact(tmp_path, monkeypatch):
    root = tmp_path / "2026Q3"
    write_workbook(root / "good.xlsx", valid_sheets())
    out = tmp_path / "out"
    api.build(root, out=out, period="2026Q3")
    before = _hashes(out)

    real_write_bytes = Path.write_bytes

    def half_then_crash(self, data):
        if self.name.startswith(".report.docx."):
            real_write_bytes(self, data[: len(data) // 2])
            raise RuntimeError("disk full (simulated)")
        return real_write_bytes(self, data)

    real_close = xlsxwriter.Workbook.close

    def close_then_crash(self):
        real_close(self)
        if Path(self.filename).name.startswith(".validation.xlsx."):
            raise RuntimeError("crash after writing the temporary workbook (simulated)")

    monkeypatch.setattr(Path, "write_bytes", half_then_crash)
    with pytest.raises(RuntimeError, match="simulated"):
        api.build(root, out=out, period="2026Q3")
    monkeypatch.setattr(Path, "write_bytes", real_write_bytes)
    monkeypatch.setattr(xlsxwriter.Workbook, "close", close_then_crash)
    with pytest.raises(RuntimeError, match="simulated"):
        api.build(root, out=out, period="2026Q3")
    assert _hashes(out) == before  # same files, same bytes, no temporary file left behind
    docx.Document(out / "report.docx")


def test_inputs_are_never_modified(hostile_build):
    assert _hashes(hostile_build["root"]) == hostile_build["before"]


def test_inputs_unchanged_by_a_corpus_build(tmp_path):
    root = tmp_path / "2026Q3"
    hostile.write_corpus(root)
    write_workbook(root / "good.xlsx", valid_sheets())
    before = _hashes(root)
    stat = {p: p.stat().st_mtime_ns for p in root.iterdir()}
    api.build(root, out=tmp_path / "out", period="2026Q3")
    assert _hashes(root) == before
    assert {p: p.stat().st_mtime_ns for p in root.iterdir()} == stat


HOSTILE_TEMPLATES = {
    "globals": "{{ cycler.__init__.__globals__.os.system('echo pwned') }}",
    "class": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "self": "{{ self.__init__.__globals__ }}",
    "range": "{% for i in range(10**9) %}x{% endfor %}",
    "multiply": "{{ 'x' * 10**9 }}",
    "concat": "{% set s = 'x' * 90000 %}{{ s ~ s ~ s }}",
    "doubling": "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    "output": "{% set s = 'x' * 90000 %}{% for i in range(9000) %}{{ s }}{% endfor %}",
}


@pytest.mark.parametrize("key", list(HOSTILE_TEMPLATES))
def test_hostile_templates_fail_with_exit_2_and_a_chinese_message(tmp_path, key):
    root = tmp_path / "2026Q3"
    write_workbook(root / "good.xlsx", valid_sheets())
    tpl = tmp_path / "恶意模板.docx"
    doc = docx.Document()
    doc.add_paragraph("正文。")
    doc.add_paragraph(HOSTILE_TEMPLATES[key])
    doc.save(tpl)
    out = tmp_path / "out"
    r = _cli("build", root, "--period", "2026Q3", "--template", tpl, "-o", out)
    assert r.exit_code == 2, (key, r.output)
    assert "Traceback" not in r.output and "pwned" not in r.output
    assert re.search(r"[\u4e00-\u9fff]", r.output)
    assert any(w in r.output for w in ("不允许", "不存在", "过长", "range", "模板")), r.output
    assert not (out / "report.docx").exists()

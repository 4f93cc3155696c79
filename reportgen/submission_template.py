"""The blank submission workbook (``reportgen template``) and ``docs/数据格式.md``, both from the schema.

The workbook has the 封面 (key–value) and the five data sheets of ``schema.DATA_SHEETS`` with their
headers in row 1 (required ones in orange, optional ones in blue, every header with a comment
saying what to write), drop-down lists on every enumerated column (values kept in the hidden sheet
``_选项``), date columns formatted as dates, ID/phone/code columns formatted as text so that Excel
cannot turn an 18-digit ID number into a rounded number, and a 填报说明 sheet describing every column.

    python -m reportgen.submission_template [报送模板.xlsx]     # the blank workbook
    python -m reportgen.submission_template --docs [PATH]      # docs/数据格式.md
"""

from __future__ import annotations

import argparse
import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import schema
from .outputs import atomic_write

__all__ = ["write_template", "format_markdown", "write_docs", "DOCS_PATH", "TEMPLATE_ROWS", "OPTIONS_SHEET",
           "GUIDE_SHEET"]

TEMPLATE_ROWS = 5000  # drop-down lists cover rows 2..TEMPLATE_ROWS
OPTIONS_SHEET = "_选项"
GUIDE_SHEET = "填报说明"
DOCS_PATH = Path(__file__).resolve().parents[1] / "docs" / "数据格式.md"
FIXED_TIME = datetime(2000, 1, 1)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

TYPE_LABELS = {
    "text": "文本", "code": "编码（文本）", "date": "日期", "int": "整数", "enum": "选项",
    "id_number": "身份证号（文本）", "phone": "电话（文本）", "credit_code": "统一社会信用代码（文本）",
}
TEXT_TYPES = ("code", "id_number", "phone", "credit_code")
NUMBER_FORMATS = {"date": "yyyy-mm-dd", "int": "0", **{t: "@" for t in TEXT_TYPES}}

# Date forms the reader accepts (SPEC §1.3), for 填报说明 and the docs.
DATE_FORMS = (
    ("Excel 日期单元格", "推荐；本模板的日期列已设为日期格式"),
    ("Excel 日期序号", "如 40299（即 2010-05-01）"),
    ("2010-05-01", ""), ("2010/5/1", ""), ("2010.5.1", ""), ("2010年5月1日", ""), ("20100501", ""),
    ("2010.05", "只有年月的按当月1日计"), ("2010年5月", "只有年月的按当月1日计"),
    ("201005", "只有年月的按当月1日计"),
)

REQUIRED_FILL = PatternFill("solid", fgColor="F8CBAD")
OPTIONAL_FILL = PatternFill("solid", fgColor="DDEBF7")
LABEL_FILL = PatternFill("solid", fgColor="E7E6E6")
_THIN = Side(style="thin", color="808080")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_FONT = Font(bold=True)
REQUIRED_FONT = Font(bold=True, color="C00000")


def _required_text(f: schema.Field) -> str:
    if f.required and f.derivable:
        id_header = schema.MEMBERS.header("id_number")
        return f"必填（填了{id_header}的可不填）"
    return "必填" if f.required else "选填"


def _default_text(f: schema.Field) -> str:
    if f.default:
        return f.default
    if f.key == "term_years":
        by_years: dict[int, list[str]] = {}
        for t, y in schema.TERM_YEARS_DEFAULT.items():
            by_years.setdefault(y, []).append(t)
        return "；".join(f"{'、'.join(ts)}{y}年" for y, ts in sorted(by_years.items(), reverse=True))
    if f.derivable:
        return f"由{schema.MEMBERS.header('id_number')}推出"
    return ""


def _values_text(f: schema.Field) -> str:
    return "、".join(f.enum.values) if f.enum is not None else ""


def _width(f: schema.Field) -> float:
    longest = max([len(f.header) * 2.2 + 4, len(f.example) * 1.3 + 2, 10])
    if f.enum is not None:
        longest = max(longest, max(len(v) for v in f.enum.values) * 2.0 + 4)
    return min(longest, 40)


def _comment(f: schema.Field) -> Comment:
    parts = [f"{_required_text(f)}。{f.note}"]
    if f.enum is not None:
        parts.append(f"可选：{_values_text(f)}")
    if f.example:
        parts.append(f"例：{f.example}")
    c = Comment("\n".join(parts), "reportgen")
    c.width, c.height = 260, 110
    return c


# --------------------------------------------------------------------------- the workbook


def write_template(path: str | Path) -> Path:
    """Write the blank submission workbook to ``path`` (atomically, byte-identical every time)."""
    wb = Workbook()
    wb.properties.creator = "reportgen"
    wb.properties.lastModifiedBy = "reportgen"
    wb.properties.title = "基层党组织统计报送模板"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME

    options = _options_sheet(wb)
    cover = wb.active
    cover.title = schema.COVER.name
    _cover_sheet(cover)
    for sh in schema.DATA_SHEETS:
        _data_sheet(wb.create_sheet(sh.name), sh, options)
    _guide_sheet(wb.create_sheet(GUIDE_SHEET))
    wb.move_sheet(OPTIONS_SHEET, offset=len(wb.sheetnames))  # keep the hidden sheet last
    wb.active = 0

    target = Path(path)
    with atomic_write(target) as tmp:
        tmp.write_bytes(_deterministic_bytes(wb))
    return target


def _options_sheet(wb: Workbook) -> dict[str, str]:
    """The hidden sheet holding each enumeration's values in one row; returns key -> range."""
    ws = wb.create_sheet(OPTIONS_SHEET)
    ws.sheet_state = "hidden"
    ranges = {}
    for r, enum in enumerate(schema.ENUMERATIONS.values(), start=1):
        users = [f.header for s in schema.DATA_SHEETS for f in s.fields if f.enum is enum]
        ws.cell(r, 1, f"可选值（{'、'.join(dict.fromkeys(users))}）" if users else "可选值")
        for c, v in enumerate(enum.values, start=2):
            ws.cell(r, c, v)
        last = get_column_letter(len(enum.values) + 1)
        ranges[enum.key] = f"'{OPTIONS_SHEET}'!$B${r}:${last}${r}"
    ws.column_dimensions["A"].width = 40
    return ranges


def _cover_sheet(ws) -> None:
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 40
    for r, f in enumerate(schema.COVER.fields, start=1):
        label = ws.cell(r, 1, f.header)
        label.font = HEADER_FONT
        label.fill = LABEL_FILL
        label.border = BORDER
        label.comment = _comment(f)
        value = ws.cell(r, 2)
        value.border = BORDER
        if f.type in NUMBER_FORMATS:
            value.number_format = NUMBER_FORMATS[f.type]


def _data_sheet(ws, sh: schema.Sheet, options: dict[str, str]) -> None:
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 30
    for c, f in enumerate(sh.fields, start=1):
        col = get_column_letter(c)
        cell = ws.cell(1, c, f.header)
        cell.font = REQUIRED_FONT if f.required else HEADER_FONT
        cell.fill = REQUIRED_FILL if f.required else OPTIONAL_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.comment = _comment(f)
        dim = ws.column_dimensions[col]
        dim.width = _width(f)
        if f.type in NUMBER_FORMATS:
            dim.number_format = NUMBER_FORMATS[f.type]  # new cells typed in this column take it
        if f.enum is not None:
            dv = DataValidation(type="list", formula1=options[f.enum.key], allow_blank=True,
                                showErrorMessage=True, errorStyle="warning", showInputMessage=True)
            dv.errorTitle = "不在可选范围内"
            dv.error = f"{f.header}请从下拉列表中选择：{_values_text(f)}"[:250]
            dv.promptTitle = f.header[:30]
            dv.prompt = f"请从下拉列表中选择。{f.note}"[:250]
            dv.add(f"{col}2:{col}{TEMPLATE_ROWS}")
            ws.add_data_validation(dv)


def _guide_sheet(ws) -> None:
    id_header = schema.MEMBERS.header("id_number")
    org_header = schema.MEMBERS.header("org_id")
    lines = [
        "每个工作表的第一行是表头，请不要修改、删除或挪动表头；橙色表头为必填项，蓝色表头为选填项。"
        "把鼠标停在表头上可以看到填写要求。",
        f"{id_header}、电话、组织编码、统一社会信用代码等列已设为文本格式：请直接录入，或用“选择性粘贴—数值”粘贴，"
        f"不要改成数字格式，否则18位{id_header}的后几位会丢失。",
        "日期可以是 Excel 日期，也可以写成 " + "、".join(form for form, _ in DATE_FORMS[2:]) +
        "；只有年月的按当月1日计。",
        "带下拉箭头的列请从下拉列表中选择；常见的其他写法（如“本科”“大专”）程序也能识别。",
        f"党员表的“{org_header}”请填写党组织表中的组织编码，或与党组织表完全一致的组织名称。",
        f"{schema.COVER.name}：在每个标签右侧的单元格中填写；{schema.COVER.header('period')}"
        "写成 2026Q3 或 2026年第三季度。",
        "用不到的工作表可以删除；各单位的表可以分别报送，程序会把同一工作表合并统计。",
    ]
    ws.column_dimensions["A"].width = 12
    title = ws.cell(1, 1, GUIDE_SHEET)
    title.font = Font(bold=True, size=14)
    for i, text in enumerate(lines, start=2):
        ws.cell(i, 1, f"{i - 1}.")
        ws.cell(i, 2, text).alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=i, start_column=2, end_row=i, end_column=8)
        ws.row_dimensions[i].height = 32
    header_row = len(lines) + 3
    heads = ("工作表", "列名（表头）", "是否必填", "填写类型", "可选值", "填写说明", "示例", "其他可识别的列名")
    widths = (12, 18, 14, 16, 36, 40, 24, 36)
    for c, (h, w) in enumerate(zip(heads, widths), start=1):
        cell = ws.cell(header_row, c, h)
        cell.font = HEADER_FONT
        cell.fill = OPTIONAL_FILL
        cell.border = BORDER
        ws.column_dimensions[get_column_letter(c)].width = max(w, ws.column_dimensions[get_column_letter(c)].width or 0)
    r = header_row + 1
    for sh in schema.SHEETS:
        for f in sh.fields:
            values = (sh.name, f.header, _required_text(f), TYPE_LABELS[f.type], _values_text(f), f.note,
                      f.example, "、".join((*f.aliases, *f.accepted)))
            for c, v in enumerate(values, start=1):
                cell = ws.cell(r, c, v)
                cell.border = BORDER
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                cell.number_format = "@"
            if f.required:
                ws.cell(r, 3).font = REQUIRED_FONT
            r += 1
    ws.freeze_panes = ws.cell(header_row + 1, 1).coordinate


def _deterministic_bytes(wb: Workbook) -> bytes:
    """openpyxl stamps the save time into docProps/core.xml and every zip entry: fix both."""
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rb"\g<1>" + stamp + rb"\g<2>",
                              data)
            zi = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, data)
    return out.getvalue()


# --------------------------------------------------------------------------- docs/数据格式.md


def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def format_markdown() -> str:
    """The text of docs/数据格式.md, generated from ``reportgen.schema`` only."""
    id_header = schema.MEMBERS.header("id_number")
    out = [
        "# 报送数据格式",
        "",
        "> 本文件由 `python -m reportgen.submission_template --docs` 根据 `reportgen/schema.py` 生成，"
        "请勿手工修改（修改 schema 后运行 `make docs`）。",
        "",
        "一套报送数据是某一统计期（如 2026Q3）的一个文件夹，里面可以有任意多个工作簿，每个工作簿可以包含下列"
        "工作表中的任意几个；程序把各工作簿中的同一工作表合并统计，并记住每一行来自哪个文件、哪个工作表、第几行。"
        "`reportgen template` 生成的空白模板已经包含全部工作表、表头、下拉选项和填报说明。",
        "",
        "## 接受的文件",
        "",
        "- `.xlsx`、`.xlsm`、`.xls`（Excel 97-2003）、`.ods`，以及 WPS 另存为上述格式的文件；",
        "- `.csv`：UTF-8（带或不带 BOM）或 GBK/GB18030 编码；",
        "- Office 锁文件（`~$` 开头）和隐藏文件（`.` 开头）自动忽略。",
        "",
        "## 工作表和表头的识别",
        "",
        "- 工作表按名称识别（下文列出了每个工作表可用的其他名称），名称对不上时按表头识别；",
        "- 表头可以在标题行下面，也可以是两行合并单元格；",
        "- 表头比较时忽略空格、换行、全角标点、星号“*”和" + "、".join(f"“（{n}）”" for n in schema.HEADER_NOTES)
        + "之类的注释；",
        "- 每列可以使用下文列出的其他列名；同一个词在不同工作表中可能指不同的列；",
        "- 无法识别的列会保留并给出警告，不影响其他数据。",
        "",
        f"{id_header}、电话、编码类的列必须是文本：18位{id_header}一旦被 Excel 存成数字，后几位已经丢失，"
        "程序会报错并提示把该列设为文本后重新录入。",
        "",
        "## 日期的写法",
        "",
        "| 写法 | 说明 |",
        "|---|---|",
        *[f"| `{form}` | {_md(note)} |" if not form.startswith("Excel") else f"| {form} | {_md(note)} |"
          for form, note in DATE_FORMS],
        "",
        "## 工作表",
        "",
    ]
    for sh in schema.SHEETS:
        names = f"（也可命名为：{'、'.join(sh.aliases)}）" if sh.aliases else ""
        out += [f"### {sh.name}{names}", "", f"{sh.title}。", ""]
        if sh is schema.COVER:
            out += ["封面是“标签—值”的格式：每个标签写在一个单元格里，值写在它右边（或下面）的单元格里。", ""]
        out += ["| 列名 | 也可写作 | 类型 | 是否必填 | 可选值 | 不填时 | 说明 | 示例 |",
                "|---|---|---|---|---|---|---|---|"]
        for f in sh.fields:
            values = f"见[{f.enum.key}](#选项{f.enum.key})：{_values_text(f)}" if f.enum is not None else ""
            out.append("| " + " | ".join(_md(x) for x in (
                f.header, "、".join((*f.aliases, *f.accepted)), TYPE_LABELS[f.type], _required_text(f), values,
                _default_text(f), f.note, f.example)) + " |")
        out.append("")
    out += ["## 选项及可接受的写法", "",
            "下拉选项以外，下表“也可写作”一栏中的写法也能识别（按标准写法统计）；其他写法按“不在规定选项内”报错。", ""]
    for enum in schema.ENUMERATIONS.values():
        users = [f"{s.name}·{f.header}" for s in schema.SHEETS for f in s.fields if f.enum is enum]
        out += [f"### 选项{enum.key}", "", f"用于：{'、'.join(users)}。", "", "| 标准写法 | 也可写作 |", "|---|---|"]
        for v in enum.values:
            aliases = [a for a, t in enum.spellings().items() if t == v and a != v]
            out.append(f"| {_md(v)} | {_md('、'.join(aliases))} |")
        out.append("")
        if enum.note:
            out += [_md(enum.note), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def write_docs(path: str | Path = DOCS_PATH) -> Path:
    """Write docs/数据格式.md (UTF-8, LF line endings)."""
    target = Path(path)
    with atomic_write(target) as tmp:
        tmp.write_bytes(format_markdown().encode("utf-8"))
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reportgen.submission_template",
                                     description="写出空白报送模板，或生成 docs/数据格式.md")
    parser.add_argument("path", nargs="?", help="输出文件（默认：报送模板.xlsx 或 docs/数据格式.md）")
    parser.add_argument("--docs", action="store_true", help="生成 docs/数据格式.md")
    args = parser.parse_args(argv)
    if args.docs:
        print(write_docs(args.path or DOCS_PATH))
    else:
        print(write_template(args.path or "报送模板.xlsx"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

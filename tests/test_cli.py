"""The command line as a user meets it: exit codes, Chinese messages without tracebacks, JSON context,
explain, report-template export, Chinese help texts and a GBK console (Windows 命令提示符)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import zipfile
import sys
from pathlib import Path

import docx
import openpyxl
import pytest
from typer.main import get_command
from typer.testing import CliRunner

from conftest import valid_sheets, write_workbook
from reportgen.cli import app
from reportgen.indicators import REGISTRY

CJK = re.compile(r"[\u4e00-\u9fff]")
ENV = {"COLUMNS": "160", "NO_COLOR": "1"}


def run(*args: object):
    """Invoke the CLI in-process; the result has exit_code, output (stdout + stderr), stdout, stderr."""
    return CliRunner().invoke(app, [str(a) for a in args], env=ENV)


def _assert_user_message(result) -> None:
    """A user mistake: a Chinese message and no traceback."""
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert CJK.search(result.output), result.output


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """Three submission folders for 2026Q3: clean, with errors, and a copy with errors elsewhere."""
    root = tmp_path_factory.mktemp("cli")
    clean = root / "干净" / "2026Q3"
    write_workbook(clean / "示例党委.xlsx", valid_sheets())
    sheets = valid_sheets()
    members = sheets["党员"]
    bad = list(members[1])
    bad[0] = "戊五"
    bad[1] = None  # no ID number: not a duplicate of 甲一
    bad[members[0].index("所在党组织编码")] = "Z99"  # unknown organization: 错误
    members.append(bad)
    errors = root / "有错误" / "2026Q3"
    write_workbook(errors / "示例党委.xlsx", sheets)
    return {"root": root, "clean": clean, "errors": errors}


# --------------------------------------------------------------------------- validate


def test_validate_clean_exits_0_and_writes_validation_xlsx(folders, tmp_path):
    r = run("validate", folders["clean"], "-o", tmp_path)
    assert r.exit_code == 0, r.output
    assert "示例党委.xlsx" in r.stdout
    assert "错误 0 个" in r.stdout
    assert (tmp_path / "validation.xlsx").is_file()


def test_validate_with_errors_exits_1_and_lists_the_row(folders, tmp_path):
    r = run("validate", folders["errors"], "-o", tmp_path)
    assert r.exit_code == 1, r.output
    assert "错误 1 个" in r.stdout
    assert "validation.xlsx" in r.stdout
    ws = openpyxl.load_workbook(tmp_path / "validation.xlsx")["问题清单"]
    rows = [row for row in ws.iter_rows(min_row=2, values_only=True) if row[0]]
    errors = [row for row in rows if row[5] == "错误"]
    assert len(errors) == 1
    file, sheet, line, column, value = errors[0][:5]
    assert (file, sheet, line, column, value) == ("示例党委.xlsx", "党员", 6, "所在党组织编码", "Z99")


def test_validate_empty_folder_exits_2(tmp_path):
    empty = tmp_path / "空文件夹"
    empty.mkdir()
    r = run("validate", empty, "--period", "2026Q3", "-o", tmp_path / "输出")
    assert r.exit_code == 2, r.output
    _assert_user_message(r)
    assert "没有找到" in r.output


def test_validate_folder_with_only_a_pdf_exits_2(tmp_path):
    folder = tmp_path / "只有PDF"
    folder.mkdir()
    (folder / "情况说明.pdf").write_bytes(b"%PDF-1.4\n%synthetic\n")
    r = run("validate", folder, "--period", "2026Q3", "-o", tmp_path / "输出")
    assert r.exit_code == 2, r.output
    _assert_user_message(r)


@pytest.mark.parametrize("command", ["validate", "build"])
def test_nonexistent_folder_exits_2_with_a_chinese_message(command, tmp_path):
    missing = tmp_path / "不存在的文件夹"
    r = run(command, missing, "--period", "2026Q3", "-o", tmp_path / "输出")
    assert r.exit_code == 2, r.output
    _assert_user_message(r)
    assert "找不到文件夹" in r.output
    assert "不存在的文件夹" in r.output


def test_unreadable_period_exits_2_with_a_chinese_message(folders, tmp_path):
    r = run("validate", folders["clean"], "--period", "2026年第五季度", "-o", tmp_path)
    assert r.exit_code == 2, r.output
    _assert_user_message(r)


# --------------------------------------------------------------------------- build


def test_build_with_errors_still_writes_the_report_and_exits_0(folders, tmp_path):
    r = run("build", folders["errors"], "--period", "2026Q3", "-o", tmp_path)
    assert r.exit_code == 0, r.output
    for name in ("report.docx", "tables.xlsx", "validation.xlsx"):
        assert (tmp_path / name).is_file(), name
    assert "错误 1 个" in r.stdout
    assert "报告已生成" in r.stdout
    # the row in error is left out: 4 members counted, not 5
    text = "\n".join(p.text for p in docx.Document(tmp_path / "report.docx").paragraphs)
    assert "党员4名" in text


def test_build_strict_with_errors_exits_1_without_a_report(folders, tmp_path):
    r = run("build", folders["errors"], "--period", "2026Q3", "--strict", "-o", tmp_path)
    assert r.exit_code == 1, r.output
    _assert_user_message(r)
    assert "--strict" in r.output
    assert not (tmp_path / "report.docx").exists()
    assert (tmp_path / "validation.xlsx").is_file()


def test_build_strict_on_clean_data_exits_0(folders, tmp_path):
    r = run("build", folders["clean"], "--strict", "-o", tmp_path)
    assert r.exit_code == 0, r.output
    assert (tmp_path / "report.docx").is_file()


def test_build_nothing_usable_exits_2(tmp_path):
    folder = tmp_path / "2026Q3"
    folder.mkdir()
    (folder / "情况说明.pdf").write_bytes(b"%PDF-1.4\n%synthetic\n")
    r = run("build", folder, "-o", tmp_path / "输出")
    assert r.exit_code == 2, r.output
    _assert_user_message(r)
    assert not (tmp_path / "输出" / "report.docx").exists()


def test_build_with_a_config_file_and_an_unknown_key_exits_2(folders, tmp_path):
    cfg = tmp_path / "阈值.yaml"
    cfg.write_text("regulations:\n  branch_max_member: 40\n", encoding="utf-8")
    r = run("build", folders["clean"], "--config", cfg, "-o", tmp_path / "输出")
    assert r.exit_code == 2, r.output
    _assert_user_message(r)
    assert "branch_max_members" in r.output  # the message lists the valid keys


def test_report_open_in_word_is_a_user_message_not_an_internal_error(folders, tmp_path, monkeypatch):
    """On Windows a report.docx left open in Word/WPS cannot be replaced (PermissionError): the user
    must be told, in Chinese, to close that file and run again (exit 2), not shown 程序内部错误."""
    import reportgen.outputs as outputs

    real_replace = os.replace

    def locked(src, dst):
        if Path(dst).name == "report.docx":
            raise PermissionError(13, "另一个程序正在使用此文件，进程无法访问。", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(outputs.os, "replace", locked)
    r = run("build", folders["clean"], "-o", tmp_path)
    assert r.exit_code == 2, r.output
    _assert_user_message(r)
    assert "程序内部错误" not in r.output
    assert "report.docx" in r.output
    assert "关闭" in r.output


# --------------------------------------------------------------------------- context, explain


def test_context_json_parses_and_nests_the_spec_ids(folders):
    r = run("context", folders["clean"], "--period", "2026Q3", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["members"]["total"] == 4
    assert data["orgs"]["total"] == 3
    assert data["members"]["female_share"] == pytest.approx(0.5)
    assert data["period"]["label"] == "2026Q3"
    missing = [key for key in REGISTRY if not key.endswith("_delta")
               and key.split(".", 1)[1] not in data[key.split(".", 1)[0]]]
    assert not missing
    assert isinstance(data["members"]["age_bands"], list)  # tables as lists of records


def test_explain_prints_label_numerator_and_denominator(folders):
    r = run("explain", "members.female_share", folders["clean"], "--period", "2026Q3")
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "女党员占比" in out
    assert "50%" in out
    assert re.search(r"分子：.*= 2\b", out), out
    assert re.search(r"分母：.*= 4\b", out), out
    assert "_row" in out  # rows traced to their Excel row
    assert not re.search(r"\d{17}[\dX]", out)  # ID numbers masked


def test_explain_unknown_id_suggests_close_ids(folders):
    r = run("explain", "members.femal_share", folders["clean"])
    assert r.exit_code == 2, r.output
    _assert_user_message(r)
    assert "members.female_share" in r.output
    assert "是不是" in r.output


def test_explain_nonexistent_id_names_it_and_exits_2(folders):
    r = run("explain", "nonexistent.id", folders["clean"])
    assert r.exit_code == 2, r.output
    _assert_user_message(r)
    assert "nonexistent.id" in r.output


# --------------------------------------------------------------------------- templates


def test_template_report_writes_an_editable_docx(tmp_path):
    target = tmp_path / "我的模板.docx"
    r = run("template", "--report", "季度统计分析", "-o", target)
    assert r.exit_code == 0, r.output
    text = "\n".join(p.text for p in docx.Document(target).paragraphs)
    assert "{{" in text and "}}" in text  # the Jinja tags are there to keep


def test_template_unknown_report_kind_lists_the_kinds(tmp_path):
    r = run("template", "--report", "年度总结", "-o", tmp_path / "x.docx")
    assert r.exit_code == 2, r.output
    _assert_user_message(r)
    assert "季度统计分析" in r.output


def test_template_writes_the_blank_submission_workbook(tmp_path):
    target = tmp_path / "报送模板.xlsx"
    r = run("template", "-o", target)
    assert r.exit_code == 0, r.output
    names = openpyxl.load_workbook(target).sheetnames
    assert {"封面", "党组织", "党员", "换届选举", "班子成员", "两新组织", "填报说明"} <= set(names)


# --------------------------------------------------------------------------- help texts


def test_help_texts_are_chinese():
    r = run("--help")
    assert r.exit_code == 0
    assert "统计分析报告" in r.stdout
    group = get_command(app)
    for param in group.params:  # --quiet, --debug, --version
        if param.name != "help":
            assert getattr(param, "help", None) and CJK.search(param.help), param.name
    for name, command in group.commands.items():
        assert command.help and CJK.search(command.help), name
        for param in command.params:
            if param.name == "help":
                continue
            assert getattr(param, "help", None) and CJK.search(param.help), f"{name} {param.name}"
        r = run(name, "--help")
        assert r.exit_code == 0, name
        assert CJK.search(r.stdout), name
        assert "Show this message" not in r.stdout and "显示本帮助并退出" in r.stdout, name


ENGLISH_FRAME = re.compile(r"Usage:|Options:|Arguments:|Commands:|Error:|Try '|\[default|\[required|"
                           r"Missing |No such|Got unexpected|Invalid value")


def test_help_headings_defaults_and_required_are_chinese():
    top = run("--help")
    assert top.stdout.startswith("用法：reportgen [选项] 命令 [参数]...")
    assert "选项：" in top.stdout and "命令：" in top.stdout
    r = run("validate", "--help")
    assert r.exit_code == 0
    assert "参数：" in r.stdout and "选项：" in r.stdout
    assert re.search(r"data_dir .*\[必填\]", r.stdout), r.stdout
    assert re.search(r"--out .*\[默认：out\]", r.stdout), r.stdout
    for out in (top.stdout, r.stdout):
        assert not ENGLISH_FRAME.search(out), out


@pytest.mark.parametrize("args, words", [
    (["validate"], "缺少参数 data_dir（报送数据所在的文件夹或单个文件）"),
    (["bogus"], "没有“bogus”这个命令；可用的命令：build、validate"),
    (["valdate", "x"], "没有“valdate”这个命令，是不是想用 validate？"),
    (["validate", "x", "--bogus"], "没有“--bogus”这个选项"),
    (["validate", "x", "-o"], "选项 -o 后面要跟一个值"),
    (["sample", "-o", "x", "-n", "abc"], "选项 --members 的值必须是整数"),
    (["build", "x", "--election-window", "month"], "值“month”不是可选的值（可选：period、year）"),
    (["build", "D:\\报送", "数据"], "多余的参数：数据。如果文件夹路径中有空格，请用英文双引号"),
])
def test_command_line_mistakes_are_explained_in_chinese(args, words):
    r = run(*args)
    assert r.exit_code == 2, r.output
    assert words in r.output, r.output
    assert "错误：" in r.output and "查看说明" in r.output
    assert "用法：reportgen" in r.output
    assert not ENGLISH_FRAME.search(r.output), r.output
    assert "Traceback" not in r.output


# --------------------------------------------------------------------------- GBK console


def _reportgen_cmd() -> list[str]:
    script = Path(sys.executable).with_name("reportgen")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "reportgen.cli"]


def test_gbk_console_gets_decodable_chinese_output(folders, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHONIO", "LC_", "LANG"))}
    env.update(PYTHONIOENCODING="gbk", COLUMNS="120")
    proc = subprocess.run(_reportgen_cmd() + ["validate", str(folders["errors"]), "-o", str(tmp_path)],
                          env=env, capture_output=True, timeout=300)
    assert proc.returncode == 1, proc.stderr.decode("gbk", "replace")
    out = proc.stdout.decode("gbk")  # strict: every byte is valid GBK
    err = proc.stderr.decode("gbk")
    assert "Traceback" not in err
    assert "示例党委.xlsx" in out
    assert "错误 1 个" in out
    assert "校验结果已写入" in out


def test_console_script_exit_codes_and_flushed_output(folders, tmp_path):
    """The console script leaves without interpreter teardown (cli._leave): exit codes, printed
    summaries and written files must all survive that."""
    out = tmp_path / "out"
    proc = subprocess.run(_reportgen_cmd() + ["build", str(folders["clean"]), "-o", str(out)],
                          capture_output=True, timeout=300)
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0, err
    assert "示例党委.xlsx" in proc.stdout.decode("utf-8")
    with zipfile.ZipFile(out / "report.docx") as z:
        assert z.testzip() is None
    assert (out / "validation.xlsx").is_file() and (out / "tables.xlsx").is_file()
    proc = subprocess.run(_reportgen_cmd() + ["validate", str(tmp_path / "无此文件夹")],
                          capture_output=True, timeout=300)
    assert proc.returncode == 2
    assert "找不到" in proc.stderr.decode("utf-8")
    proc = subprocess.run(_reportgen_cmd() + ["--version"], capture_output=True, timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip()


def test_version_alone_and_options_without_a_command():
    r = run("--version")
    assert r.exit_code == 0 and r.stdout.startswith("reportgen "), r.output
    r = run("-q")
    assert r.exit_code == 2
    assert "缺少命令" in r.stderr and "Missing" not in r.output

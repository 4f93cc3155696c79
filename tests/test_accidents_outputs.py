"""Accidents around a build (issue 17, "nothing silently wrong"): a kill, Ctrl-C, SIGTERM, a full or
read-only disk, a path taken by a file, --strict after a good build, two builds into one folder.

What must hold: the helper processes (the reading pool, the chart process) die with the build;
Ctrl-C prints one Chinese line and exits 130; the output folder holds the complete set of one run
(the previous set untouched, or none), never a mix; an operating-system fault is a Chinese message
naming the user's path with exit 2, not 程序内部错误.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from conftest import valid_sheets, write_workbook
from reportgen import outputs
from reportgen.cli import app
from reportgen.outputs import MANIFEST, OutputSet, lock_path, os_error_message
from reportgen.procs import child_init, mp_context

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data_samples" / "2026Q3"
ENV = {"COLUMNS": "160", "NO_COLOR": "1"}
SET = {"report.docx", "tables.xlsx", "validation.xlsx", "charts", MANIFEST}


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args], env=ENV)


def leftovers(out: Path) -> list[str]:
    """reportgen's hidden staging/old/lock names beside the output folder."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("accidents")
    clean = root / "干净" / "2026Q3"
    write_workbook(clean / "示例党委.xlsx", valid_sheets())
    sheets = valid_sheets()
    members = sheets["党员"]
    bad = list(members[1])
    bad[0], bad[1] = "戊五", None
    bad[members[0].index("所在党组织编码")] = "Z99"  # unknown organization: 错误
    members.append(bad)
    errors = root / "有错误" / "2026Q3"
    write_workbook(errors / "示例党委.xlsx", sheets)
    return {"clean": clean, "errors": errors}


@pytest.fixture
def built(folders, tmp_path):
    """An output folder holding a good build and a file of the user's own."""
    out = tmp_path / "报告"
    r = run("build", folders["clean"], "-o", out)
    assert r.exit_code == 0, r.output
    (out / "我的笔记.txt").write_text("自己的文件", encoding="utf-8")
    return out


# --------------------------------------------------------------------------- the set as a whole


def test_a_build_writes_a_manifest_of_its_own_outputs_and_keeps_the_users_files(folders, built):
    assert set(p.name for p in built.iterdir()) == SET | {"我的笔记.txt"}
    assert json.loads((built / MANIFEST).read_text(encoding="utf-8")) == {
        "outputs": ["charts", "report.docx", "tables.xlsx", "validation.xlsx"]}
    r = run("build", folders["clean"], "-o", built)
    assert r.exit_code == 0, r.output
    assert (built / "我的笔记.txt").read_text(encoding="utf-8") == "自己的文件"
    assert leftovers(built) == []


def test_a_failure_while_rendering_leaves_the_previous_set_byte_for_byte(folders, built, monkeypatch):
    import reportgen.render.xlsx as xlsx

    before = snapshot(built)

    def boom(*args, **kwargs):
        raise RuntimeError("模拟渲染失败")

    monkeypatch.setattr(xlsx, "write_tables_xlsx", boom)
    r = run("build", folders["errors"], "-o", built)
    assert r.exit_code == 3, r.output  # a bug stays an internal error ...
    assert "程序内部错误" in r.output
    assert snapshot(built) == before  # ... but nothing of this run reached the folder
    assert leftovers(built) == []


def test_strict_with_errors_after_a_good_build_replaces_the_set_with_validation_alone(folders, built):
    """Decision: the new set of a --strict stop (and of "nothing usable") is validation.xlsx alone, so
    no report of the earlier build sits beside a validation of other data."""
    r = run("build", folders["errors"], "--strict", "-o", built)
    assert r.exit_code == 1, r.output
    assert set(p.name for p in built.iterdir()) == {"validation.xlsx", MANIFEST, "我的笔记.txt"}
    ws = openpyxl.load_workbook(built / "validation.xlsx")["问题清单"]
    assert any("Z99" in str(v) for row in ws.iter_rows(values_only=True) for v in row)
    assert leftovers(built) == []


def test_validate_into_a_build_folder_replaces_the_set_too(folders, built):
    r = run("validate", folders["errors"], "-o", built)
    assert r.exit_code == 1, r.output
    assert set(p.name for p in built.iterdir()) == {"validation.xlsx", MANIFEST, "我的笔记.txt"}


def test_by_area_folders_are_part_of_the_set_and_go_when_the_next_build_has_none(tmp_path):
    out = tmp_path / "out"
    r = run("build", SAMPLES, "--by", "area", "-o", out)
    assert r.exit_code == 0, r.output
    areas = {p.name for p in out.iterdir()} - SET
    assert areas and all((out / a / "report.docx").is_file() for a in areas)
    assert set(json.loads((out / MANIFEST).read_text(encoding="utf-8"))["outputs"]) == (SET - {MANIFEST}) | areas
    r = run("build", SAMPLES, "-o", out)
    assert r.exit_code == 0, r.output
    assert {p.name for p in out.iterdir()} == SET  # no area report of the earlier run is left


def test_a_mount_point_output_folder_is_staged_inside_and_swapped_entry_by_entry(folders, tmp_path, monkeypatch):
    """A mount point (a Docker volume, a network share) cannot be renamed, nor entries moved into it
    from the disk beside it: the staging folder and the lock go inside it."""
    out = tmp_path / "卷"
    out.mkdir()
    (out / "我的笔记.txt").write_text("自己的文件", encoding="utf-8")
    real = os.path.ismount
    monkeypatch.setattr(outputs.os.path, "ismount", lambda p: Path(p) == out or real(p))
    assert lock_path(out) == out / ".reportgen-lock"
    real_rename = os.rename

    def no_rename_of_the_mount(src, dst):
        assert Path(src) != out, "the mount point itself was renamed"
        return real_rename(src, dst)

    monkeypatch.setattr(outputs.os, "rename", no_rename_of_the_mount)
    for folder in (folders["clean"], folders["errors"]):
        r = run("build", folder, "-o", out)
        assert r.exit_code == 0, r.output
        assert {p.name for p in out.iterdir()} == SET | {"我的笔记.txt"}
        assert leftovers(out) == []
    r = run("build", folders["errors"], "--strict", "-o", out)
    assert r.exit_code == 1, r.output
    assert {p.name for p in out.iterdir()} == {"validation.xlsx", MANIFEST, "我的笔记.txt"}


def test_a_link_to_a_folder_stays_a_link(folders, tmp_path):
    real = tmp_path / "真实"
    real.mkdir()
    link = tmp_path / "链接"
    link.symlink_to(real, target_is_directory=True)
    for _ in range(2):
        r = run("build", folders["clean"], "-o", link)
        assert r.exit_code == 0, r.output
    assert link.is_symlink() and (real / "report.docx").is_file()


# --------------------------------------------------------------------------- lock


def test_a_second_build_into_the_same_folder_stops_with_exit_2(folders, built):
    before = snapshot(built)
    lock = lock_path(built)
    lock.write_text(str(os.getpid()), encoding="ascii")  # a live build holds the folder
    try:
        r = run("build", folders["errors"], "-o", built)
    finally:
        assert lock.read_text(encoding="ascii") == str(os.getpid())  # the loser leaves it alone
        lock.unlink()
    assert r.exit_code == 2, r.output
    assert f"另一个生成任务正在向“{built}”输出，请等它结束后再试" in r.output
    assert "报告已生成" not in r.output
    assert snapshot(built) == before


def test_a_lock_left_by_a_killed_build_is_taken_over(folders, built):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock_path(built).write_text(str(dead.pid), encoding="ascii")
    r = run("build", folders["errors"], "-o", built)
    assert r.exit_code == 0, r.output
    assert not lock_path(built).exists()


# --------------------------------------------------------------------------- operating-system faults


@pytest.mark.parametrize("code, words", [
    (errno.EROFS, "只读"),
    (errno.ENOSPC, "磁盘空间不足"),
    (errno.EACCES, "没有写入权限"),
    (errno.ENAMETOOLONG, "路径太长"),
])
def test_a_write_fault_is_a_chinese_message_naming_the_users_path(folders, built, monkeypatch, code, words):
    before = snapshot(built)
    real = os.replace

    def failing(src, dst):
        if Path(dst).name == "tables.xlsx" and Path(dst).parent != built:
            raise OSError(code, os.strerror(code), str(dst))
        return real(src, dst)

    monkeypatch.setattr(outputs.os, "replace", failing)
    r = run("build", folders["clean"], "-o", built)
    assert r.exit_code == 2, r.output
    assert words in r.output
    assert str(built / "tables.xlsx") in r.output  # the user's path, not the staging folder's
    assert "reportgen-tmp" not in r.output and "Errno" not in r.output
    assert "程序内部错误" not in r.output and "Traceback" not in r.output
    assert snapshot(built) == before
    assert leftovers(built) == []


def test_a_full_disk_without_a_file_name_is_still_a_user_message(folders, built, monkeypatch):
    import reportgen.render.xlsx as xlsx

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(xlsx, "write_tables_xlsx", full)
    r = run("build", folders["clean"], "-o", built)
    assert r.exit_code == 2, r.output
    assert "磁盘空间不足" in r.output and str(built) in r.output


def test_the_swap_failing_restores_the_previous_set(folders, built, monkeypatch):
    """The last step (moving the new files in beside the user's own) fails halfway: the new
    report.docx is already in, tables.xlsx cannot follow. The old set comes back."""
    before = snapshot(built)
    real = os.replace

    def held(src, dst):
        if Path(dst) == built / "tables.xlsx" and ".reportgen-tmp-" in str(src):
            raise PermissionError(errno.EACCES, "Permission denied", str(dst))
        return real(src, dst)

    monkeypatch.setattr(outputs.os, "replace", held)
    r = run("build", folders["errors"], "-o", built)
    assert r.exit_code == 2, r.output
    assert "关闭" in r.output and str(built / "tables.xlsx") in r.output
    assert snapshot(built) == before
    assert leftovers(built) == []


def test_out_onto_an_existing_file_exits_2_naming_it(folders, tmp_path):
    target = tmp_path / "报告.docx"
    target.write_bytes(b"user's file")
    r = run("build", folders["clean"], "-o", target)
    assert r.exit_code == 2, r.output
    assert f"输出位置“{target}”是一个文件，不是文件夹" in r.output
    assert target.read_bytes() == b"user's file"
    r = run("validate", folders["clean"], "-o", target)
    assert r.exit_code == 2, r.output and "不是文件夹" in r.output


def test_out_below_a_file_exits_2_with_a_chinese_message(folders, tmp_path):
    blocker = tmp_path / "占用"
    blocker.write_text("x", encoding="utf-8")
    r = run("build", folders["clean"], "-o", blocker / "out")
    assert r.exit_code == 2, r.output
    assert "占用" in r.output and "同名的文件或文件夹" in r.output
    assert "程序内部错误" not in r.output and "Errno" not in r.output


def test_a_folder_named_report_docx_is_replaced_by_the_report(folders, tmp_path):
    out = tmp_path / "out"
    (out / "report.docx").mkdir(parents=True)
    r = run("build", folders["clean"], "-o", out)
    assert r.exit_code == 0, r.output
    assert (out / "report.docx").is_file()


def test_os_error_message_on_windows_names_word_for_a_held_report(monkeypatch):
    exc = PermissionError(errno.EACCES, "另一个程序正在使用此文件，进程无法访问。", r"D:\报告\report.docx")
    monkeypatch.setattr(outputs.sys, "platform", "win32")
    text = os_error_message(exc)
    assert text.startswith(r"无法写入“D:\报告\report.docx”") and "Word/WPS" in text and "关闭" in text


# --------------------------------------------------------------------------- recovery after a kill


def test_a_folder_swap_killed_between_its_renames_gets_the_old_set_back(tmp_path):
    out = tmp_path / "out"
    old = tmp_path / ".out.reportgen-old-abc"
    old.mkdir()
    (old / "report.docx").write_bytes(b"OLD")
    (tmp_path / ".out.reportgen-tmp-xyz").mkdir()
    with OutputSet(out):
        pass  # not committed: nothing new
    assert (out / "report.docx").read_bytes() == b"OLD"
    assert leftovers(out) == []


def test_an_entry_swap_killed_midway_gets_the_old_set_back(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "report.docx").write_bytes(b"NEW")  # moved in
    (out / "tables.xlsx").write_bytes(b"NEW")
    old = tmp_path / ".out.reportgen-old-abc"
    old.mkdir()
    (old / "report.docx").write_bytes(b"OLD")  # moved out
    (old / "validation.xlsx").write_bytes(b"OLD")
    (old / ".reportgen-commit.json").write_text(json.dumps({
        "old": ["report.docx", "validation.xlsx"],
        "new": ["report.docx", "tables.xlsx", "validation.xlsx", MANIFEST]}), encoding="utf-8")
    with OutputSet(out):
        pass
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {
        "notes.txt": b"mine", "report.docx": b"OLD", "validation.xlsx": b"OLD"}
    assert leftovers(out) == []


# --------------------------------------------------------------------------- helper processes

SLOW_BUILD = r"""
import os, sys, time
import reportgen.ingest as ingest

ingest.PROCESS_MIN_BYTES = 0  # read by the process pool however small the set
real = ingest.read_file

def slow(*args, **kwargs):  # runs in a reading worker
    open(os.path.join(os.environ["MARKS"], str(os.getpid())), "w").close()
    time.sleep(120)
    return real(*args, **kwargs)

ingest.read_file = slow
from reportgen.cli import main
sys.argv = ["reportgen", "build", *sys.argv[1:]]
main()
"""


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, ppid) of a process, None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[1])


def _descendants(pid: int) -> set[int]:
    procs = {}
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            st = _stat(int(p.name))
            if st is not None:
                procs[int(p.name)] = st[1]
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        kids = {c for c, pp in procs.items() if pp == parent}
        todo.extend(kids - found)
        found |= kids
    return found


def _alive(pids: set[int]) -> set[int]:
    return {p for p in pids if (st := _stat(p)) is not None and st[0] not in "ZX"}


def _slow_build(tmp_path: Path, out: Path):
    """A CLI build (in a new session) whose reading workers hang; returns it once they hang, with
    every process it started."""
    script = tmp_path / "slow_build.py"
    script.write_text(SLOW_BUILD, encoding="utf-8")
    marks = tmp_path / "marks"
    marks.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")]),
           "MARKS": str(marks), "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, str(script), str(SAMPLES), "-o", str(out)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while not any(marks.iterdir()):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the reading workers never started"
        time.sleep(0.05)
    kids = _descendants(proc.pid)
    assert {int(m.name) for m in marks.iterdir()} <= kids
    return proc, kids


def _gone_within(pids: set[int], seconds: float) -> set[int]:
    deadline = time.monotonic() + seconds
    while _alive(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return _alive(pids)


needs_proc = pytest.mark.skipif(not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2,
                                reason="reads /proc; the pool needs two cores")


@needs_proc
def test_sigkill_of_a_build_takes_its_helper_processes_with_it(tmp_path):
    out = tmp_path / "out"
    proc, kids = _slow_build(tmp_path, out)
    assert len(kids) >= 2  # two readers (and the chart process)
    proc.kill()
    proc.wait(timeout=10)
    assert _gone_within(kids, 5) == set()
    # the next build takes the stale lock over and clears what the killed one left
    assert leftovers(out)
    r = run("build", SAMPLES, "-o", out)
    assert r.exit_code == 0, r.output
    assert leftovers(out) == [] and (out / "report.docx").is_file()


@needs_proc
def test_ctrl_c_prints_one_line_exits_130_and_leaves_the_previous_set(tmp_path):
    out = tmp_path / "out"
    assert run("build", SAMPLES, "-o", out).exit_code == 0
    before = snapshot(out)
    proc, kids = _slow_build(tmp_path, out)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: to the whole process group
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert stderr.strip() == "已中断，未生成新的输出"
    assert "Traceback" not in stdout + stderr
    assert _gone_within(kids, 5) == set()
    assert snapshot(out) == before and leftovers(out) == []


@needs_proc
def test_sigterm_ends_the_build_and_its_helpers_without_a_partial_set(tmp_path):
    out = tmp_path / "out"
    assert run("build", SAMPLES, "-o", out).exit_code == 0
    before = snapshot(out)
    proc, kids = _slow_build(tmp_path, out)
    proc.terminate()
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143, stderr
    assert "Traceback" not in stdout + stderr
    assert _gone_within(kids, 5) == set()
    assert snapshot(out) == before and leftovers(out) == []


def _worker_state() -> tuple[object, int]:
    import ctypes

    value = ctypes.c_int(-1)
    ctypes.CDLL(None).prctl(2, ctypes.byref(value), 0, 0, 0)  # PR_GET_PDEATHSIG
    return signal.getsignal(signal.SIGINT), value.value


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_child_init_ignores_ctrl_c_and_ties_the_worker_to_its_parent():
    with ProcessPoolExecutor(max_workers=1, mp_context=mp_context(), initializer=child_init) as pool:
        sigint, deathsig = pool.submit(_worker_state).result(timeout=30)
    assert sigint == signal.SIG_IGN
    assert deathsig == signal.SIGKILL


# --------------------------------------------------------------------------- exit codes


def test_every_documented_exit_code_is_in_the_users_guide():
    guide = (ROOT / "docs" / "用户指南.md").read_text(encoding="utf-8")
    section = guide[guide.index("**退出码**"):]
    section = section[:section.index("\n## ")]
    for code in ("0", "1", "2", "3", "130"):
        assert f"| {code} |" in section, code
    assert "已中断，未生成新的输出" in section and "另一个生成任务" in section

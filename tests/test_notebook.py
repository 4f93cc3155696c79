"""docs/explore.ipynb runs from top to bottom on the sample district and shows what it promises.

The notebook is executed with nbclient in a kernel started from the interpreter running the tests
(a private kernelspec in a temporary folder, so neither a user-wide Jupyter install nor a missing
``python3`` kernelspec can change which Python runs it), with docs/ as its working directory.

To refresh the outputs committed with the notebook::

    .venv/bin/python tests/test_notebook.py --write
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "explore.ipynb"
KERNEL = "reportgen-test"
FULL_ID = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
ABSOLUTE_PATH = re.compile(r"(/tmp/|/work/|/home/|/Users/|[A-Za-z]:\\\\|pytest-of-|site-packages)")


def execute(nb: nbformat.NotebookNode, timeout: int = 600) -> nbformat.NotebookNode:
    """Run every cell of ``nb`` in place (cwd docs/) in a kernel of this very interpreter."""
    with tempfile.TemporaryDirectory(prefix="reportgen-kernel-") as tmp:
        spec_dir = Path(tmp) / KERNEL
        spec_dir.mkdir()
        (spec_dir / "kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "reportgen (tests)", "language": "python",
            "env": {"PYTHONHASHSEED": "0", "MPLBACKEND": "Agg"},
        }), encoding="utf-8")
        km = KernelManager(kernel_name=KERNEL, kernel_spec_manager=KernelSpecManager(kernel_dirs=[tmp]))
        client = NotebookClient(nb, km=km, timeout=timeout, allow_errors=False, record_timing=False,
                                resources={"metadata": {"path": str(NOTEBOOK.parent)}})
        client.execute()
    return nb


def _outputs(nb: nbformat.NotebookNode) -> list[dict]:
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])]


def _texts(nb: nbformat.NotebookNode, mime: str) -> list[str]:
    found = []
    for out in _outputs(nb):
        if out.get("output_type") == "stream" and mime == "text/plain":
            found.append(out.get("text", ""))
        data = out.get("data", {})
        if mime in data:
            value = data[mime]
            found.append("".join(value) if isinstance(value, list) else value)
    return found


def _check(nb: nbformat.NotebookNode) -> None:
    """What the executed notebook must show."""
    outputs = _outputs(nb)
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert not [o for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"], \
        "warnings or errors printed while running the notebook"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.get("outputs") for c in code), "every code cell shows something"

    html = "\n".join(_texts(nb, "text/html"))
    assert "reportgen.Dataset" in html and "2026年第三季度" in html  # Dataset summary
    assert "指标（截止2026年9月30日）" in html and "发现的问题" in html  # Indicators summary
    assert "30岁及以下" in html  # members.age_bands as a DataFrame
    assert "到期未换届" in html  # the findings table
    assert "row.id_numeric" in html  # the issues table

    text = "\n".join(_texts(nb, "text/plain"))
    assert "连选连任" in text and "分子：" in text and "分母：" in text  # explain
    assert "report.docx" in text and "tables.xlsx" in text and "charts/age_bands.png" in text
    # the title breaks at a phrase boundary (issue 18): its two lines
    assert "示例区2026年第三季度基层党组织和\n党员队伍统计分析报告" in text.replace("\\n", "\n")
    assert [o for o in outputs if "image/png" in o.get("data", {})], "the chart is shown"

    everything = "\n".join(_texts(nb, "text/plain") + _texts(nb, "text/html"))
    assert not FULL_ID.search(everything), "an ID number is shown unmasked"
    assert not ABSOLUTE_PATH.search(everything), "an absolute path of this machine is shown"


@pytest.fixture(scope="module")
def executed() -> nbformat.NotebookNode:
    return execute(nbformat.read(NOTEBOOK, as_version=4))


def test_notebook_runs_and_shows_the_summaries(executed):
    _check(executed)


def test_committed_notebook_holds_its_outputs_and_reads_on_its_own():
    """The notebook is committed executed (so it reads well on GitHub) and its outputs are current."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    _check(nb)
    counts = [c.get("execution_count") for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), "run the notebook from top to bottom before committing"
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert re.search(r"[\u4e00-\u9fff]", markdown)


def test_committed_outputs_match_a_fresh_run(executed):
    """The numbers shown in the committed notebook are what the sample data give today."""
    committed = nbformat.read(NOTEBOOK, as_version=4)
    fresh_html = _texts(executed, "text/html")
    assert _texts(committed, "text/html") == fresh_html, \
        "docs/explore.ipynb is stale: run `.venv/bin/python tests/test_notebook.py --write`"


if __name__ == "__main__":
    if "--write" not in sys.argv:
        sys.exit("usage: python tests/test_notebook.py --write   (executes docs/explore.ipynb in place)")
    notebook = execute(nbformat.read(NOTEBOOK, as_version=4))
    _check(notebook)
    nbformat.write(notebook, NOTEBOOK)
    print(f"wrote {NOTEBOOK.relative_to(ROOT)}")

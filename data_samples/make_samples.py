"""Build the bundled sample district 示例区 for 2026Q2 and 2026Q3, reproducibly.

    python data_samples/make_samples.py          # or: make samples

Writes data_samples/2026Q2/ and data_samples/2026Q3/ (the submissions as the sub-units send them,
with some mess: title rows, merged two-row headers, header and value aliases, mixed date forms,
one .xls file, one GBK .csv, a handful of invalid ID numbers and duplicates, and some tables in the
layouts departments really exchange: reportgen/samples_layouts.py), the manifests of the
planted problems under data_samples/manifests/<period>.csv (outside the submission folders, so that
the reader never takes them for a submission), and a copy of narrative.yaml in each quarter folder.
Running it twice gives byte-identical files.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing

from reportgen.samples import SampleResult, generate  # noqa: E402

PERIOD = "2026Q3"
MEMBERS = 9_000
WORKBOOKS = 8
SEED = 2026
DISTRICT = "示例区"


def build(root: Path = HERE) -> SampleResult:
    """Write both quarters of the sample under ``root`` (replacing the quarter folders)."""
    root = Path(root)
    current = root / PERIOD
    previous = root / "2026Q2"
    for folder in (current, previous):
        if folder.exists():
            shutil.rmtree(folder)
    manifests = root / "manifests"
    result = generate(current, members=MEMBERS, workbooks=WORKBOOKS, seed=SEED, period=PERIOD, messy=True,
                      previous=True, district=DISTRICT, legacy_formats=True,
                      manifest=manifests / f"{PERIOD}.csv", previous_manifest=manifests / "2026Q2.csv", jobs=1,
                      real_layouts=True)
    narrative = (HERE / "narrative.yaml").read_bytes()
    for folder in (current, previous):
        (folder / "narrative.yaml").write_bytes(narrative)
    return result


if __name__ == "__main__":
    res = build()
    for r in (res, res.previous):
        print(f"{r.out_dir}: {len(r.files)} 个文件，{r.counts['members']} 名党员，{r.counts['orgs']} 个党组织，"
              f"{r.counts['units']} 个两新组织，埋设问题 {r.counts['problems']} 处（{r.manifest}）")

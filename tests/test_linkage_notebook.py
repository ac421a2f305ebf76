"""Report 04 run directly with papermill on an empty output folder: it computes the survey estimates
itself, says so, and publishes the same tables as under the runner (DESIGN §4, issue 12 item 6)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("milestones")]

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "raw" / "sample"


def test_report_04_alone_computes_what_it_reads_under_the_runner(milestone_runs, tmp_path):
    import papermill

    out, runs = milestone_runs
    published = out / "T12" / "tables"
    alone = tmp_path / "seul"
    papermill.execute_notebook(str(ROOT / "notebooks" / "04_qualite_performance.ipynb"),
                               str(tmp_path / "04.ipynb"), kernel_name="python3", progress_bar=False,
                               cwd=str(ROOT / "notebooks"),
                               parameters={"milestone": "T12", "raw_dir": str(SAMPLE), "out_dir": str(alone)})
    for name in ("qualite_performance", "qualite_performance_panel"):
        assert (alone / "tables" / f"{name}.csv").read_bytes() == (published / f"{name}.csv").read_bytes(), name
    # The mixed model fitted on the estimates as report 01 publishes them (10 significant digits)
    # or as the survey engine returns them agrees to ~1e-9.
    a = pd.read_csv(alone / "tables" / "qualite_performance_modele_mixte.csv")
    b = pd.read_csv(published / "qualite_performance_modele_mixte.csv")
    pd.testing.assert_frame_equal(a, b, rtol=1e-8)
    notebook = (tmp_path / "04.ipynb").read_text(encoding="utf-8")
    assert "calculées par ce rapport" in notebook  # the note saying where the figures come from

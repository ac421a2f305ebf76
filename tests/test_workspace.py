"""Workspace rules: environment files agree, notebooks carry no outputs, Makefile documents itself."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _name(spec: str) -> str:
    return Requirement(spec).name.lower().replace("_", "-")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_name(d): str(Requirement(d).specifier) for d in
                project["dependencies"] + project["optional-dependencies"]["dev"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "pip" in conda and any(d.startswith("python") for d in conda)
    assert "-e .[dev]" in pip
    listed = {_name(d): str(Requirement(d).specifier) for d in pip if not d.startswith("-e")}
    assert listed == declared
    python = next(d for d in conda if d.startswith("python"))
    assert python.removeprefix("python") == project["requires-python"]


NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebooks_have_no_outputs_and_a_parameters_cell(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and not c.get("execution_count") for c in code)
    if re.match(r"\d\d_", path.name):
        first = code[0]
        assert "parameters" in first.get("metadata", {}).get("tags", [])
        source = "".join(first["source"])
        for name in ("milestone", "raw_dir", "out_dir"):
            assert re.search(rf"^{name}\s*=", source, re.M), name
        assert not any(re.search(r"^\s*def |^\s*class ", "".join(c["source"]), re.M) for c in code)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_and_its_jupytext_script_agree(path):
    """Each notebook is paired with a py:percent script; both must hold the same cells."""
    import jupytext
    from jupytext.compare import compare_notebooks

    script = path.with_suffix(".py")
    assert script.exists(), f"{script.name} manque : lancez « jupytext --sync {path.relative_to(ROOT)} »"
    assert jupytext.read(path).metadata["jupytext"]["formats"] == "ipynb,py:percent"
    try:
        compare_notebooks(jupytext.read(script), jupytext.read(path), fmt="py:percent")
    except AssertionError as exc:  # jupytext's diff says which cell differs
        pytest.fail(f"{path.name} et {script.name} divergent ; lancez « jupytext --sync » :\n{exc}")


def test_makefile_targets_are_documented_and_help_lists_them():
    text = (ROOT / "Makefile").read_text()
    targets = re.findall(r"^([a-z][a-z-]*):", text, re.M)
    for target in ("help", "reports", "test", "lab", "bench"):
        assert target in targets
    for target in targets:
        assert re.search(rf"^{target}:.*## ", text, re.M), f"{target} lacks a ## description"
    out = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "reports" in out and "test" in out


def test_ci_and_readme_give_the_two_commands():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.index("make reports") < readme.index("## ")  # the commands come first
    assert "make test" in readme and "papermill" in readme


def test_generated_folders_are_ignored():
    ignored = (ROOT / ".gitignore").read_text()
    for folder in ("data/processed/", "reports/", ".secrets/"):
        assert folder in ignored


def test_library_modules_stay_readable():
    """One concern per module (DESIGN §2): no file of the library over 1,000 lines."""
    sizes = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
             for p in (ROOT / "ducos_lib").rglob("*.py")}
    assert len(sizes) > 40
    assert {name: n for name, n in sizes.items() if n > 1000} == {}

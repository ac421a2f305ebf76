"""A milestone is published whole or not at all: versions, the atomic switch, repair after a kill.

The first tests work on small hand-made versions (no notebook), the last ones kill real runs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE
from ducos_lib import publication
from ducos_lib.io import InputError


def build_version(root: Path, milestone: str, figure: str, files: int = 3) -> publication.Version:
    """A finished version whose every file carries the same figure (as index, report and table do)."""
    version = publication.begin(root, milestone, "copil")
    for name in ("index.html", "01_enquete_usagers.html", "manifest.json"):
        (version.folder / name).write_text(f"part de satisfaits : {figure}", encoding="utf-8")
    (version.folder / "tables").mkdir(exist_ok=True)
    for k in range(files):
        (version.folder / "tables" / f"t{k}.csv").write_text(f"indicateur,estimation\nx,{figure}\n", encoding="utf-8")
    time.sleep(0.001)  # distinct stamps
    return version


def figures(folder: Path) -> set[str]:
    """Every figure found in a published folder (one when consistent)."""
    found = {p.read_text(encoding="utf-8").rsplit(":", 1)[-1].strip() for p in folder.glob("*.*")}
    found |= {p.read_text(encoding="utf-8").splitlines()[1].split(",", 1)[1] for p in (folder / "tables").glob("*.csv")}
    return found


def publish(root: Path, figure: str) -> publication.Version:
    version = build_version(root, "T12", figure)
    publication.mark_ready(version)
    publication.switch(version)
    return version


def test_switch_publishes_a_version_and_drops_the_older_ones(tmp_path):
    first = publish(tmp_path, "53,0 %")
    assert (tmp_path / "T12").is_symlink() and figures(tmp_path / "T12") == {"53,0 %"}
    assert os.readlink(tmp_path / "T12") == f".versions/{first.name}/T12"  # relative: the folder can move
    second = publish(tmp_path, "69,6 %")
    assert figures(tmp_path / "T12") == {"69,6 %"}
    # the replaced version stays until the next switch, for a reader still inside it
    assert [v.name for v in publication.versions(tmp_path, "T12")] == [first.name, second.name]
    third = publish(tmp_path, "70,1 %")
    assert [v.name for v in publication.versions(tmp_path, "T12")] == [second.name, third.name]
    assert publication.last_run(tmp_path, "T12")["statut"] == "publiee"
    assert publication.last_run(tmp_path, "T12")["precedente"] == second.name


def test_a_version_is_built_beside_the_other_milestones(tmp_path):
    """Notebooks and the index read earlier milestones at ../<milestone>; a published version has no link."""
    earlier = build_version(tmp_path, "T0", "53,0 %")
    publication.mark_ready(earlier)
    publication.switch(earlier)
    version = build_version(tmp_path, "T6", "60,5 %")
    assert figures(version.folder.parent / "T0") == {"53,0 %"}
    publication.mark_ready(version)
    assert not [p for p in version.path.iterdir() if p.is_symlink()]


def test_an_unfinished_version_is_never_published(tmp_path):
    publish(tmp_path, "53,0 %")
    unfinished = build_version(tmp_path, "T12", "0,0 %")
    with pytest.raises(RuntimeError, match="inachevée"):
        publication.switch(unfinished)
    assert figures(tmp_path / "T12") == {"53,0 %"}


def test_recover_discards_an_unfinished_version_and_says_so(tmp_path):
    publish(tmp_path, "53,0 %")
    unfinished = build_version(tmp_path, "T12", "0,0 %")  # a run killed while building
    messages = publication.recover(tmp_path, "T12")
    assert len(messages) == 1 and "abandonnée" in messages[0] and unfinished.name in messages[0]
    assert not unfinished.path.exists() and figures(tmp_path / "T12") == {"53,0 %"}
    state = publication.last_run(tmp_path, "T12")
    assert state["statut"] == "interrompue" and "arrêté" in state["motif"]
    assert publication.recover(tmp_path, "T12") == []  # nothing left


def test_recover_finishes_a_version_killed_just_before_its_switch(tmp_path):
    live = publish(tmp_path, "53,0 %")
    ready = build_version(tmp_path, "T12", "69,6 %")
    publication.mark_ready(ready)  # killed here, before the switch
    messages = publication.recover(tmp_path, "T12")
    assert "achevée" in messages[0]
    assert figures(tmp_path / "T12") == {"69,6 %"}
    assert [v.name for v in publication.versions(tmp_path, "T12")] == [live.name, ready.name]
    assert publication.last_run(tmp_path, "T12")["statut"] == "publiee"


def test_an_older_ready_version_does_not_replace_a_newer_publication(tmp_path):
    old = build_version(tmp_path, "T12", "53,0 %")
    publication.mark_ready(old)
    publish(tmp_path, "69,6 %")  # drops `old` normally; put it back as a leftover
    old.folder.mkdir(parents=True)
    (old.path / "etat.json").write_text(json.dumps({"statut": "prete"}), encoding="utf-8")
    publication.recover(tmp_path, "T12")
    assert figures(tmp_path / "T12") == {"69,6 %"} and not old.path.exists()


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "deux-renommages"])
def test_a_folder_published_by_the_previous_runner_is_replaced_whole(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr(publication, "_exchange", lambda a, b: False)
    legacy = tmp_path / "T12"
    (legacy / "tables").mkdir(parents=True)
    (legacy / "index.html").write_text("part de satisfaits : 53,0 %", encoding="utf-8")
    (legacy / "tables" / "t0.csv").write_text("indicateur,estimation\nx,53,0 %\n", encoding="utf-8")
    version = publication.begin(tmp_path, "T12", "copil")
    assert figures(version.folder) == {"53,0 %"}  # seeded from the plain folder
    for path in [version.folder / "index.html", version.folder / "tables" / "t0.csv"]:
        path.write_text(path.read_text(encoding="utf-8").replace("53,0 %", "69,6 %"), encoding="utf-8")
    publication.mark_ready(version)
    publication.switch(version)
    assert (tmp_path / "T12").is_symlink() and figures(tmp_path / "T12") == {"69,6 %"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".diffusion", ".versions", "T12"]


def test_a_reader_never_sees_a_mix_nor_a_missing_folder(tmp_path):
    """A reader opening the milestone folder while versions are switched under it, 40 times.

    The version a reader is in stays until the switch after next; a file can only go missing when
    two switches happened during one read (a reader stalled that long by the machine's load).
    """
    publish(tmp_path, "v0")
    seen, errors, stop, switches = [], [], threading.Event(), [0]

    def reader():
        while not stop.is_set():
            before = switches[0]
            try:
                fd = os.open(tmp_path / "T12", os.O_RDONLY)
                try:
                    texts = []
                    for name in ("index.html", "01_enquete_usagers.html", "manifest.json"):
                        handle = os.open(name, os.O_RDONLY, dir_fd=fd)
                        with os.fdopen(handle, encoding="utf-8") as fh:
                            texts.append(fh.read().rsplit(":", 1)[-1].strip())
                    seen.append(frozenset(texts))
                finally:
                    os.close(fd)
            except OSError as exc:
                if switches[0] - before < 2:
                    errors.append(repr(exc))

    thread = threading.Thread(target=reader)
    thread.start()
    for k in range(1, 41):
        publish(tmp_path, f"v{k}")
        switches[0] += 1
        time.sleep(0.01)
    stop.set()
    thread.join()
    assert errors == [] and len(seen) > 40
    assert all(len(s) == 1 for s in seen), [s for s in seen if len(s) != 1][:3]


def test_levels_never_mix(tmp_path):
    base = tmp_path / "rapports"
    assert publication.level_root(base, "copil") == base.resolve()
    assert publication.level_root(base, "restreinte") == (base / "restreinte").resolve()
    publication.mark_level(base.resolve(), "copil")
    publication.mark_level((base / "restreinte").resolve(), "restreinte")
    assert publication.level_root(base, "restreinte") == (base / "restreinte").resolve()  # its own folder
    with pytest.raises(InputError, match="réservé à la diffusion restreinte"):
        publication.level_root(base / "restreinte", "copil")  # CoPil reports inside the restricted folder
    with pytest.raises(InputError, match="mélangerait"):
        publication.level_root(base / "restreinte" / "sous-dossier", "copil")
    with pytest.raises(InputError, match="à l'intérieur du dossier de rapports"):
        publication.level_root(base / "T12", "copil")  # a CoPil root inside another
    with pytest.raises(InputError, match=f"à l'intérieur .* donnez {base.resolve()} "):
        publication.level_root(base / "restreinte", "restreinte")  # would nest restreinte/restreinte
    with pytest.raises(InputError, match="réservé à la diffusion restreinte"):
        publication.level_root(tmp_path / "autre" / "restreinte", "copil")
    other = tmp_path / "autre_base"
    publication.mark_level(other.resolve(), "restreinte")
    with pytest.raises(InputError, match="mélangerait"):
        publication.level_root(other, "copil")
    with pytest.raises(InputError, match="inconnu"):
        publication.level_root(base, "public")


@pytest.mark.parametrize("name", ["T18", "C2-T0", "T12.bis"])
def test_any_calendar_name_is_a_folder_name(name):
    assert publication.check_milestone_name(name) == name


@pytest.mark.parametrize("name", ["../T0", "T 6", "", "a/b", ".versions"])
def test_unsafe_milestone_names_are_refused(name):
    with pytest.raises(InputError, match="Nom de jalon"):
        publication.check_milestone_name(name)


# --- a process killed during the switch --------------------------------------------------------------

_SWITCH_SCRIPT = """
import sys, time
from pathlib import Path
from ducos_lib import publication
root, step = Path(sys.argv[1]), sys.argv[2]
original = getattr(publication, step)
def paused(*args, **kwargs):
    print("PAUSE", flush=True)
    time.sleep(60)
    return original(*args, **kwargs)
setattr(publication, step, paused)
version = publication.Version(root, "T12", sys.argv[3])
publication.switch(version)
"""


@pytest.mark.parametrize("step, published", [("_swap", "53,0 %"), ("_drop_others", "69,6 %")])
def test_a_switch_killed_midway_leaves_one_whole_version(tmp_path, step, published):
    """SIGKILL with the new link made but not renamed (old version stays), or renamed but the old
    version not yet dropped (new version stays); the next repair leaves one version."""
    publish(tmp_path, "53,0 %")
    ready = build_version(tmp_path, "T12", "69,6 %")
    publication.mark_ready(ready)
    proc = subprocess.Popen([sys.executable, "-c", _SWITCH_SCRIPT, str(tmp_path), step, ready.name],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout.readline().strip() == "PAUSE"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert figures(tmp_path / "T12") == {published}
    publication.recover(tmp_path, "T12")  # what the next run or `ducos due` does first
    assert figures(tmp_path / "T12") == {"69,6 %"}  # a finished version is finished
    assert [v.name for v in publication.versions(tmp_path, "T12")][-1] == ready.name
    assert len(publication.versions(tmp_path, "T12")) == 2  # and the one it replaced
    assert not list(tmp_path.glob(".T12.lien-*"))


# --- real runs killed at several points (kill-test matrix) --------------------------------------------

_RUN_SCRIPT = """
import importlib, sys, time
from ducos_lib import cli
step, seconds = sys.argv[1], float(sys.argv[2])
if step != "-":
    module, name = step.rsplit(".", 1)
    module = importlib.import_module(f"ducos_lib.{module}")
    original = getattr(module, name)
    def paused(*args, **kwargs):
        print("PAUSE", flush=True)
        time.sleep(seconds)
        return original(*args, **kwargs)
    setattr(module, name, paused)
sys.exit(cli.main(sys.argv[3:]))
"""
AFTER_T12 = "2026-12-01"
TWO = ["--only", "00_qualite_donnees", "01_enquete_usagers", "--jobs", "2", "--sans-pdf"]


def changed_sample(tmp_path: Path) -> Path:
    """The sample with a third of T12's satisfied answers turned to 1: another satisfied share."""
    import shutil

    raw = tmp_path / "echantillon_modifie"
    shutil.copytree(SAMPLE, raw)
    path = raw / "enquete_usagers.csv"
    lines = path.read_bytes().decode("cp1252").splitlines(keepends=True)
    for k, line in enumerate(lines[1:], start=1):
        cells = line.split(";")
        if len(cells) > 9 and cells[1] == "T12" and cells[9] in ("4", "5") and k % 3 == 0:
            cells[9] = "1"
            lines[k] = ";".join(cells)
    path.write_bytes("".join(lines).encode("cp1252"))
    return raw


def published_share(out: Path) -> str:
    """Check that the published T12 folder agrees with itself; return its satisfied share at T12."""
    import pandas as pd

    from ducos_lib.reports.formats import percent

    folder = out / "T12"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == folder.resolve().parent.name  # the manifest of this very version
    for nb in manifest["notebooks"]:
        assert nb["statut"] != "echec", nb
        assert (folder / nb["html"]).is_file() and all((folder / t).is_file() for t in nb["tables"])
    assert not list(folder.rglob("*.tmp")) and not (folder / ".travail").exists()
    est = pd.read_csv(folder / "tables" / "enquete_estimations.csv")
    row = est[(est["indicateur"] == "satisfaction_globale_satisfaits") & (est["groupe_variable"] == "ensemble")
              & (est["vague"] == "T12")]
    share = percent(float(row["estimation"].iloc[0]), 1)
    assert share in (folder / "01_enquete_usagers.html").read_text(encoding="utf-8"), share
    assert share in (folder / "index.html").read_text(encoding="utf-8"), share
    return share


class Run:
    """`ducos run` in a child process, its output read line by line, its kernels known."""

    def __init__(self, raw: Path, out: Path, step: str = "-", seconds: float = 120, extra: list[str] = TWO):
        import queue

        cmd = [sys.executable, "-c", _RUN_SCRIPT, step, str(seconds), "run", "--milestone", "T12",
               "--raw-dir", str(raw), "--out", str(out), "--force", *extra]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        self.lines: queue.Queue = queue.Queue()
        self.stdout: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, prefix: str, timeout: float = 120) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=1)
            except Exception:  # noqa: BLE001 - queue.Empty
                continue
            self.stdout.append(line)
            if line.startswith(prefix):
                return
        raise AssertionError(f"« {prefix} » jamais affiché : {self.stdout}")

    def kill(self, signum: int) -> tuple[int, list[int]]:
        """Send a signal; return the exit code and the kernels that were running."""
        import psutil

        kernels = [p for p in psutil.Process(self.proc.pid).children(recursive=True)]
        self.proc.send_signal(signum)
        code = self.proc.wait(timeout=60)
        self.stderr = self.proc.stderr.read()
        while not self.lines.empty():
            self.stdout.append(self.lines.get())
        return code, kernels


def kernels_gone(kernels, timeout: float = 15) -> bool:
    import psutil

    _, alive = psutil.wait_procs(kernels, timeout=timeout)
    return not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]


def due(raw: Path, out: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "ducos_lib.cli", "due", "--raw-dir", str(raw), "--out", str(out),
                           "--date", AFTER_T12], capture_output=True, text=True, cwd=ROOT, check=True)
    return done.stdout


@pytest.fixture(scope="module")
def first_publication(isolated_env, tmp_path_factory):
    """T12 published from the sample (00 and 01), and a raw folder whose survey says otherwise."""
    from ducos_lib import cli

    base = tmp_path_factory.mktemp("publication")
    out = base / "rapports"
    assert cli.main(["run", "--milestone", "T12", "--raw-dir", str(SAMPLE), "--out", str(out), *TWO]) == 0
    share = published_share(out)
    changed = changed_sample(base)
    return out, share, changed


def fresh_copy(first_publication, tmp_path) -> Path:
    import shutil

    out = tmp_path / "rapports"
    shutil.copytree(first_publication[0], out, symlinks=True)
    return out




@pytest.mark.parametrize("step, after", [("runner._execute", "PAUSE"), ("-", "[1/2]")],
                         ids=["0-notebook", "1-notebook"])
@pytest.mark.slow
@pytest.mark.xdist_group("publication")
def test_sigkill_while_notebooks_run(first_publication, tmp_path, step, after):
    out, share, changed = fresh_copy(first_publication, tmp_path), first_publication[1], first_publication[2]
    run = Run(changed, out, step=step)
    run.wait_for(after)
    code, kernels = run.kill(signal.SIGKILL)
    assert code == -signal.SIGKILL and kernels_gone(kernels)  # kernels notice their parent died
    assert published_share(out) == share  # the previous publication, whole
    assert [v.status() for v in publication.versions(out, "T12")].count("construction") == 1
    listing = due(SAMPLE, out)
    assert "T12 (données arrêtées au 13/11/2026) : dernière exécution interrompue" in listing
    assert "abandonnée" in listing  # `ducos due` discarded the unfinished version …
    assert [v.status() for v in publication.versions(out, "T12")] == ["prete"]
    assert "dernière exécution interrompue" in due(SAMPLE, out)  # … and keeps listing the milestone
    assert published_share(out) == share


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.slow
@pytest.mark.xdist_group("publication")
def test_sigterm_or_sigint_stops_kernels_logs_and_drops_the_build(first_publication, tmp_path, signum):
    out, share, changed = fresh_copy(first_publication, tmp_path), first_publication[1], first_publication[2]
    run = Run(changed, out)
    run.wait_for("[1/2]")
    code, kernels = run.kill(signum)
    assert code == 128 + signum
    assert kernels and kernels_gone(kernels, timeout=5)
    name = signal.Signals(signum).name
    assert f"exécution interrompue ({name}) ; la publication précédente est conservée" in "\n".join(run.stdout)
    assert run.stderr == ""  # no KeyboardInterrupt, no kernel or zmq warning
    log = (out / "ducos_executions.log").read_text(encoding="utf-8")
    assert f"interrompu jalon=T12 signal={name}" in log
    assert [v.status() for v in publication.versions(out, "T12")] == ["prete"]  # the build is gone
    assert publication.last_run(out, "T12")["statut"] == "interrompue"
    assert published_share(out) == share
    assert "T12 (données arrêtées au 13/11/2026) : dernière exécution interrompue" in due(SAMPLE, out)


@pytest.mark.slow
@pytest.mark.xdist_group("publication")
def test_sigkill_at_publication_then_due_finishes_it(first_publication, tmp_path):
    out, share, changed = fresh_copy(first_publication, tmp_path), first_publication[1], first_publication[2]
    run = Run(changed, out, step="publication.switch")
    run.wait_for("PAUSE")
    code, _ = run.kill(signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert published_share(out) == share  # built and ready, not yet switched to
    listing = due(changed, out)
    assert "achevée" in listing and "T12 (" not in listing  # finished by `ducos due`, nothing left to do
    new_share = published_share(out)
    assert new_share != share
    assert [v.status() for v in publication.versions(out, "T12")] == ["prete", "prete"]  # new and replaced


@pytest.mark.slow
@pytest.mark.xdist_group("publication")
def test_sigterm_during_the_switch_lets_it_complete(first_publication, tmp_path):
    out, share, changed = fresh_copy(first_publication, tmp_path), first_publication[1], first_publication[2]
    run = Run(changed, out, step="publication.switch", seconds=3)
    run.wait_for("PAUSE")
    code, _ = run.kill(signal.SIGTERM)
    assert code == 128 + signal.SIGTERM
    assert "après la mise en ligne" in "\n".join(run.stdout) and run.stderr == ""
    assert published_share(out) != share and publication.last_run(out, "T12")["statut"] == "publiee"
    assert [v.status() for v in publication.versions(out, "T12")] == ["prete", "prete"]  # new and replaced

"""`make bench`: measure the performance targets of DESIGN §9, each in its own process.

Measurements
------------
1. the whole T12 milestone on the sample data at scale 1 (wall time, peak memory of the process tree,
   each notebook's time) — target 60 s;
2. the same at scale ×100 of the synthetic generator — targets 5 min and 3 GiB;
3. ingestion throughput (rows validated, pseudonymised and redacted per second, in-process:
   ``bench/bench_ingest.py``) at scales ×100 and ×1000 — target 200,000 rows/s;
4. the survey engine on 1,000,000 answers (``bench/bench_survey.py``; with R when available) — 10 s;
   and on 10,000,000 answers (same script, its own process) — 30 s and 4 GiB;
5. the text pipeline on 10,000 forms (``bench/bench_text.py``).

Prints one table and writes ``bench/results.json``. Usage: ``python bench/run.py [--quick]``
(``--quick`` skips the ×100 run and the ×1000 ingestion).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
GIB = 1024**3
MIB = 1024**2


def _memory(proc: psutil.Process) -> int:
    """Proportional set size: pages a forked worker shares with its parent are counted once."""
    try:
        return proc.memory_full_info().pss
    except (psutil.AccessDenied, AttributeError):
        return proc.memory_info().rss


def run_measured(cmd: list[str], env: dict | None = None, interval: float = 0.1) -> dict:
    """Run a command, sampling the summed memory (PSS) of its whole process tree (kernels included)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        try:
            parent = psutil.Process(proc.pid)
        except psutil.Error:
            return
        while not stop.is_set():
            try:
                procs = [parent, *parent.children(recursive=True)]
                peak = max(peak, sum(_memory(p) for p in procs if p.is_running()))
            except psutil.Error:
                pass
            stop.wait(interval)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, err = proc.communicate()
    stop.set()
    thread.join()
    return {"seconds": round(time.perf_counter() - start, 2), "peak_bytes": peak, "returncode": proc.returncode,
            "stdout": out, "stderr": err}


def milestone(scale: int, work: Path) -> dict:
    raw = work / f"raw_x{scale}"
    if scale == 1:
        raw = ROOT / "data" / "raw" / "sample"
    else:
        gen = run_measured([PY, "-m", "ducos_lib.cli", "sample-data", "--out", str(raw), "--scale", str(scale)])
        if gen["returncode"]:
            return {"error": gen["stderr"][-500:]}
    env = {"DUCOS_PROCESSED_DIR": str(work / f"processed_x{scale}"), "DUCOS_CLE_PSEUDONYMISATION": str(work / "cle"),
           "MPLBACKEND": "agg"}
    ingest = run_measured([PY, "-m", "ducos_lib.cli", "validate", "--raw-dir", str(raw), "--force"], env)
    rows = 0
    state = next((work / f"processed_x{scale}").glob("*/ingestion.json"), None)
    if state:
        rows = sum(d["n_lignes"] for d in json.loads(state.read_text())["datasets"].values())
    out = work / f"reports_x{scale}"
    run = run_measured([PY, "-m", "ducos_lib.cli", "run", "--milestone", "T12", "--raw-dir", str(raw),
                        "--out", str(out), "--force"], env)
    manifest_path = out / "T12" / "manifest.json"
    notebooks = {}
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        notebooks = {n["name"]: {"seconds": n["duree_s"], "status": n["statut"]} for n in manifest["notebooks"]}
    return {
        "scale": scale, "input_rows": rows,
        "ingestion_seconds": ingest["seconds"], "ingestion_peak_gib": round(ingest["peak_bytes"] / GIB, 3),
        "total_seconds": round(ingest["seconds"] + run["seconds"], 2),
        "peak_gib": round(max(ingest["peak_bytes"], run["peak_bytes"]) / GIB, 3),
        "ingestion_rows_per_second": round(rows / ingest["seconds"]) if ingest["seconds"] else None,
        "run_seconds": run["seconds"], "run_peak_gib": round(run["peak_bytes"] / GIB, 3),
        "run_returncode": run["returncode"], "notebooks": notebooks,
        "error": run["stderr"][-800:] if run["returncode"] not in (0, None) else None,
    }


def ingestion_bench(scale: int, work: Path) -> dict:
    """``bench/bench_ingest.py`` on the raw folder of that scale (generated when missing)."""
    raw = work / f"raw_x{scale}"
    if not raw.exists():
        gen = run_measured([PY, "-m", "ducos_lib.cli", "sample-data", "--out", str(raw), "--scale", str(scale)])
        if gen["returncode"]:
            return {"error": gen["stderr"][-500:]}
    path = work / f"ingest_x{scale}.json"
    res = run_measured([PY, "bench/bench_ingest.py", "--scale", str(scale), "--raw", str(raw), "--json", str(path)])
    data = json.loads(path.read_text()) if path.exists() else {"error": res["stderr"][-800:]}
    data["process_peak_gib"] = round(res["peak_bytes"] / GIB, 3)
    return data


def survey_bench(work: Path) -> dict:
    path = work / "survey.json"
    res = run_measured([PY, "bench/bench_survey.py", "--json", str(path)])
    data = json.loads(path.read_text()) if path.exists() else {"error": res["stderr"][-800:]}
    data["process_peak_gib"] = round(res["peak_bytes"] / GIB, 3)
    return data


def text_bench() -> dict:
    res = run_measured([PY, "bench/bench_text.py", "--forms", "10000"])
    lines = [line for line in res["stdout"].splitlines() if line.startswith("{")]
    data = json.loads(lines[-1]) if lines else {"error": res["stderr"][-800:]}
    data["process_peak_gib"] = round(res["peak_bytes"] / GIB, 3)
    return data


def verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("atteint" if ok else "NON ATTEINT")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the ×100 milestone run")
    args = parser.parse_args()
    results: dict = {"machine": {"cpus": os.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / GIB, 1)},
                     "date": time.strftime("%Y-%m-%d %H:%M")}
    with tempfile.TemporaryDirectory(prefix="ducos_bench_") as tmp:
        work = Path(tmp)
        (work / "cle").write_text("cle-du-banc-d-essai")
        print("Mesure 1/5 : jalon T12, échelle 1 …", flush=True)
        results["t12_x1"] = milestone(1, work)
        if not args.quick:
            print("Mesure 2/5 : jalon T12, échelle ×100 …", flush=True)
            results["t12_x100"] = milestone(100, work)
        print("Mesure 3/5 : débit de l'ingestion, ×100" + ("" if args.quick else " et ×1000") + " …", flush=True)
        results["ingestion"] = {f"x{k}": ingestion_bench(k, work) for k in ((100,) if args.quick else (100, 1000))}
        print("Mesure 4/5 : moteur d'enquête, 1 000 000 de réponses …", flush=True)
        results["survey_1m"] = survey_bench(work)
        print("Mesure 5/5 : chaîne de traitement du texte, 10 000 fiches …", flush=True)
        results["text_10k"] = text_bench()
    x1, x100 = results["t12_x1"], results.get("t12_x100", {})
    survey, text = results["survey_1m"], results["text_10k"]
    rows = [
        ("Jalon T12, échelle 1 (rapports)", f"{x1.get('run_seconds')} s (+ ingestion {x1.get('ingestion_seconds')} s)",
         "< 60 s", verdict(x1.get("run_seconds", 1e9) < 60 and x1.get("run_returncode") == 0)),
        ("Jalon T12, échelle 1 (mémoire max)", f"{x1.get('peak_gib')} Gio", "–", "–"),
    ]
    rows += [(f"  notebook {name}", f"{n['seconds']} s ({n['status']})", "", "") for name, n in x1.get("notebooks", {}).items()]
    if x100:
        rows += [
            ("Jalon T12, ×100 (ingestion + rapports)", f"{x100.get('total_seconds')} s "
             f"({x100.get('ingestion_seconds')} + {x100.get('run_seconds')})", "< 60 s",
             verdict(x100.get("total_seconds", 1e9) < 60 and x100.get("run_returncode") == 0)),
            ("Jalon T12, ×100 (mémoire max)", f"{x100.get('peak_gib')} Gio", "< 3 Gio",
             verdict(x100.get("peak_gib", 1e9) < 3)),
            ("Ingestion ×100 (débit)", f"{x100.get('ingestion_rows_per_second')} lignes/s "
             f"({x100.get('input_rows')} lignes en {x100.get('ingestion_seconds')} s)", "–", "–"),
        ]
        rows += [(f"  notebook {name} (×100)", f"{n['seconds']} s ({n['status']})", "", "")
                 for name, n in x100.get("notebooks", {}).items()]
    for name, ing in results["ingestion"].items():
        rate = ing.get("rows_per_second")
        rows.append((f"Ingestion {name.replace('x', '×')} (débit, validation complète)",
                     f"{rate} lignes/s ({ing.get('rows')} lignes en {ing.get('seconds')} s, dont caviardage "
                     f"{ing.get('redaction_seconds')} s)" if rate else str(ing.get("error"))[:60],
                     "≥ 200 000", verdict(rate >= 200_000 if rate else None)))
        if rate:
            rows.append(("  hors caviardage des textes libres", f"{ing.get('rows_per_second_without_redaction')} lignes/s, "
                         f"{ing.get('process_peak_gib')} Gio", "", ""))
            rows.append(("  par seconde de processeur (machine chargée)", f"{ing.get('rows_per_cpu_second')} lignes/s "
                         f"({ing.get('cpu_seconds')} s de processeur)", "", ""))
    total = survey.get("python_seconds", {}).get("total")
    rows.append(("Enquête 1 M réponses (ratissage, estimations, svyglm)", f"{round(total, 2) if total else '?'} s", "< 10 s",
                 verdict(total < 10 if total else None)))
    large = survey.get("large", {})
    if large.get("seconds"):
        rows.append(("Enquête 10 M réponses (même travail)", f"{large['seconds']['total']:.1f} s, "
                     f"{large['peak_rss_mib'] / 1024:.2f} Gio", "< 30 s, 4 Gio", verdict(large.get("within_target"))))
    r = survey.get("r", {})
    if r.get("available"):
        rows.append(("  même travail dans R survey", f"{r['r_seconds']:.1f} s (R {r['time_ratio_r_over_python']:.0f} fois "
                     f"plus lent ; écart relatif max {r['max_rel_diff_estimate']:.1e})", "", ""))
    else:
        rows.append(("  R survey", r.get("note", "absent"), "", ""))
    secs = text.get("seconds_total")
    rows.append(("Texte 10 000 fiches (caviardage + codage, chargement compris)",
                 f"{secs} s ({text.get('cpu_seconds_total')} s CPU, charge {text.get('load_average_1min')}), "
                 f"{text.get('max_rss_mib')} Mio", "< 30 s", verdict(secs < 30 if secs else None)))
    width = max(len(r[0]) for r in rows) + 2
    print()
    print(f"{'Mesure':<{width}}{'Résultat':<48}{'Cible':<10}Verdict")
    for name, value, target, ok in rows:
        print(f"{name:<{width}}{value:<48}{target:<10}{ok}")
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str))
    print(f"\nRésultats détaillés : {ROOT / 'bench' / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of the survey engine on 1,000,000 and 10,000,000 synthetic answers (DESIGN.md §9).

Work measured (the same in R when ``Rscript`` with the ``survey`` package is available):

1. build the design (equal starting weights), rake it on 3 margins (sexe 2, tranche_age 5,
   quartier 10 cells) with R's ``rake()`` (IPF and its backfitting variance);
2. overall estimate of a mean (a 1–5 item with 5 % missing) and of a proportion (share of 4–5);
3. the same two statistics as domain estimates for 20 services;
4. one design-based logistic regression (``svyglm``, quasibinomial) of the share of 4–5 on sexe
   and tranche_age.

The ``--n`` run (1M) is compared with R; the ``--n-large`` run (10M, Python only, target 30 s and
4 GiB) runs in a child process so that its peak memory is its own.

Usage::

    python bench/bench_survey.py [--n 1000000] [--n-large 10000000] [--seed 20261126] [--json PATH] [--no-r]

A human summary goes to stderr; the figures go as JSON to ``--json PATH`` or, without it, to stdout.
Wall time excludes data generation; peak memory is measured twice: the process peak RSS
(``resource.getrusage``) and the Python-level peak of a second, traced run (``tracemalloc``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ducos_lib import survey as sv  # noqa: E402

TARGET_S = 10.0
TARGET_LARGE_S = 30.0
TARGET_LARGE_GIB = 4.0
AGES = ["15-29", "30-44", "45-59", "60-74", "75+"]
QUARTIERS = [f"Q{i:02d}" for i in range(10)]
SERVICES = [f"S{i:02d}" for i in range(20)]


def make_data(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic answers (deliberately unbalanced vs the population) and population margins."""
    rng = np.random.default_rng(seed)
    sexe = rng.choice(["F", "H"], n, p=[0.6, 0.4])
    age = rng.choice(AGES, n, p=[0.1, 0.15, 0.25, 0.3, 0.2])
    # quartier depends on age, so the three margins are correlated and raking needs several sweeps
    base_q = np.linspace(1, 2, 10) / np.linspace(1, 2, 10).sum()
    q_idx = rng.choice(10, n, p=base_q)
    older = np.searchsorted(AGES, age) >= 3
    q_idx = np.where(older & (rng.random(n) < 0.4), rng.integers(0, 3, n), q_idx)
    quartier = np.asarray(QUARTIERS)[q_idx]
    service = rng.choice(SERVICES, n, p=np.linspace(1, 3, 20) / np.linspace(1, 3, 20).sum())
    # the item depends on age and service so that weighting matters
    mu = 2.6 + 0.25 * np.searchsorted(AGES, age) + 0.03 * np.searchsorted(SERVICES, service)
    y = np.clip(np.round(rng.normal(mu, 1.1)), 1, 5)
    y[rng.random(n) < 0.05] = np.nan
    data = pd.DataFrame(
        {"sexe": sexe, "tranche_age": age, "quartier": quartier, "service": service, "y": y}
    )
    for c in ("sexe", "tranche_age", "quartier", "service"):
        data[c] = data[c].astype("str")
    pop_n = 17837.0
    shares = {
        "sexe": dict(zip(["F", "H"], [0.53, 0.47])),
        "tranche_age": dict(zip(AGES, [0.183, 0.182, 0.289, 0.227, 0.119])),
        "quartier": dict(zip(QUARTIERS, np.full(10, 0.1))),
    }
    rows = [
        {"variable": v, "modalite": k, "effectif": pop_n * s}
        for v, cells in shares.items()
        for k, s in cells.items()
    ]
    return data, pd.DataFrame(rows)


def run_python(data: pd.DataFrame, population: pd.DataFrame) -> dict:
    """The measured work; returns timings and the estimates (for the comparison with R)."""
    t = {}
    t0 = time.perf_counter()
    base = sv.design(data, weights=np.full(len(data), population.effectif.sum() / 3 / len(data)))
    raked = sv.rake(base, population, max_iter=100, epsilon=1e-10)  # the R call of bench_survey.R
    t["design_rake"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    m = sv.mean(raked, "y", na_rm=True)  # R: svymean(~y, r, na.rm = TRUE)
    p = sv.proportion(raked, "y", [4.0, 5.0])
    t["overall"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    bm = sv.by(raked, "y", "service", statistic="mean", na_rm=True)
    bp = sv.by(raked, "y", "service", statistic="proportion", level=[4.0, 5.0], na_rm=True)
    t["domains"] = time.perf_counter() - t2
    t3 = time.perf_counter()
    sat = np.where(data["y"].isna(), np.nan, (data["y"] >= 4).astype(float))
    fit = sv.svyglm(raked, sat, ["sexe", "tranche_age"], family="quasibinomial")
    t["svyglm"] = time.perf_counter() - t3
    t["total"] = time.perf_counter() - t0
    est = pd.concat(
        [
            pd.DataFrame({"what": ["mean", "prop"], "group": "ensemble",
                          "estimate": [m.estimate, p.estimate], "se": [m.se, p.se]}),
            pd.DataFrame({"what": "mean", "group": bm["service"], "estimate": bm["estimate"],
                          "se": bm["se"]}),
            pd.DataFrame({"what": "prop", "group": bp["service"], "estimate": bp["estimate"],
                          "se": bp["se"]}),
            pd.DataFrame({"what": "glm", "group": list(fit.terms), "estimate": fit.estimate, "se": fit.se}),
        ],
        ignore_index=True,
    )
    return {"seconds": t, "estimates": est, "iterations": raked.calibration.iterations}


def r_available() -> bool:
    if shutil.which("Rscript") is None:
        return False
    res = subprocess.run(
        ["Rscript", "-e", "suppressMessages(library(survey))"], capture_output=True, timeout=120
    )
    return res.returncode == 0


def run_r(data: pd.DataFrame, population: pd.DataFrame, timeout: float) -> dict:
    script = Path(__file__).with_name("bench_survey.R")
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "answers.csv"
        marg = Path(tmp) / "margins.csv"
        out = Path(tmp) / "r_estimates.csv"
        data.assign(
            w0=population.effectif.sum() / 3 / len(data),
            sat=np.where(data["y"].isna(), np.nan, (data["y"] >= 4).astype(float)),
        ).to_csv(csv, index=False)
        population.to_csv(marg, index=False)
        res = subprocess.run(
            ["Rscript", str(script), str(csv), str(marg), str(out)],
            capture_output=True, text=True, timeout=timeout,
        )
        if res.returncode != 0:
            raise RuntimeError(f"Rscript a échoué :\n{res.stderr[-2000:]}")
        est = pd.read_csv(out, dtype={"what": str, "group": str})
    timing = est[est["what"] == "seconds"]
    seconds = float(timing["estimate"].iloc[0])
    return {"seconds": seconds, "estimates": est[est["what"] != "seconds"]}


def run_large(n: int, seed: int) -> dict:
    """The same work on ``n`` answers in a child process: its time and its own peak RSS."""
    code = (
        "import json, resource, sys; sys.path.insert(0, %r); import bench_survey as b; "
        "d, p = b.make_data(%d, %d); r = b.run_python(d, p); "
        "print(json.dumps({'seconds': r['seconds'], 'iterations': r['iterations'], "
        "'peak_rss_mib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))"
    ) % (str(Path(__file__).resolve().parent), n, seed)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if res.returncode != 0:
        return {"error": res.stderr[-2000:]}
    out = json.loads(res.stdout.strip().splitlines()[-1])
    out["n_answers"] = n
    out["within_target"] = bool(out["seconds"]["total"] < TARGET_LARGE_S and out["peak_rss_mib"] / 1024 < TARGET_LARGE_GIB)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--n-large", type=int, default=10_000_000, help="0 to skip the large run")
    ap.add_argument("--seed", type=int, default=20261126)
    ap.add_argument("--json", type=Path, default=None, help="write the figures here (default stdout)")
    ap.add_argument("--no-r", action="store_true", help="skip the comparison with R")
    ap.add_argument("--r-timeout", type=float, default=1800.0)
    args = ap.parse_args(argv)

    def say(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    data, population = make_data(args.n, args.seed)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    py = run_python(data, population)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    run_python(data, population)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    secs = py["seconds"]
    figures = {
        "n_answers": args.n,
        "seed": args.seed,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},
        "python_seconds": secs,
        "target_seconds": TARGET_S,
        "within_target": secs["total"] < TARGET_S,
        "raking_iterations": py["iterations"],
        "peak_rss_mib": rss_after,
        "rss_before_work_mib": rss_before,
        "peak_traced_mib": peak / 2**20,
    }
    say(f"Moteur d'enquête : {args.n:,} réponses".replace(",", " "))
    say(f"  plan + ratissage (3 marges, {py['iterations']} itérations) : {secs['design_rake']:.2f} s")
    say(f"  moyenne et proportion d'ensemble : {secs['overall']:.2f} s")
    say(f"  domaines (20 services, moyenne et proportion) : {secs['domains']:.2f} s")
    say(f"  régression logistique (svyglm) : {secs['svyglm']:.2f} s")
    verdict = "OK" if figures["within_target"] else "DÉPASSÉ"
    say(f"  total : {secs['total']:.2f} s (cible < {TARGET_S:.0f} s) : {verdict}")
    say(f"  mémoire : pic RSS du processus {rss_after:.0f} Mio (dont {rss_before:.0f} Mio avant "
        f"le calcul), pic tracé par tracemalloc {peak / 2**20:.0f} Mio")

    if args.no_r:
        figures["r"] = {"available": None, "note": "comparaison avec R non demandée (--no-r)"}
    elif not r_available():
        figures["r"] = {"available": False, "note": "Rscript ou le paquet R survey est absent"}
        say("  R (paquet survey) absent : pas de comparaison.")
    else:
        say("  R survey présent : même calcul en R (peut prendre plusieurs minutes)…")
        r = run_r(data, population, args.r_timeout)
        merged = py["estimates"].merge(r["estimates"], on=["what", "group"], suffixes=("", "_r"))
        rel_est = (merged["estimate"] - merged["estimate_r"]).abs() / merged["estimate_r"].abs()
        rel_se = (merged["se"] - merged["se_r"]).abs() / merged["se_r"].abs()
        figures["r"] = {
            "available": True,
            "r_seconds": r["seconds"],
            "time_ratio_r_over_python": r["seconds"] / secs["total"],
            "n_compared": int(len(merged)),
            "max_rel_diff_estimate": float(rel_est.max()),
            "max_rel_diff_se": float(rel_se.max()),
        }
        say(f"  R : {r['seconds']:.1f} s, soit {r['seconds'] / secs['total']:.0f} fois plus lent ; "
            f"écart relatif max. des estimations {rel_est.max():.2e}, des erreurs types "
            f"{rel_se.max():.2e} ({len(merged)} estimations comparées)")

    if args.n_large:
        say(f"Moteur d'enquête : {args.n_large:,} réponses (processus séparé)…".replace(",", " "))
        large = run_large(args.n_large, args.seed)
        figures["large"] = large
        if "error" in large:
            say(f"  échec : {large['error'][-300:]}")
        else:
            ok = "OK" if large["within_target"] else "DÉPASSÉ"
            say(f"  total : {large['seconds']['total']:.2f} s (ratissage {large['seconds']['design_rake']:.2f} s, "
                f"svyglm {large['seconds']['svyglm']:.2f} s), pic RSS {large['peak_rss_mib']:.0f} Mio "
                f"(cibles < {TARGET_LARGE_S:.0f} s et {TARGET_LARGE_GIB:.0f} Gio) : {ok}")

    text = json.dumps(figures, indent=2, ensure_ascii=False)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n", encoding="utf-8")
        say(f"  chiffres écrits dans {args.json}")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Ingestion throughput: rows validated per second on the synthetic data at a given scale (DESIGN §9).

Measures ``ducos_lib.ingest.ingest`` in-process (imports done before the clock starts), with full
validation, pseudonymisation and redaction of free text, and reports the redaction's share apart.

Usage: ``python bench/bench_ingest.py --scale 100 [--raw DIR] [--json OUT]``
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--raw", type=Path, default=None, help="raw folder already generated at that scale")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    import ducos_lib.text  # noqa: F401 - the redaction's roster imports it; keep imports out of the clock
    from ducos_lib import validation
    from ducos_lib.ingest import ingest
    from ducos_lib.synthetic import write_sample

    spent = {"redaction": 0.0}
    redact = validation.redact_free_text

    def timed(values, roster=None):
        start = time.perf_counter()
        try:
            return redact(values, roster)
        finally:
            spent["redaction"] += time.perf_counter() - start

    validation.redact_free_text = timed
    with tempfile.TemporaryDirectory(prefix="ducos_ingest_") as tmp:
        work = Path(tmp)
        raw = args.raw
        if raw is None:
            raw = work / "raw"
            write_sample(raw, scale=args.scale)
        (work / "cle").write_text("cle-du-banc-d-essai")
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall, cpu = time.perf_counter(), time.process_time()
        report = ingest(raw, work / "processed", key_path=work / "cle", force=True)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_children = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    rows = sum(d.n_lignes for d in report.datasets.values())
    result = {
        "scale": args.scale, "rows": rows, "seconds": round(wall, 2),
        "cpu_seconds": round(cpu + cpu_children, 2), "rows_per_second": round(rows / wall),
        "rows_per_cpu_second": round(rows / (cpu + cpu_children)),
        "cpu_seconds_redaction_processes": round(cpu_children, 2), "redaction_seconds": round(spent["redaction"], 2),
        "rows_per_second_without_redaction": round(rows / (wall - spent["redaction"])),
        "peak_rss_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 3),
        "ok": report.ok, "rejected": sum(d.n_rejetees for d in report.datasets.values()),
    }
    print(json.dumps(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

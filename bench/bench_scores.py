"""Benchmark of the vectorised scoring engine; prints one JSON object.

* ``table``: scoring 1,000,000 synthetic visits (every declared column filled,
  5 % of cells missing) with every instrument via
  :func:`sclerostem.scores.score_table`, validation included. The table is
  written to Parquet and scored in a fresh process, so that the peak resident
  memory (``resource.getrusage``) is that of reading + scoring only. Wall time,
  CPU time of all threads and the 1-minute load average are reported: on a
  shared machine wall time exceeds CPU time / cores when other work competes.
  Targets: < 5 s and < 2 GB on a 2-core machine.
* ``loop_vs_vectorised``: 10,000 visits scored by a loop over the one-visit API
  (mRSS, mRSS change, ACR/EULAR 2013, EUSTAR-AI, LeRoy, disease duration, and
  the other instruments' one-visit functions when present) against
  :func:`score_table` on the same visits (target speed-up >= 30x).

Run: ``.venv/bin/python bench/bench_scores.py [--rows N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
import polars as pl

from sclerostem.scores import (
    MRSS_SITES,
    AcrEular2013Items,
    EustarActivityInputs,
    acr_eular_2013,
    disease_duration,
    eustar_activity_index,
    leroy_subset,
    mrss,
    mrss_change,
    score_table,
    table_columns,
)
from sclerostem.scores._acr_eular import COLUMNS as ACR_COLUMNS
from sclerostem.scores._batch import instrument_modules
from sclerostem.scores._columns import coerce_frame, validate_frame

EPOCH_DAYS = 10_957  # 2000-01-01 as days since 1970-01-01
SEED = 20261125


def synthetic_visits(n: int, seed: int = SEED, p_null: float = 0.05) -> pl.DataFrame:
    """``n`` visits with every declared column, each cell missing with probability ``p_null``.

    Values are drawn uniformly inside each column's declared range (dates:
    onsets before the visit), typed as a Parquet file would hold them.
    """
    rng = np.random.default_rng(seed)
    out: dict[str, pl.Series] = {}
    visit = rng.integers(8_000, 9_500, n) + EPOCH_DAYS
    for c in table_columns():
        if c.kind == "int":
            hi = int(c.hi if c.hi is not None else 10)
            dtype = pl.Int8 if hi <= 127 else pl.Int16  # as a compact Parquet file holds them
            s = pl.Series(c.name, rng.integers(int(c.lo or 0), hi + 1, n), dtype=dtype)
        elif c.kind == "float":
            lo = c.lo or 0.0
            hi = c.hi if c.hi is not None else 100.0
            s = pl.Series(c.name, np.round(rng.uniform(lo, hi, n), 1))
        elif c.kind == "bool":
            s = pl.Series(c.name, rng.random(n) < 0.3)
        elif c.kind == "category":
            s = pl.Series(c.name, rng.choice(list(c.choices), n))
        elif c.kind == "date":
            back = {"visit_date": 0, "first_non_raynaud_symptom_date": 1_500,
                    "first_raynaud_date": 3_000}.get(c.name, 1_500)
            days = visit - (rng.integers(0, back + 1, n) if back else 0)
            s = pl.Series(c.name, days.astype(np.int32)).cast(pl.Date)
        else:
            s = pl.Series(c.name, np.char.add("P", np.arange(n).astype(str)))
        if c.kind != "text" and c.name != "visit_date":
            s = s.scatter(np.flatnonzero(rng.random(n) < p_null), None)
        out[c.name] = s
    # one scale per global assessment (CRISS refuses cm and mm in the same row)
    for name in list(out):
        if name.endswith("_vas_mm") and name[:-2] + "cm" in out:
            cm = out[name[:-2] + "cm"]
            use_mm = rng.random(n) < 0.5
            out[name[:-2] + "cm"] = cm.scatter(np.flatnonzero(use_mm), None)
            out[name] = out[name].scatter(np.flatnonzero(~use_mm), None)
    df = pl.DataFrame(list(out.values()))
    # no contradictions: finger sparing only where no finger thickening is recorded
    return df.with_columns(
        pl.when(pl.col("sclerodactyly_ever") | pl.col("skin_thickening_proximal_to_mcp_ever"))
        .then(False).otherwise(pl.col("skin_thickening_spares_fingers"))
        .alias("skin_thickening_spares_fingers")
    )


def _one_visit_loop(df: pl.DataFrame) -> int:
    """Score every row with the one-visit API; returns the number of results."""
    count = 0
    for row in df.iter_rows(named=True):
        sites = {s: row[f"mrss_{s}"] for s in MRSS_SITES}
        total = mrss(sites).value
        for d in ("eustar_improvement", "eustar_progression", "assist_improvement"):
            mrss_change(row["baseline_mrss_total"], total, definition=d)
        acr_eular_2013(AcrEular2013Items(**{c.name: row[c.name] for c in ACR_COLUMNS}))
        eustar_activity_index(EustarActivityInputs(
            skin_worsening_patient_last_month=row["skin_worsening_patient_last_month"],
            mrss_total=total,
            digital_ulcers_current=row["digital_ulcers_current"],
            tendon_friction_rubs_current=row["tendon_friction_rubs_current"],
            crp_mg_dl=row["crp_mg_dl"],
            dlco_percent_predicted=row["dlco_percent_predicted"],
        ))
        leroy_subset(sites, skin_thickening_back=row["skin_thickening_back"])
        disease_duration(row["visit_date"], row["first_non_raynaud_symptom_date"],
                         first_raynaud_date=row["first_raynaud_date"])
        count += 8
    return count


def _score_file(path: str) -> None:
    """Child process: read a Parquet visits file, score it, print time and peak RSS."""
    df = pl.read_parquet(path)
    rss_loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    c0 = time.process_time()
    scored = score_table(df)
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(json.dumps({
        "seconds": seconds,
        "cpu_seconds": cpu,
        "load_average_1min_before": load,
        "rows": df.height,
        "input_columns": df.width,
        "output_columns": scored.width - df.width,
        "input_mb": df.estimated_size() / 2**20,
        "peak_rss_after_read_mb": rss_loaded / 1024,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # KiB on Linux
    }))


def _same_instruments_vectorised(df: pl.DataFrame) -> None:
    """The vectorised path restricted to the instruments of the loop (for a like-for-like ratio)."""
    mods = [m for m in instrument_modules() if m.__name__.rsplit(".", 1)[1] in MINE]
    cols = tuple({c.name: c for m in mods for c in m.COLUMNS}.values())
    sub = df.select([c.name for c in cols])
    validate_frame(sub, cols)
    clean = coerce_frame(sub, cols)
    pl.concat([sub, *(m.score_frame(clean) for m in mods)], how="horizontal")


MINE = ("_mrss", "_acr_eular", "_eustar_ai", "_leroy", "_duration")


def main(argv: list[str] | None = None) -> dict[str, object]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--loop-rows", type=int, default=10_000)
    ap.add_argument("--score-file", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.score_file:
        _score_file(args.score_file)
        return {}

    # 1) the big table, scored in a fresh process so that peak RSS is the scoring's own
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "visits.parquet")
        synthetic_visits(args.rows).write_parquet(path)
        child = subprocess.run(
            [sys.executable, __file__, "--score-file", path],
            check=True, capture_output=True, text=True,
        )
    table = json.loads(child.stdout)

    # 2) loop over the one-visit API vs the vectorised path on the same visits
    small = synthetic_visits(args.loop_rows, seed=SEED + 1)
    t0 = time.perf_counter()
    n_results = _one_visit_loop(small)
    t_loop = time.perf_counter() - t0
    t_same = min(_timed(_same_instruments_vectorised, small) for _ in range(3))
    t_all = min(_timed(score_table, small) for _ in range(3))

    result = {
        "benchmark": "scores",
        "python": sys.version.split()[0],
        "polars": pl.__version__,
        "numpy": np.__version__,
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "instrument_modules": [m.__name__.rsplit(".", 1)[1] for m in instrument_modules()],
        "table": {
            "rows": table["rows"],
            "input_columns": table["input_columns"],
            "output_columns": table["output_columns"],
            "input_mb": round(table["input_mb"], 1),
            "seconds": round(table["seconds"], 3),
            "cpu_seconds_all_threads": round(table["cpu_seconds"], 3),
            "load_average_1min_before": round(table["load_average_1min_before"], 2),
            "target_seconds": 5.0,
            "peak_rss_mb": round(table["peak_rss_mb"], 1),
            "peak_rss_after_read_mb": round(table["peak_rss_after_read_mb"], 1),
            "target_peak_rss_mb": 2048,
            "meets_targets": table["seconds"] < 5.0 and table["peak_rss_mb"] < 2048,
        },
        "loop_vs_vectorised": {
            "rows": args.loop_rows,
            "instruments": "mRSS, mRSS change (3 definitions), ACR/EULAR 2013, EUSTAR-AI, "
                           "LeRoy, disease duration",
            "one_visit_results": n_results,
            "one_visit_loop_seconds": round(t_loop, 3),
            "vectorised_same_instruments_seconds": round(t_same, 4),
            "speedup": round(t_loop / t_same, 1),
            "target_speedup": 30,
            "score_table_all_instruments_seconds": round(t_all, 4),
        },
    }
    print(json.dumps(result, indent=2))
    return result


def _timed(func, arg) -> float:
    t0 = time.perf_counter()
    func(arg)
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()

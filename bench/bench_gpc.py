"""Benchmark of the GPC engine (prints JSON).

Five-level SSc-like hierarchy of outcomes.md 1.3: death (tte, tau 0) -> event-free
survival (tte, tau 0.5) -> change in FVC % (tau 5) -> change in HAQ-DI (tau 0.22,
lower better) -> change in mRSS (tau 5, lower better); administrative censoring.

Each case runs in a fresh subprocess so that its peak resident memory
(``ru_maxrss``, includes the interpreter and imported libraries) is its own.

    .venv/bin/python bench/bench_gpc.py            # all cases
    .venv/bin/python bench/bench_gpc.py --case gehan_ustat_4000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time

import numpy as np

CASES = {
    # name: (n per arm, scoring, inference, n_resamples, target seconds, target MB or None, repeats)
    "gehan_ustat_4000": (4000, "gehan", "ustat", 0, 0.5, None, 3),
    "peron_ustat_2000": (2000, "peron", "ustat", 0, 3.0, None, 3),
    "gehan_ustat_20000": (20000, "gehan", "ustat", 0, 30.0, 1024.0, 1),
    "gehan_permutation_10000_scot": (36, "gehan", "permutation", 10000, 2.0, None, 3),
}
BUYSETEST_S = {  # outcomes.md 1.3 (2-core machine)
    "gehan_ustat_4000": 1.04,
    "peron_ustat_2000": 33.8,
    "gehan_ustat_20000": None,
    "gehan_permutation_10000_scot": 2.3,
}


def make_data(n_t: int, n_c: int, seed: int = 1) -> dict[str, list]:
    """Synthetic trial: exponential death and event times, 5-year administrative censoring."""
    rng = np.random.default_rng(seed)
    n = n_t + n_c
    treated = np.arange(n) < n_t
    hz = np.where(treated, 0.08, 0.12)
    death = rng.exponential(1 / hz)
    event = np.minimum(death, rng.exponential(1 / (2 * hz)))
    cens = np.minimum(5.0, rng.uniform(1.0, 8.0, n))
    return {
        "arm": np.where(treated, "T", "C").tolist(),
        "death_t": np.minimum(death, cens).round(2).tolist(),
        "death_s": (death <= cens).astype(int).tolist(),
        "efs_t": np.minimum(event, cens).round(2).tolist(),
        "efs_s": (event <= cens).astype(int).tolist(),
        "dfvc": rng.normal(np.where(treated, 2, -1), 8).round(1).tolist(),
        "dhaq": rng.normal(np.where(treated, -0.3, -0.1), 0.5).round(2).tolist(),
        "dmrss": rng.normal(np.where(treated, -8, -4), 7).round().tolist(),
    }


def endpoints():
    from sclerostem.stats.gpc import Endpoint

    return [
        Endpoint("death_t", "tte", 0.0, "higher", "death_s"),
        Endpoint("efs_t", "tte", 0.5, "higher", "efs_s"),
        Endpoint("dfvc", "continuous", 5.0, "higher"),
        Endpoint("dhaq", "continuous", 0.22, "lower"),
        Endpoint("dmrss", "continuous", 5.0, "lower"),
    ]


def run_case(name: str) -> dict:
    from sclerostem.stats.gpc import gpc

    n, scoring, inference, n_res, target, target_mb, repeats = CASES[name]
    n_c = 39 if name.endswith("_scot") else n
    import polars as pl

    data = pl.DataFrame(make_data(n, n_c))
    eps = endpoints()
    kw = {
        "arm": "arm",
        "treated": "T",
        "endpoints": eps,
        "scoring": scoring,
        "inference": inference,
    }
    if n_res:
        kw.update(n_resamples=n_res, seed=1)
    times = []
    cpu = []
    res = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        c0 = time.process_time()
        res = gpc(data, **kw)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    assert res is not None
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    best = min(times)
    return {
        "case": name,
        "n_treated": n,
        "n_control": n_c,
        "pairs": n * n_c,
        "scoring": scoring,
        "inference": inference,
        "n_resamples": n_res or None,
        "seconds_best": round(best, 4),
        "seconds_all": [round(t, 4) for t in times],
        "cpu_seconds_best": round(min(cpu), 4),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "target_seconds": target,
        "meets_time_target": best < target,
        "peak_rss_mb": round(peak_mb, 1),
        "target_peak_mb": target_mb,
        "meets_memory_target": None if target_mb is None else peak_mb < target_mb,
        "buysetest_seconds_spec": BUYSETEST_S[name],
        "net_benefit": round(res.final.net_benefit, 6),
        "net_benefit_se": round(res.final.net_benefit_se, 6),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--case", choices=sorted(CASES))
    args = ap.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case)))
        return
    out = []
    for name in CASES:
        proc = subprocess.run(
            [sys.executable, __file__, "--case", name], capture_output=True, text=True, check=True
        )
        out.append(json.loads(proc.stdout))
    print(
        json.dumps(
            {
                "machine": {
                    "python": platform.python_version(),
                    "numpy": np.__version__,
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                },
                "cases": out,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()

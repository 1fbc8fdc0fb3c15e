"""Benchmark: KM, log-rank, Cox (Efron and Breslow), CIF + variance, Gray's test, Fine-Gray.

Simulated data like shared/spec/outcomes.md §2.2: n patients (default 10,000), three
covariates, exponential event times rounded to a quarter month (heavy ties),
two competing causes, two groups. Prints JSON (best of ``--repeat`` runs, seconds).

    .venv/bin/python bench/bench_survival.py [--n 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from sclerostem.stats.survival import (
    cox_ph,
    cumulative_incidence,
    fine_gray,
    gray_test,
    kaplan_meier,
    kaplan_meier_by_group,
    logrank_test,
)


def simulate(n: int, seed: int = 20261125, round_times: bool = True) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    x1 = rng.binomial(1, 0.5, n).astype(float)
    x2 = rng.normal(size=n)
    x3 = rng.normal(size=n)
    lp = 0.5 * x1 + 0.3 * x2 - 0.2 * x3
    t1 = rng.exponential(12 / np.exp(lp))
    t2 = rng.exponential(30, n)
    tc = rng.uniform(1, 36, n)
    t = np.minimum(np.minimum(t1, t2), tc)
    cause = np.where(t == tc, 0, np.where(t == t1, 1, 2))
    if round_times:
        t = np.maximum(np.round(t * 4) / 4, 0.25)  # quarter months -> heavy ties
    return {"time": t, "event": (cause > 0).astype(int), "cause": cause, "group": x1.astype(int).tolist(),
            "x1": x1, "x2": x2, "x3": x3}


def best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--continuous", action="store_true", help="do not round times (no ties, worst case)")
    ap.add_argument("--lifelines-aj", action="store_true", help="also time lifelines' AalenJohansenFitter")
    args = ap.parse_args()
    d = simulate(args.n, round_times=not args.continuous)
    cov = {"x1": d["x1"], "x2": d["x2"], "x3": d["x3"]}
    runs: dict[str, Callable[[], Any]] = {
        "km_log_ci_s": lambda: kaplan_meier(d["time"], d["event"]),
        "km_by_group_s": lambda: kaplan_meier_by_group(d["time"], d["event"], d["group"]),
        "logrank_s": lambda: logrank_test(d["time"], d["event"], d["group"]),
        "cox_efron_lifelines_s": lambda: cox_ph(d["time"], d["event"], cov, ties="efron"),
        "cox_breslow_s": lambda: cox_ph(d["time"], d["event"], cov, ties="breslow"),
        "cif_with_variance_2_causes_s": lambda: cumulative_incidence(d["time"], d["cause"]),
        "cif_by_group_s": lambda: cumulative_incidence(d["time"], d["cause"], d["group"]),
        "gray_test_2_causes_s": lambda: gray_test(d["time"], d["cause"], d["group"]),
        "fine_gray_with_sandwich_se_s": lambda: fine_gray(d["time"], d["cause"], cov),
    }
    if args.lifelines_aj:
        from lifelines import AalenJohansenFitter

        def aj() -> None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                AalenJohansenFitter(calculate_variance=True, seed=1).fit(d["time"], d["cause"], event_of_interest=1)

        runs["lifelines_aalen_johansen_with_variance_s"] = aj
    out: dict[str, Any] = {
        "benchmark": "survival",
        "n": args.n,
        "times": "continuous" if args.continuous else "rounded to 0.25 month",
        "distinct_times": int(np.unique(d["time"]).size),
        "events": int(d["event"].sum()),
        "repeat": args.repeat,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "seconds_best": {k: round(best(fn, args.repeat), 4) for k, fn in runs.items()},
    }
    m = cox_ph(d["time"], d["event"], cov, ties="efron")
    out["check_cox_efron_coef"] = [round(float(v), 6) for v in m.coef]
    out["check_km_s_at_5"] = round(float(kaplan_meier(d["time"], d["event"]).at([5])["survival"][0]), 6)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()

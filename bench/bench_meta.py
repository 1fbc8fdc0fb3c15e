"""Speed of the meta-analysis engine (prints JSON). Run: .venv/bin/python bench/bench_meta.py"""

from __future__ import annotations

import json
import platform
import time

import numpy as np

from sclerostem.stats import meta


def _best(fn, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    rng = np.random.default_rng(20251125)
    out: dict[str, object] = {"python": platform.python_version(), "machine": platform.machine(), "results": []}
    for k in (13, 100, 1000, 10000):
        n1 = rng.integers(20, 400, k)
        n2 = rng.integers(20, 400, k)
        ai = rng.binomial(n1, 0.1)
        ci = rng.binomial(n2, 0.15)
        es = meta.escalc("RR", ai=ai.tolist(), n1i=n1.tolist(), ci=ci.tolist(), n2i=n2.tolist())
        row: dict[str, object] = {"k": k}
        row["escalc_s"] = _best(lambda ai=ai, n1=n1, ci=ci, n2=n2: meta.escalc(
            "RR", ai=ai.tolist(), n1i=n1.tolist(), ci=ci.tolist(), n2i=n2.tolist()))
        for method in ("DL", "REML", "PM"):
            row[f"{method}_with_qprofile_s"] = _best(lambda es=es, m=method: meta.rma(es, method=m))
        row["MH_s"] = _best(lambda es=es: meta.meta_analysis(es, method="MH"))
        if k <= 1000:
            row["leave_one_out_REML_s"] = _best(lambda es=es: meta.leave_one_out(es), repeat=1)
        out["results"].append(row)  # type: ignore[union-attr]
    from sclerostem.plots._forest import forest_figure

    es = meta.escalc("RR", ai=[4, 6, 3, 62, 33, 180, 8, 505, 29, 17, 186, 5, 27],
                     bi=[119, 300, 228, 13536, 5036, 1361, 2537, 87886, 7470, 1699, 50448, 2493, 16886],
                     ci=[11, 29, 11, 248, 47, 372, 10, 499, 45, 65, 141, 3, 29],
                     di=[128, 274, 209, 12619, 5761, 1079, 619, 87892, 7232, 1600, 27197, 2338, 17825])
    res = meta.rma(es)
    import io

    out["forest_png_k13_s"] = _best(lambda: forest_figure(res).savefig(io.BytesIO(), format="png"), repeat=3)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()

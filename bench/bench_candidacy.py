"""Benchmark: HSCT candidacy assessment and report rendering. Prints JSON.

Run: .venv/bin/python bench/bench_candidacy.py
"""

from __future__ import annotations

import json
import statistics
import time
from importlib import resources

from sclerostem.reports import render_candidacy_html, render_candidacy_pdf
from sclerostem.rules import assess, criteria_sets, patient_from_json


def _best(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    folder = resources.files("sclerostem") / "data" / "patients"
    patients = [patient_from_json(p.read_text(encoding="utf-8")) for p in sorted(folder.iterdir(), key=lambda p: p.name)
                if p.name.endswith(".json")]
    t0 = time.perf_counter()
    sets = criteria_sets()
    load_s = time.perf_counter() - t0
    assess(patients[0])  # warm caches
    per_assess = _best(lambda: [assess(p) for p in patients], 20)
    a = assess(patients[0])
    html = _best(lambda: render_candidacy_html(a), 5)
    pdf = _best(lambda: render_candidacy_pdf(a), 3)
    print(json.dumps({
        "criteria_sets": len(sets),
        "criteria_load_s": round(load_s, 4),
        "example_patients": len(patients),
        "assess_median_ms_per_patient": round(statistics.median(per_assess) / len(patients) * 1000, 3),
        "html_report_median_ms": round(statistics.median(html) * 1000, 1),
        "pdf_report_median_s": round(statistics.median(pdf), 3),
    }, indent=2))


if __name__ == "__main__":
    main()

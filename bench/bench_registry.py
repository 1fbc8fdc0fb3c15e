"""Registry benchmarks; prints one JSON document.

1. ``import_100k_visits``: import 100,000 visits (all score inputs: 17 mRSS
   sites, FVC, DLCO, LVEF, PAP, creatinine, CRP, HAQ-DI...) from a CSV file
   into a fresh SQLite registry with full validation, scoring (scores engine,
   vectorised) and audit rows, in one transaction. Target: < 30 s.
2. ``api_patient_summary``: a uvicorn server started here on loopback serves
   ``GET /api/patients/{id}`` (full patient summary, bearer-token auth) to 50
   concurrent closed-loop clients on the synthetic demo cohort (SQLite).
   Reports throughput and latency percentiles. Target: p95 < 100 ms.

Usage: ``python bench/bench_registry.py [--visits N] [--requests N] [--clients N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sclerostem.io import import_csv
from sclerostem.registry import MRSS_SITES, Database, authenticate, create_api_token, create_user
from sclerostem.registry.demo import load_demo_cohort


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_import(n_visits: int, workdir: Path) -> dict[str, object]:
    rng = random.Random(1)
    n_patients = max(1, n_visits // 20)
    db = Database(f"sqlite:///{workdir / 'import.db'}")
    db.create_all()
    with db.session() as s:
        admin = create_user(s, None, "admin", "bench-admin", "admin")
    pfile = workdir / "patients.csv"
    with open(pfile, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["study_id", "centre", "sex", "date_of_birth"])
        for i in range(n_patients):
            w.writerow([f"B-{i:06d}", "Bench Centre", rng.choice(["female", "male"]), "1970-01-01"])
    vfile = workdir / "visits.csv"
    cols = ["study_id", "visit_date", "visit_label", *(f"mrss_{s}" for s in MRSS_SITES),
            "fvc_percent_predicted", "dlco_percent_predicted", "lvef_percent", "echo_spap_mmhg",
            "creatinine_mg_dl", "creatinine_clearance_ml_min", "crp_mg_dl", "haq_di", "weight_kg",
            "digital_ulcers"]
    with open(vfile, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for i in range(n_visits):
            p, k = divmod(i, 20)
            p %= n_patients
            w.writerow([f"B-{p:06d}", f"{2000 + k}-03-{1 + p % 28:02d}", f"visit_{k}",
                        *(rng.randint(0, 3) for _ in MRSS_SITES),
                        f"{rng.uniform(40, 110):.1f}", f"{rng.uniform(30, 100):.1f}", rng.randint(45, 70),
                        rng.randint(18, 45), f"{rng.uniform(0.5, 1.3):.2f}", rng.randint(60, 130),
                        f"{rng.uniform(0, 3):.2f}", rng.choice(["0.5", "1.125", "1.75"]),
                        f"{rng.uniform(45, 90):.1f}", rng.choice(["0", "1", ""])])
    t0 = time.perf_counter()
    import_csv(db, admin, pfile)
    t_pat = time.perf_counter() - t0
    load_before = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    report = import_csv(db, admin, vfile)
    t_vis, cpu_vis = time.perf_counter() - t0, time.process_time() - c0
    t0 = time.perf_counter()
    again = import_csv(db, admin, vfile)
    t_again = time.perf_counter() - t0
    db.dispose()
    return {
        "visits": n_visits, "patients": n_patients, "columns": len(cols),
        "patients_import_s": round(t_pat, 2), "visits_import_s": round(t_vis, 2),
        "visits_import_cpu_s": round(cpu_vis, 2), "load_average_1m_before": round(load_before, 2),
        "visits_per_s": round(n_visits / t_vis), "created": report.created,
        "reimport_s": round(t_again, 2), "reimport_unchanged": again.unchanged,
        "target_s": 30, "meets_target": t_vis < 30,
        "csv_mb": round(vfile.stat().st_size / 1e6, 1),
    }


async def _load(port: int, token: str, ids: list[int], n_requests: int,
                clients: int) -> tuple[list[float], int, float]:
    """Closed-loop load: ``clients`` keep-alive HTTP/1.1 connections, each sending its next
    request as soon as the previous response has arrived (a minimal client, so that the
    load generator takes little of the CPU the server needs)."""
    latencies: list[float] = []
    errors = 0
    counter = iter(range(n_requests))
    rng = random.Random(2)

    async def client() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for _ in counter:
                pid = rng.choice(ids)
                req = (f"GET /api/patients/{pid} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       f"Authorization: Bearer {token}\r\n\r\n").encode()
                t = time.perf_counter()
                writer.write(req)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = await reader.readexactly(length)
                latencies.append(time.perf_counter() - t)
                if status != 200 or not body.startswith(b"{"):
                    errors += 1
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, errors, time.perf_counter() - t0


def bench_api(n_requests: int, clients: int, workdir: Path) -> dict[str, object]:
    import httpx

    url_db = f"sqlite:///{workdir / 'api.db'}"
    db = Database(url_db)
    load_demo_cohort(db, n_patients=60)
    with db.session() as s:
        admin = authenticate(s, "admin", "demo-admin")
        token = create_api_token(s, admin, "bench")
        from sqlalchemy import select

        from sclerostem.registry import Patient

        ids = list(s.execute(select(Patient.id)).scalars())
    db.dispose()
    port = _free_port()
    code = ("import uvicorn; from sclerostem.registry import Database; from sclerostem.api import create_api_app; "
            f"uvicorn.run(create_api_app(Database({url_db!r})), host='127.0.0.1', port={port}, "
            "log_level='warning', access_log=False)")
    load_before = os.getloadavg()[0]
    server = subprocess.Popen([sys.executable, "-c", code])
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        cold: list[float] = []
        with httpx.Client(timeout=30) as hc:  # warm-up: first (uncached) request per patient, timed
            for pid in ids:
                t = time.perf_counter()
                hc.get(f"{url}/api/patients/{pid}", headers={"Authorization": f"Bearer {token}"})
                cold.append((time.perf_counter() - t) * 1000)
        latencies, errors, wall = asyncio.run(_load(port, token, ids, n_requests, clients))
    finally:
        server.terminate()
        server.wait(timeout=30)
    lat_ms = sorted(x * 1000 for x in latencies)
    q = statistics.quantiles(lat_ms, n=100)
    return {
        "clients": clients, "requests": len(lat_ms), "errors": errors, "patients": len(ids),
        "throughput_rps": round(len(lat_ms) / wall, 1), "p50_ms": round(q[49], 1), "p95_ms": round(q[94], 1),
        "p99_ms": round(q[98], 1), "max_ms": round(lat_ms[-1], 1), "target_p95_ms": 100,
        "load_average_1m_before": round(load_before, 2),
        "meets_target": q[94] < 100,
        "uncached_single_request_ms": {"median": round(statistics.median(cold), 1),
                                       "max": round(max(cold), 1)},
        "note": "summaries are served from a cache invalidated by any audited change "
                "(max audit id); uncached_single_request_ms is the first request per patient",
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--visits", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=5_000)
    ap.add_argument("--clients", type=int, default=50)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="sclerostem-bench-") as tmp:
        work = Path(tmp)
        result = {
            "benchmark": "registry",
            "machine": {"python": platform.python_version(), "platform": platform.platform(),
                        "cpus": os.cpu_count()},
            "import_100k_visits": bench_import(args.visits, work),
            "api_patient_summary": bench_api(args.requests, args.clients, work),
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

"""Load benchmark of the clinician web app: concurrent clients browsing patient pages.

Starts ``uvicorn`` in a subprocess on a free loopback port over a temporary
SQLite database holding the synthetic demo cohort, signs in N clients (the
clinician demo user; signing in is not timed), then lets every client request
random patient pages of its centre back to back for a fixed duration.

The load generator is a minimal keep-alive HTTP/1.1 client on raw asyncio
streams (as in ``bench_registry.py``'s API benchmark), so that on a small
machine it takes little of the CPU the server needs; a view opens the page on
one connection and its five plots in parallel on five more, like a browser.
(Before 2026-11-25 the clients were ``httpx.AsyncClient`` objects, which took
about as much CPU as the server; see docs/web.md for both.)

Scenarios
---------
patient_page         the patient page HTML only
patient_page_plots   the patient page plus its five SVG trajectory plots (one "view"),
                     after one untimed pass that renders every plot once (plots are
                     cached by their data; the cold pass time is reported too)

Prints one JSON document: throughput (requests or views per second), latency
percentiles in milliseconds, errors, and the machine it ran on.

Usage::

    .venv/bin/python bench/bench_web.py [--clients 50] [--seconds 15]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

SERVER_CODE = """
import sys, uvicorn
from sclerostem.registry import Database, demo
from sclerostem.web import create_app
db = Database(sys.argv[1])
demo.load_demo_cohort(db)
uvicorn.run(create_app(db, secret_key="bench"), host="127.0.0.1", port=int(sys.argv[2]),
            log_level="warning", access_log=False)
"""
USER, PASSWORD = "clinician", "demo-clinician"
PLOTS = ("mrss", "fvc", "dlco", "haq_di", "eustar")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited during start-up")
        try:
            if httpx.get(url + "/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not start")


def sign_in(url: str) -> str:
    """Sign the clinician demo user in (untimed) and return the session cookie header."""
    with httpx.Client(base_url=url, timeout=60.0) as c:
        page = c.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        r = c.post("/login", data={"username": USER, "password": PASSWORD, "csrf_token": token})
        if r.status_code != 303:
            raise RuntimeError(f"sign-in failed: {r.status_code}")
        return "; ".join(f"{k}={v}" for k, v in c.cookies.items())


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(-(-q * len(s) // 100)) - 1))
    return s[k]


class Connection:
    """A minimal keep-alive HTTP/1.1 client on one connection (little CPU taken from the server).

    Responses must carry ``Content-Length`` (every page and plot of the app does).
    """

    def __init__(self, port: int, cookie: str) -> None:
        self.port = port
        self.cookie = cookie
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> Connection:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        return self

    async def get(self, path: str) -> tuple[int, bytes]:
        if self.reader is None or self.writer is None:
            raise RuntimeError("connection not opened")
        self.writer.write((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           f"Cookie: {self.cookie}\r\n\r\n").encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def run_scenario(port: int, cookies: list[str], ids: list[int], seconds: float,
                       with_plots: bool, seed: int) -> dict[str, object]:
    clients = len(cookies)
    warm_s = None
    if with_plots:  # render every plot once: the server caches rendered plots by their data
        first = [await Connection(port, cookies[0]).open() for _ in PLOTS]
        t0 = time.perf_counter()
        for pid in ids:
            await asyncio.gather(*(c.get(f"/patients/{pid}/plots/{m}.svg")
                                   for c, m in zip(first, PLOTS, strict=True)))
        warm_s = round(time.perf_counter() - t0, 2)
        for c in first:
            c.close()
    # one connection per client for the page; a view opens the five plots in parallel
    # like a browser (its own five more connections)
    conns = [[await Connection(port, ck).open() for _ in range(1 + (len(PLOTS) if with_plots else 0))]
             for ck in cookies]
    latencies: list[float] = []
    errors = 0
    requests = 0
    stop_at = time.perf_counter() + seconds

    async def worker(cs: list[Connection], rng: random.Random) -> None:
        nonlocal errors, requests
        while time.perf_counter() < stop_at:
            pid = rng.choice(ids)
            t0 = time.perf_counter()
            status, body = await cs[0].get(f"/patients/{pid}")
            ok = status == 200 and b"<html" in body[:200]
            requests += 1
            if with_plots:
                rs = await asyncio.gather(*(c.get(f"/patients/{pid}/plots/{m}.svg")
                                            for c, m in zip(cs[1:], PLOTS, strict=True)))
                requests += len(rs)
                ok = ok and all(st == 200 and b"<svg" in b[:400] for st, b in rs)
            latencies.append((time.perf_counter() - t0) * 1000.0)
            if not ok:
                errors += 1

    t_start = time.perf_counter()
    await asyncio.gather(*(worker(cs, random.Random(seed + i)) for i, cs in enumerate(conns)))
    elapsed = time.perf_counter() - t_start
    for cs in conns:
        for c in cs:
            c.close()
    unit = "views" if with_plots else "pages"
    return {
        "clients": clients,
        "duration_s": round(elapsed, 2),
        unit: len(latencies),
        "http_requests": requests,
        f"{unit}_per_s": round(len(latencies) / elapsed, 1),
        "http_requests_per_s": round(requests / elapsed, 1),
        "latency_ms": {"p50": round(percentile(latencies, 50), 1),
                       "p95": round(percentile(latencies, 95), 1),
                       "p99": round(percentile(latencies, 99), 1),
                       "max": round(max(latencies), 1) if latencies else None},
        "errors": errors,
        **({"cold_render_all_plots_s": warm_s} if warm_s is not None else {}),
    }


def patient_ids(url: str) -> list[int]:
    with httpx.Client(base_url=url, timeout=30.0) as c:
        page = c.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        c.post("/login", data={"username": USER, "password": PASSWORD, "csrf_token": token})
        html = c.get("/patients").text
    return sorted({int(x) for x in re.findall(r'href="/patients/(\d+)"', html)})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        proc = subprocess.Popen([sys.executable, "-c", SERVER_CODE, db_url, str(port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_ready(url, proc)
            ids = patient_ids(url)
            cookies = [sign_in(url) for _ in range(args.clients)]
            pages = asyncio.run(run_scenario(port, cookies, ids, args.seconds, False, args.seed))
            views = asyncio.run(run_scenario(port, cookies, ids, args.seconds, True, args.seed))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    print(json.dumps({
        "benchmark": "web",
        "server": "uvicorn, 1 process, SQLite (WAL) demo cohort, loopback",
        "patients_browsed": len(ids),
        "scenarios": {"patient_page": pages, "patient_page_plots": views},
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},
    }, indent=2))


if __name__ == "__main__":
    main()

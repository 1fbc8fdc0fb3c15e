"""Fixtures of the browser tests: a real uvicorn server on a free loopback port with the demo
cohort in a temporary SQLite database, and the system Chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_or_skip

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
#: Seconds to wait for the server to accept connections (demo cohort load included).
STARTUP_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """uvicorn serving the web app in a background thread."""

    def __init__(self, app: Any, port: int) -> None:
        import uvicorn

        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                                    log_level="warning", access_log=False))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from sclerostem.registry import Database, demo

    path = tmp_path_factory.mktemp("e2e") / "demo.db"
    db = Database(f"sqlite:///{path}")
    demo.load_demo_cohort(db, n_patients=24)
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def live_server(demo_db: Any) -> Iterator[LiveServer]:
    from sclerostem.registry import demo
    from sclerostem.web import create_app

    logins = tuple((u[0], u[1], u[2]) for u in demo.DEMO_USERS)
    srv = LiveServer(create_app(demo_db, secret_key="e2e-secret", demo_logins=logins), free_port())
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require_or_skip(os.path.exists(CHROMIUM), "Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.console_messages = []  # type: ignore[attr-defined]
    pg.on("console", lambda m: pg.console_messages.append(f"{m.type}: {m.text}"))  # type: ignore[attr-defined]
    yield pg
    context.close()


def sign_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(base + "/")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/patients")


def shot(page: Any, name: str) -> None:
    """Save a full-page screenshot for the documentation."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for img in page.locator("img").all():  # lazy images load once scrolled into view
        img.scroll_into_view_if_needed()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not page.eval_on_selector_all(
            "img", "els => els.every(e => e.complete)"):
        time.sleep(0.1)
    page.mouse.wheel(0, -100000)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

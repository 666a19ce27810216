"""Shared set-up for real-browser tests: the app served over HTTP from a thread of the test
process (same database and Redis as the other fixtures) and Debian's Chromium driven by
Playwright."""
import os
import shutil
import threading
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def chromium_or_skip() -> str:
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(f"Chromium not found at {CHROMIUM}; CI must install it (apt-get install chromium)")
    pytest.skip(f"Chromium not found at {CHROMIUM}: install Debian's chromium to run browser tests")


@contextmanager
def serving(app, poll_seconds: int = 1):
    """Serve the app on a free local port while the block runs; live pages refresh every
    ``poll_seconds`` (quickly, by default, so tests see updates soon)."""
    saved = app.config["LIVE_POLL_SECONDS"]
    app.config["LIVE_POLL_SECONDS"] = poll_seconds
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)
    app.config["LIVE_POLL_SECONDS"] = saved


@contextmanager
def chromium():
    """Debian's Chromium, headless, driven by Playwright while the block runs."""
    from playwright.sync_api import sync_playwright

    path = chromium_or_skip()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def live_url(app):
    """Serve the app on a free local port for the duration of one test."""
    with serving(app) as url:
        yield url


@pytest.fixture
def browser():
    with chromium() as browser:
        yield browser

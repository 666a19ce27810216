"""Shared set-up for real-browser tests: the app served over HTTP from a thread of the test
process (same database and Redis as the other fixtures) and Debian's Chromium driven by
Playwright."""
import os
import shutil
import threading

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


@pytest.fixture
def live_url(app):
    """Serve the app on a free local port for the duration of one test."""
    saved = app.config["LIVE_POLL_SECONDS"]
    app.config["LIVE_POLL_SECONDS"] = 1  # live pages refresh quickly in tests
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)
    app.config["LIVE_POLL_SECONDS"] = saved


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    path = chromium_or_skip()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()

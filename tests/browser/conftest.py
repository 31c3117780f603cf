"""Fixtures for the browser test: a real Home Assistant, the simulator, Chromium.

Nothing here runs in the normal test session: the tests are skipped unless
``VIDIGATES_BROWSER=1`` (``scripts/test-browser`` sets it).
"""

from __future__ import annotations

from collections.abc import Iterator
import os
from pathlib import Path
import shutil
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from demo.stack import DemoOptions, DemoStack, free_port
from tests.opt_in import skip_folder_unless_asked

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

REPO = Path(__file__).resolve().parents[2]
# Ignored by git; CI can keep it as the run's artifacts.
ARTIFACTS = REPO / "artifacts" / "browser"
ENABLE_ENV = "VIDIGATES_BROWSER"
CHROMIUM_ENV = "VIDIGATES_CHROMIUM"
# The simulator's port; 0 (the default) takes any free one. The README's
# screenshots were taken with 8080, the hub's usual port.
SIM_PORT_ENV = "VIDIGATES_SIM_PORT"
# What the issue asks for: a quiet, headless Chromium that phones nobody.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip this folder's tests unless the browser run was asked for."""
    skip_folder_unless_asked(
        items,
        Path(__file__).parent,
        ENABLE_ENV,
        "browser test: run scripts/test-browser",
    )


def find_chromium() -> str | None:
    """Return Debian's Chromium (or the one VIDIGATES_CHROMIUM names), if any."""
    for candidate in (
        os.environ.get(CHROMIUM_ENV),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the suite's fixture: no in-process Home Assistant here."""


@pytest.fixture
def artifacts() -> Path:
    """A fresh folder for this run's screenshots, logs and Home Assistant."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture
def stack(socket_enabled: None, artifacts: Path) -> Iterator[DemoStack]:
    """The simulator and a fresh Home Assistant, onboarded, with no hub added.

    The simulated clock is frozen after a warm-up, so the values the test
    compares hold still until it moves them itself.
    """
    with DemoStack(
        DemoOptions(
            runtime_dir=artifacts,
            ha_port=free_port(),
            sim_port=int(os.environ.get(SIM_PORT_ENV, "0")),
            add_entry=False,
            real_time=False,
        )
    ) as demo:
        yield demo


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Headless Chromium, driven by Playwright; never a downloaded browser."""
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="Playwright is not installed: run scripts/demo-setup --browser",
    )
    executable = find_chromium()
    if executable is None:
        pytest.skip(
            "no Chromium found (/usr/bin/chromium): install Debian's chromium "
            "(scripts/demo-setup --browser does, as root)"
        )
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser, artifacts: Path) -> Iterator[Page]:
    """A light-theme page of the size the README's screenshots have.

    Requests to anything but this machine are refused, so the test stays
    offline whatever the frontend asks for.
    """
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        color_scheme="light",
        locale="en-US",
        timezone_id="UTC",
    )
    context.set_default_timeout(30_000)
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if urlsplit(route.request.url).hostname in LOOPBACK_HOSTS
            else route.abort()
        ),
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        # Where the test ended: the first thing to look at when it fails.
        page.screenshot(path=artifacts / "last.png")
        (artifacts / "page-errors.txt").write_text("\n".join(errors), "utf-8")
        context.close()

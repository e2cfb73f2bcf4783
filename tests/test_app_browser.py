"""End to end: the workshop app served by Solara, driven in headless Debian chromium.

Starts ``solara run salesim_app.app`` on a free port, opens it with playwright
driving ``/usr/bin/chromium`` (playwright's own browser downloads are not
used), steps the model, moves a slider with the keyboard, resets, steps again,
and checks that the charts changed. Skipped, with the reason shown, only where
no chromium is installed (``.ci/run`` installs it because ``tests/needs_chromium``
exists).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on this machine (apt-get install chromium)"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, log: Path, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"solara exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.2)
    pytest.fail(f"solara did not listen on port {port} in {timeout} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served on 127.0.0.1 at a free port, for the tests of this module."""
    port = free_port()
    work = tmp_path_factory.mktemp("app")
    log = work / "solara.log"
    solara = Path(sys.executable).with_name("solara")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(solara), "run", "salesim_app.app", "--host", "127.0.0.1"]
            + ["--port", str(port), "--production"],
            cwd=work,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        wait_for_port(port, proc, log)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def changed_image(page, css: str, before: bytes, timeout: float = 15.0) -> bytes:
    """Screenshot of the chart in ``css`` once it differs from ``before`` (fails on timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        now = page.locator(f"{css} img").screenshot()
        if now != before:
            return now
        if time.monotonic() > deadline:
            pytest.fail(f"chart {css} did not change within {timeout} s")
        time.sleep(0.25)


def test_slider_reset_and_step_update_the_charts(app_url: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(30_000)
            expect.set_options(timeout=30_000)  # a busy CI machine draws slowly
            page.goto(app_url)
            week = page.locator(".salesim-week")
            step = page.get_by_role("button", name="Step", exact=True)
            expect(week).to_have_text("week 0")

            # stepping draws the week: the bookings chart changes each week
            bookings = page.locator(".salesim-bookings img").screenshot()
            step.click()
            expect(week).to_have_text("week 1")
            bookings = changed_image(page, ".salesim-bookings", bookings)
            manager_default = page.locator(".salesim-manager-time img").screenshot()
            step.click()
            expect(week).to_have_text("week 2")
            changed_image(page, ".salesim-bookings", bookings)

            # move "Admin load" from 0.35 to 0.65 with the keyboard (6 steps of 0.05)
            slider = page.locator(".v-input", has_text="Admin load").get_by_role("slider")
            expect(slider).to_have_attribute("aria-valuenow", "0.35")
            slider.focus()
            for _ in range(6):
                slider.press("ArrowRight")
            expect(slider).to_have_attribute("aria-valuenow", "0.65")

            # Reset builds the organisation the controls describe; the week no longer fits.
            # The slider's new value reaches the server asynchronously (on change, after
            # the key presses), so on a busy machine a first Reset may still see the old
            # value: leave the slider, and press Reset again until the notice shows.
            slider.blur()
            notice = page.get_by_text("manager.coaching_share = 0.2 does not fit in the week")
            for attempt in range(3):
                page.get_by_role("button", name="Reset", exact=True).click()
                expect(week).to_have_text("week 0")
                try:
                    expect(notice).to_be_visible(timeout=10_000)
                    break
                except AssertionError:
                    if attempt == 2:
                        raise
            step.click()
            expect(week).to_have_text("week 1")
            # the same week under the heavier admin load: managers' time looks different
            changed_image(page, ".salesim-manager-time", manager_default)

            # another browser session gets an organisation of its own
            other = browser.new_page(viewport={"width": 1400, "height": 1000})
            other.goto(app_url)
            other_week = other.locator(".salesim-week")
            expect(other_week).to_have_text("week 0")
            other.get_by_role("button", name="Step", exact=True).click()
            expect(other_week).to_have_text("week 1")
            expect(other.get_by_text("does not fit in the week")).to_have_count(0)
            step.click()
            expect(week).to_have_text("week 2")

            # a bad seed: one line naming the field, and the organisation still runs
            seed = other.get_by_role("textbox", name="Seed", exact=True)
            seed.fill("abc")
            seed.press("Enter")
            other.get_by_role("button", name="Reset", exact=True).click()
            expect(
                other.get_by_text("error: seed = 'abc': must be a whole number, at least 0")
            ).to_be_visible()
            expect(other_week).to_have_text("week 0")
        finally:
            browser.close()

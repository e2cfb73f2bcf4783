"""Take the README's screenshot of the workshop app (docs/app.png) in headless chromium.

Starts ``solara run salesim_app.app`` on a free port, picks a plan to compare
with, resets, steps the organisation through a few quarters and saves a
screenshot of the page. Needs Debian's chromium (``apt-get install chromium``).

    python experiments/app_screenshot.py [--weeks 30] [--compare ranking] [--out docs/app.png]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def serve(port: int) -> subprocess.Popen:
    solara = Path(sys.executable).with_name("solara")
    proc = subprocess.Popen(
        [str(solara), "run", "salesim_app.app", "--host", "127.0.0.1", "--port", str(port)]
        + ["--production"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("solara did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=30)
    parser.add_argument("--compare", default="ranking")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "app.png")
    args = parser.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = serve(port)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1500, "height": 1500})
            page.set_default_timeout(30_000)
            page.goto(f"http://127.0.0.1:{port}/")
            week = page.locator(".salesim-week")
            expect(week).to_have_text("week 0")
            page.get_by_role("button", name="Compare with plan").click()
            page.get_by_role("option", name=args.compare, exact=True).click()
            page.get_by_role("button", name="Reset", exact=True).click()
            expect(page.get_by_text(f"B: {args.compare}").first).to_be_visible()
            step = page.get_by_role("button", name="Step", exact=True)
            for k in range(1, args.weeks + 1):
                step.click()
                expect(week).to_have_text(f"week {k}")
            time.sleep(2)
            page.screenshot(path=args.out)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

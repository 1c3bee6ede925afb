"""Drive Debian's headless Chromium without extra packages: screenshot, print to PDF, console messages
(from --enable-logging) and the page's own network requests (from the NetLog)."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib import image as mpimg

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-pings",
    "--hide-scrollbars",
)


def find_chromium() -> str | None:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass(frozen=True)
class PageLoad:
    console: list[str]  # every console message the page produced (a report has no script: expect none)
    requests: list[str]  # URLs the page itself asked the network for (expect none)
    screenshot: Path


def _page_requests(netlog: Path) -> list[str]:
    """URL requests made on behalf of a file:// page. Chromium's own background traffic (update checks,
    time sync) has no file:// network isolation key and is not the page's doing."""
    doc = json.loads(netlog.read_text(encoding="utf-8"))
    start = doc["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = []
    for event in doc["events"]:
        params = event.get("params") or {}
        if (
            event["type"] == start
            and "url" in params
            and "file://" in str(params.get("network_isolation_key", ""))
        ):
            urls.append(str(params["url"]))
    return urls


def load(browser: str, page: Path, workdir: Path, height: int = 2400) -> PageLoad:
    """Open `page`, take a 1280-wide screenshot, and collect console messages and network requests."""
    workdir.mkdir(parents=True, exist_ok=True)
    shot = workdir / "shot.png"
    netlog = workdir / "netlog.json"
    proc = subprocess.run(
        [
            browser,
            *FLAGS,
            f"--user-data-dir={workdir / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            f"--log-net-log={netlog}",
            f"--screenshot={shot}",
            f"--window-size=1280,{height}",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    console = [ln for ln in proc.stderr.splitlines() if ":CONSOLE" in ln]
    return PageLoad(console=console, requests=_page_requests(netlog), screenshot=shot)


def print_pdf(browser: str, page: Path, pdf: Path, workdir: Path) -> None:
    subprocess.run(
        [
            browser,
            *FLAGS,
            f"--user-data-dir={workdir / 'profile-pdf'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )


def distinct_colours(png: Path) -> int:
    pixels = mpimg.imread(png)
    rgb = (pixels[..., :3] * 255).astype(np.uint32).reshape(-1, 3)
    return len(np.unique((rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]))

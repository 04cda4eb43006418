"""The dashboard in a real browser: Debian's Chromium driven by Playwright (no browser download), against
`sellthrough dashboard`'s Streamlit server on the tiny network. One test does the whole drill, national to one
outlet, by clicks on table rows, checking the URL and the numbers at every level; screenshots of each level go
to test-artifacts/dashboard/ (git-ignored). `.ci/run` installs chromium when it is missing."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlparse

import duckdb
import pytest

from dashboard import server, ui
from sellthrough.config import REPO_ROOT
from tests.pipeline_helpers import published_path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "dashboard"
LEVELS = ("zone", "region", "state", "distributor", "beat", "outlet")
COLUMNS = {
    "zone": "zone",
    "region": "region",
    "state": "state",
    "distributor": "distributor_code",
    "beat": "beat_code",
    "outlet": "master_outlet_id",
}
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium: apt-get install chromium (.ci/run does)"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def dashboard_url(tiny_network: Path) -> Iterator[str]:
    """`sellthrough dashboard`'s server (the same command line and environment) on the tiny network."""
    port = free_port()
    env = server.environment(published_path(tiny_network), tiny_network)
    process = subprocess.Popen(
        server.command("127.0.0.1", port), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.read() == b"ok":
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"the dashboard did not start: {output[-2000:]}")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_drill_from_national_to_one_outlet_by_clicks(dashboard_url: str, tiny_network: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(published_path(tiny_network)), read_only=True) as marts:
        start, end = marts.execute("select start_date, end_date from dash_periods where period = 'mtd'").fetchall()[0]

        def expected(path: list[tuple[str, str]], level: str) -> tuple[str, float]:
            """The first row a manager sees at `level` under `path` (largest net sales), from the fact."""
            where = " and ".join(["invoice_date between ? and ?", *(f"{COLUMNS[lv]} = ?" for lv, _ in path)])
            return marts.execute(
                f"select {COLUMNS[level]}, sum(signed_net_amount) as amount from fct_secondary_sales where {where} "
                "group by 1 order by amount desc, 1 limit 1",
                [start, end, *(v for _, v in path)],
            ).fetchall()[0]

        def total(path: list[tuple[str, str]]) -> float:
            where = " and ".join(["invoice_date between ? and ?", *(f"{COLUMNS[lv]} = ?" for lv, _ in path)])
            return marts.execute(
                f"select sum(signed_net_amount) from fct_secondary_sales where {where}",
                [start, end, *(v for _, v in path)],
            ).fetchall()[0][0]

        expect.set_options(timeout=60_000)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{dashboard_url}/drilldown?period=mtd")
            page.wait_for_selector(IDLE, timeout=60_000)
            path: list[tuple[str, str]] = []
            for depth, level in enumerate(LEVELS):
                # the page settles on this level's numbers (a click's run, then the run it asks for)
                code, _ = expected(path, level)
                expect(page.locator("[data-testid=stMetricValue]").first).to_have_text(ui.rupees(total(path)))
                first_row = page.locator("[data-testid=stDataFrame] table tbody tr").first
                expect(first_row).to_contain_text(code)
                page.wait_for_selector(IDLE, timeout=60_000)
                page.screenshot(path=str(ARTIFACTS / f"{depth}_{'national' if depth == 0 else path[-1][0]}.png"))
                grid = page.locator("[data-testid=stDataFrame]").first
                grid.scroll_into_view_if_needed()
                box = grid.bounding_box()
                before = page.url
                page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)  # the first row's selection cell
                page.wait_for_url(lambda url, before=before: url != before, timeout=60_000)
                page.wait_for_selector(IDLE, timeout=60_000)
                path.append((level, code))
                assert dict(parse_qsl(urlparse(page.url).query)) == {"period": "mtd", **dict(path)}
            # the outlet: its own sales, its profile, the breadcrumbs back up
            expect(page.locator("[data-testid=stMetricValue]").first).to_have_text(ui.rupees(total(path)))
            assert page.get_by_role("button", name="India").is_visible()
            assert (
                page.locator("[data-testid=stAlertContentInfo]")
                .first.inner_text()
                .startswith(
                    marts.execute("select outlet_name from dim_outlet where outlet_code = ?", [path[-1][1]]).fetchall()[
                        0
                    ][0]
                )
            )
            page.screenshot(path=str(ARTIFACTS / "6_outlet.png"), full_page=True)
            # a breadcrumb back to the zone
            page.get_by_role("button", name=f"Zone: {path[0][1]}").click()
            page.wait_for_url(lambda url: "region=" not in url, timeout=60_000)
            page.wait_for_selector(IDLE, timeout=60_000)
            assert dict(parse_qsl(urlparse(page.url).query)) == {"period": "mtd", "zone": path[0][1]}
            # the other pages a manager opens first, for the record (docs/dashboard.md's pictures come from here)
            cell = marts.execute(
                "select geo_value, week_start from dash_geo_weekly where geo_level = 'distributor' "
                "and growth_pct is not null order by growth_pct limit 1"
            ).fetchall()[0]
            for name, address in (
                ("overview", ""),  # the default page lives at the root
                ("heatmap", f"heatmap?level=distributor&cell={cell[0]}&week={cell[1].isoformat()}"),
            ):
                page.goto(f"{dashboard_url}/{address}")
                page.wait_for_selector(IDLE, timeout=60_000)
                page.wait_for_selector("[data-testid=stDataFrame]", timeout=60_000)
                assert not page.locator("[data-testid=stException]").count(), name
                page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            browser.close()

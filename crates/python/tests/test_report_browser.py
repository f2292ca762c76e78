"""`sameas report` as a person sees it: the page of the shipped sample, and of a generated
run with its score and segment outputs, opened in headless Chromium. No console message,
every section and chart present with a drawn SVG, and a screenshot saved
(target/report/*.png)."""

import os
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import CUSTOMERS_CSV, ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("SAMEAS_REQUIRE_BROWSER"):
    raise RuntimeError("SAMEAS_REQUIRE_BROWSER is set but chromium is not installed")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")

SCREENSHOTS = ROOT / "target" / "report"


class Page(HTMLParser):
    """Sections, charts, and the marks drawn inside each chart's SVG."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.charts: dict[str, int] = {}
        self.urls: list[str] = []
        self._chart: str | None = None
        self._in_svg = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("src", "href"):
            if a.get(key) and not str(a[key]).startswith("#"):
                self.urls.append(str(a[key]))
        if tag == "section" and a.get("data-section"):
            self.sections.append(str(a["data-section"]))
        elif tag == "figure" and a.get("data-chart"):
            self._chart = str(a["data-chart"])
            self.charts[self._chart] = 0
        elif tag == "svg" and self._chart is not None:
            self._in_svg = True
        elif self._in_svg and self._chart is not None and tag in ("rect", "line", "text"):
            self.charts[self._chart] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._in_svg = False
        elif tag == "figure":
            self._chart = None


def chromium(url: str, *flags: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run", "--hide-scrollbars",
             f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *flags, url],
            capture_output=True, text=True, timeout=120, check=True,
        )


def open_in_browser(html: Path, screenshot: Path) -> Page:
    """Loads the page: its DOM after rendering, the console checked, a screenshot."""
    shown = chromium(html.as_uri(), "--dump-dom")
    console = [line for line in shown.stderr.splitlines() if ":CONSOLE" in line]
    assert console == [], console
    page = Page()
    page.feed(shown.stdout)
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    shot = chromium(html.as_uri(), "--window-size=1200,1600", f"--screenshot={screenshot}")
    assert [line for line in shot.stderr.splitlines() if ":CONSOLE" in line] == []
    assert screenshot.stat().st_size > 10_000
    return page


def check_charts(page: Page) -> None:
    assert page.urls == [], "the page links nothing outside itself"
    for chart, marks in page.charts.items():
        assert marks > 0, f"chart {chart} has an empty SVG"


def test_console_errors_are_caught(tmp_path: Path) -> None:
    """The check above sees a console error when a page has one."""
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><p>x</p><script>console.error('broken')</script>")
    shown = chromium(page.as_uri(), "--dump-dom")
    assert any(":CONSOLE" in line and "broken" in line for line in shown.stderr.splitlines())


def test_sample_report_in_the_browser(cli: Path, cli_output: Path, tmp_path: Path) -> None:
    html = tmp_path / "sample.html"
    subprocess.run([str(cli), "report", str(cli_output), "--out", str(html)], check=True,
                   capture_output=True)
    text = html.read_text(encoding="utf-8")
    assert "http://" not in text and "https://" not in text
    page = open_in_browser(html, SCREENSHOTS / "sample.png")
    assert page.sections == ["quality", "resolution", "entities"]
    assert len(page.charts) >= 6
    for chart in ["quality-score", "completeness-validity", "quality-matrix", "issues",
                  "records-entities", "entity-sizes", "match-probability", "blocking",
                  "refusals", "generic-values", "largest-entities", "conflicted-entities"]:
        assert chart in page.charts, chart
    check_charts(page)
    # No raw id of the input: record ids of the sample are C0001 …
    assert "C0001" not in text


def test_full_report_in_the_browser(cli: Path, tmp_path: Path) -> None:
    run = lambda *args: subprocess.run([str(cli), *map(str, args)], check=True,  # noqa: E731
                                       capture_output=True, cwd=tmp_path)
    run("synth", "--records", "3000", "--seed", "1", "--out", "customers.csv",
        "--transactions", "orders.csv")
    run("resolve", "customers.csv", "--out", "out", "-q")
    run("score", "--transactions", "orders.csv", "--entities", "out/entities.csv",
        "--as-of", "2026-06-30", "--out", "value")
    run("segment", "value", "--entities", "out/entities.csv", "--out", "segments")
    run("report", "out", "value", "segments", "--out", "report.html")
    page = open_in_browser(tmp_path / "report.html", SCREENSHOTS / "full.png")
    assert page.sections == ["quality", "resolution", "entities", "value", "segments",
                             "cohorts"]
    for chart in ["rfm-heatmap", "clv", "p-alive", "tiers", "rfm-segments", "lifecycle",
                  "clusters", "cohort-retention", "channels"]:
        assert chart in page.charts, chart
    check_charts(page)

"""Resolution.write_report and the notebook view (mirrors crates/report)."""

import json
import subprocess
from pathlib import Path

import sameas
from conftest import CUSTOMERS_CSV


def test_write_report_and_notebook_view(tmp_path: Path) -> None:
    resolution = sameas.Resolver().resolve(CUSTOMERS_CSV)
    path = tmp_path / "report.html"
    resolution.write_report(path)
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    for section in ["quality", "resolution", "entities"]:
        assert f'data-section="{section}"' in html, section
    assert html.count('<figure class="chart"') >= 6
    # Masked only: the sample's first record id and phone are not in it, the masked phone is.
    assert "C0001" not in html and "13800138000" not in html and "138****8000" in html
    assert "http://" not in html and "https://" not in html
    inline = resolution._repr_html_()
    assert inline.startswith("<iframe srcdoc=")
    # The page sits whole in one attribute: its own quotes are escaped.
    assert "data-section=&quot;quality&quot;" in inline and inline.count('"') == 6


def test_quality_equals_the_profile(cli: Path) -> None:
    """The report's quality object is `sameas profile` of the same records."""
    quality = sameas.Resolver().resolve(CUSTOMERS_CSV).report["quality"]
    profile = json.loads(subprocess.run(
        [str(cli), "profile", "--json", str(CUSTOMERS_CSV)],
        check=True, capture_output=True, text=True,
    ).stdout)
    assert quality["channels"] == profile["channels"]
    assert quality["records"] == profile["records"] == 30
    all_channels = quality["channels"][0]
    assert all_channels["channel"] == "all"
    assert 0 < all_channels["quality"] < 1 and not all_channels["meets_gate"]

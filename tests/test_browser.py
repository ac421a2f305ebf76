"""Every report of a milestone opens in headless Chromium, network blocked: no failed request, no error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("milestones")]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTEFACTS = ROOT / "tests" / "artefacts"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.fail("Chromium est requis pour les tests navigateur (apt-get install chromium ; .ci/run l'installe).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield instance
        instance.close()


def open_offline(browser, path: Path, screenshot: Path | None = None) -> dict:
    """Open a local page with every non-local request blocked; collect what went wrong."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    seen = {"console": [], "failed": [], "external": []}
    page.on("console", lambda m: seen["console"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["console"].append(str(e)))
    page.on("requestfailed", lambda r: seen["failed"].append(r.url))

    def guard(route):
        url = route.request.url
        if url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:
            seen["external"].append(url)
            route.abort()

    page.route("**/*", guard)
    page.goto(path.as_uri(), wait_until="load")
    images = page.eval_on_selector_all("img", "els => els.map(e => [e.alt, e.naturalWidth])")
    seen["images"] = images
    seen["title"] = page.title()
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)
    page.close()
    return seen


@pytest.mark.parametrize("milestone", ["T12"])
def test_reports_open_offline_without_errors(milestone_runs, browser, milestone):
    out, runs = milestone_runs
    folder = out / milestone
    pages = [folder / "index.html"] + [folder / n.html for n in runs[milestone].notebooks if n.html]
    pages += sorted(folder.glob("guide*.html"))
    assert len(pages) >= 6
    for page in pages:
        shot = ARTEFACTS / f"{milestone}_{page.stem}.png" if page.stem in ("index", "01_enquete_usagers") else None
        seen = open_offline(browser, page, shot)
        assert seen["external"] == [], (page.name, seen["external"])
        assert seen["failed"] == [], (page.name, seen["failed"])
        assert seen["console"] == [], (page.name, seen["console"])
        for alt, width in seen["images"]:
            assert alt.strip(), f"{page.name}: image without alt text"
            assert width > 0, f"{page.name}: image not rendered"
        assert page.stat().st_size < 5 * 1024 * 1024, f"{page.name} exceeds 5 MB"
    assert (ARTEFACTS / f"{milestone}_index.png").exists()

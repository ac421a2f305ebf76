"""Every report of a milestone opens in headless Chromium, network blocked: no failed request, no error."""

from __future__ import annotations

import re
import shutil
import subprocess
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


# --- print: PDFs of every page, page breaks, the restricted banner on every printed page --------------

PDFTOTEXT = shutil.which("pdftotext")
PDFTOPPM = shutil.which("pdftoppm")


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page of a PDF (poppler's pdftotext; pages separated by form feeds)."""
    if PDFTOTEXT is None:
        pytest.fail("pdftotext est requis (apt-get install poppler-utils ; .ci/run l'installe).")
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def render(pdf: Path, prefix: Path) -> list[Path]:
    """Render every page to PNG (tests/artefacts/, to look at them)."""
    prefix.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([PDFTOPPM, "-r", "40", "-png", str(pdf), str(prefix)], check=True)
    return sorted(prefix.parent.glob(f"{prefix.name}-*.png"))


@pytest.mark.parametrize("level", ["copil", "restreinte"])
def test_every_page_has_its_pdf_linked_from_the_index(milestone_runs, level):
    out, runs = milestone_runs
    last = [m for m in runs if m != "restreinte"][-1]
    run = runs["restreinte"] if level == "restreinte" else runs[last]
    folder = run.out_dir
    pages = sorted(folder.glob("*.html"))
    assert {p.name for p in pages} >= {"index.html", "guide_pratiques.html", "01_enquete_usagers.html"}
    index = (folder / "index.html").read_text(encoding="utf-8")
    for page in pages:
        pdf = page.with_suffix(".pdf")
        assert f'href="{pdf.name}"' in index, pdf.name
        texts = pdf_pages(pdf)
        assert texts and all(t.strip() for t in texts), pdf.name  # no blank page
        if level == "restreinte":  # at the top of every printed page
            assert all("Diffusion restreinte" in t.split("\n", 3)[0] + t.split("\n", 3)[1] for t in texts), pdf.name
        else:
            assert not any("Diffusion restreinte" in t for t in texts), pdf.name
        assert re.search(rf"\b1\s*/\s*{len(texts)}\b", texts[0]), pdf.name  # numbered pages
    for name in ("index", "01_enquete_usagers", "03_rh_gpec"):
        assert render(folder / f"{name}.pdf", ARTEFACTS / "pdf" / f"{level}_{name}")


def break_test_page(css: str) -> str:
    """Three A4 pages, each with a spacer pushing a table, a heading or a chart across the page foot."""
    rows = "".join(f"<tr><td>ligne {k:02d}</td><td class='num'>{k},0 %</td></tr>" for k in range(1, 21))
    table = "<table class='ducos-tableau'><caption>{}</caption><tbody>" + rows + "</tbody></table>"
    chart = ("<figure class='ducos-figure'><img alt='graphique' style='height:520px;width:400px' src='data:image/png;"
             "base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgYPgPAAEDAQCH+1noAAAAAElFTkSuQmCC'>"
             "<figcaption>légende du graphique</figcaption></figure>")
    spacer = "<div style='height:{}px;background:#eee'>bloc</div>"
    new_page = "<div style='break-before:page'></div>"
    return (f"<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><style>{css}</style></head>"
            f"<body class='ducos-rapport'><main>{spacer.format(700)}{table.format('Tableau A')}"
            f"{new_page}{spacer.format(920)}<h2>Titre B</h2>{table.format('Tableau B')}"
            f"{new_page}{spacer.format(600)}{chart}</main></body></html>")


def test_page_breaks_cut_no_table_and_keep_headings_with_what_follows(tmp_path):
    """A table and a chart that would straddle a page foot move to the next page whole; a heading
    at the foot of a page goes with its table."""
    from ducos_lib.reports.export import TEMPLATE_DIR, print_pdf

    if CHROMIUM is None:
        pytest.fail("Chromium est requis pour les tests navigateur.")
    css = (TEMPLATE_DIR / "ducos" / "ducos.css").read_text(encoding="utf-8")
    (tmp_path / "essai.html").write_text(break_test_page(css), encoding="utf-8")
    pdf = print_pdf(tmp_path / "essai.html", tmp_path / "essai.pdf", CHROMIUM)
    texts = pdf_pages(pdf)

    def page_of(text: str, start: int = 0) -> int:
        return next(k for k, t in enumerate(texts) if k >= start and text in t)

    first = page_of("Tableau A")
    assert first == 1 and page_of("ligne 01", first) == page_of("ligne 20", first) == first  # moved whole
    heading = page_of("Titre B")
    assert page_of("Tableau B") == page_of("ligne 20", heading) == heading  # the heading went with its table
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    image_pages = [int(line.split()[0]) - 1 for line in images.splitlines()[2:] if line.strip()]
    assert image_pages == [page_of("légende du graphique")]  # the chart on one page, with its caption
    render(pdf, ARTEFACTS / "pdf" / "sauts_de_page")

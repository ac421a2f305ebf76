"""Export of an executed notebook: the self-contained French HTML report (no CDN, code hidden), its
"diffusion restreinte" banner, and its PDF printed by headless Chromium.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Callable

from ..io import atomic_write, strip_accents, write_text

TEMPLATE_DIR = Path(__file__).parent / "templates"

#: What every page of the restricted level says, on screen and at the top of every printed page.
RESTRICTED_TITLE = "Diffusion restreinte"
RESTRICTED_TEXT = ("réservé à la direction des ressources humaines et au comité technique (CoTA) ; "
                   "ne pas transmettre au comité de pilotage ni diffuser")
_BANNER_MARK = 'class="ducos-restreinte"'


_HEADING = re.compile(r"<h([23])([^>]*)>(.*?)</h\1>", re.S)


def _slug(text: str) -> str:
    plain = re.sub(r"<[^>]+>", "", text).replace("¶", "")
    return re.sub(r"[^a-z0-9]+", "-", strip_accents(plain).lower()).strip("-") or "section"


def add_table_of_contents(page: str) -> str:
    """Give every h2/h3 an id and insert a table of contents at the ``<!-- ducos:toc -->`` marker."""
    entries: list[tuple[int, str, str]] = []
    seen: set[str] = set()

    def visit(match: re.Match) -> str:
        level, attrs, inner = match.group(1), match.group(2), match.group(3)
        found = re.search(r'id="([^"]+)"', attrs)
        ident = found.group(1) if found else _slug(inner)
        while ident in seen:
            ident += "-1"
        seen.add(ident)
        label = re.sub(r"<[^>]+>", "", inner).replace("¶", "").strip()
        entries.append((int(level), ident, label))
        if not found:
            attrs += f' id="{ident}"'
        return f"<h{level}{attrs}>{inner}</h{level}>"

    page = _HEADING.sub(visit, page)
    items = []
    for level, ident, label in entries:
        if level == 2:
            items.append(f'<li><a href="#{ident}">{html.escape(label)}</a></li>')
    toc = f'<nav class="ducos-toc" aria-label="Sommaire"><strong>Sommaire</strong><ol>{"".join(items)}</ol></nav>'
    if not items:
        return page.replace("<!-- ducos:toc -->", "", 1)
    if "</h1>" not in page:
        return page.replace("<!-- ducos:toc -->", toc, 1)
    page = page.replace("<!-- ducos:toc -->", "", 1)
    h1_end = page.find("</h1>") + len("</h1>")  # after the title, so the page opens on what it is about
    return page[:h1_end] + toc + page[h1_end:]


def restricted_banner() -> str:
    """The "diffusion restreinte" banner: a block at the top of the page, repeated on every printed page."""
    printed = f"{RESTRICTED_TITLE} — ne pas transmettre au comité de pilotage"
    return (f'<style>@page {{ @top-center {{ content: "{printed}"; color: #8b1a1a; font: 600 9pt "DejaVu Sans", '
            "sans-serif; } }</style>"
            f'<div {_BANNER_MARK} role="note" style="background:#8b1a1a;color:#fff;padding:8px 14px;margin:8px 0;'
            f'font-weight:600;border-radius:4px"><strong>{RESTRICTED_TITLE}</strong> — {html.escape(RESTRICTED_TEXT)}.'
            "</div>")


def mark_restricted(page: str) -> str:
    """Put the restricted banner at the top of a page's body (pages not made by :func:`export_html`)."""
    if _BANNER_MARK in page:
        return page
    found = re.search(r"<body[^>]*>", page)
    if found is None:
        return restricted_banner() + page
    at = found.end()
    if page.startswith("<header", at) or page.startswith("\n<header", at):  # after the page's top strip
        at = page.index("</header>", at) + len("</header>")
    return page[:at] + restricted_banner() + page[at:]


def is_restricted(page: str) -> bool:
    return _BANNER_MARK in page


def export_html(notebook_path: Path | str, html_path: Path | str, title: str | None = None,
                diffusion: str = "copil") -> Path:
    """Convert an executed notebook into the self-contained French HTML report.

    Code cells' inputs, prompts and the (injected) parameters cells are removed; images are
    embedded; the template loads nothing from another host. At the ``restreinte`` level the page
    opens on the restricted banner.
    """
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(str(notebook_path), as_version=4)
    if title:
        nb.metadata["title"] = title
    nb.metadata["ducos"] = {"bandeau": restricted_banner() if diffusion == "restreinte" else ""}
    for cell in nb.cells:  # warnings and logs are for the analyst, not for the CoPil
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
    exporter = HTMLExporter(
        template_name="ducos", extra_template_basedirs=[str(TEMPLATE_DIR)], exclude_input=True,
        exclude_input_prompt=True, exclude_output_prompt=True, embed_images=True, language_code="fr",
        exclude_anchor_links=True,
    )
    remover = TagRemovePreprocessor(remove_cell_tags={"parameters", "injected-parameters", "remove_cell"},
                                    remove_all_outputs_tags={"remove_output"})
    exporter.register_preprocessor(remover, enabled=True)
    body, _ = exporter.from_notebook_node(nb)
    body = add_table_of_contents(body)
    write_text(body, html_path)
    return Path(html_path)


# --- PDF -------------------------------------------------------------------------------------------

_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium(configured: str | None = None) -> str | None:
    """Path of a headless-capable Chromium: the configured one, else the first on ``PATH``."""
    if configured:
        return configured if Path(configured).is_file() and os.access(configured, os.X_OK) else shutil.which(configured)
    return next((found for name in _CHROMIUM_NAMES if (found := shutil.which(name))), None)


class PdfError(RuntimeError):
    """Chromium could not print a page (the message is French, for the index and the log)."""


def print_pdf(html_path: Path | str, pdf_path: Path | str, chromium: str, *, timeout: float = 120,
              started: Callable[[subprocess.Popen], None] | None = None) -> Path:
    """Print a local HTML page to PDF with headless Chromium (A4, the page's print CSS, no header line).

    Parameters
    ----------
    html_path, pdf_path : path
        Page to print and PDF to write (atomically).
    chromium : str
        Browser executable (:func:`find_chromium`).
    timeout : float
        Seconds before the browser is stopped and :class:`PdfError` raised.
    started : callable, optional
        Called with the browser process, so that an interrupted run can stop it.
    """
    html_path, pdf_path = Path(html_path).resolve(), Path(pdf_path)
    with tempfile.TemporaryDirectory(prefix="ducos_pdf_") as profile:
        tmp = Path(profile) / "page.pdf"
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
               f"--user-data-dir={profile}", "--no-first-run", "--disable-extensions", "--disable-sync",
               "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
               f"--print-to-pdf={tmp}", html_path.as_uri()]
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True)
        if started is not None:
            started(proc)
        try:
            output, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise PdfError(f"impression de {html_path.name} interrompue après {timeout:.0f} s") from None
        if proc.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
            detail = output.decode("utf-8", "replace").strip().splitlines()[-1:] if output else []
            raise PdfError(f"impression de {html_path.name} impossible (code {proc.returncode}"
                           + (f" : {detail[0][:200]}" if detail else "") + ")")
        atomic_write(pdf_path, lambda staged: shutil.copyfile(tmp, staged))
    return pdf_path


def add_print_links(page: str, links: list[tuple[str, str]], note: str | None = None) -> str:
    """Add the "Versions imprimables (PDF)" section to a page (the milestone's index).

    ``links`` are (label, relative path) pairs; ``note`` replaces them when no PDF was produced.
    """
    items = "".join(f'<li><a href="{html.escape(href)}">{html.escape(label)}</a></li>' for label, href in links)
    body = (f'<p class="ducos-note">{html.escape(note)}</p>' if note else "") + (f"<ul>{items}</ul>" if items else "")
    section = f'<section class="ducos-pdf"><h2 id="pdf">Versions imprimables (PDF)</h2>{body}</section>'
    for marker in ('<footer class="ducos-provenance"', "</main>", "</body>"):
        at = page.rfind(marker)
        if at != -1:
            return page[:at] + section + page[at:]
    return page + section

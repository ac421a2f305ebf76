"""Report building blocks: French formats, tables, figures with alt text, table of contents."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from ducos_lib.reports import export, formats, page


@pytest.mark.parametrize("value, kwargs, expected", [
    (1234.5, {"decimals": 1}, "1\u202f234,5"), (0, {}, "0"), (float("nan"), {}, "–"), (-2.25, {"decimals": 2}, "-2,25"),
])
def test_nombre(value, kwargs, expected):
    assert formats.number(value, **kwargs) == expected


def test_percentages_points_dates_and_pvalues():
    assert formats.percent(0.625) == "62,5\u202f%"
    assert formats.percent(12.0, 0, proportion=False) == "12\u202f%"
    assert formats.points(0.052) == "+5,2 points" and formats.points(-0.01) == "−1,0 point"
    assert formats.date(pd.Timestamp("2026-11-13")) == "13/11/2026"
    assert formats.date("2026-11-13", long=True) == "13 novembre 2026"
    assert formats.pvalue(0.0004) == "<\u202f0,001" and formats.pvalue(0.0312) == "0,031"
    assert formats.signed(math.nan) == "–"


def test_tableau_formats_and_escapes():
    frame = pd.DataFrame({"Service": ["État <civil>"], "Part": [0.5], "n": [12]})
    html = page.table(frame, caption="Légende", formatters={"Part": formats.percent})
    assert "<caption>Légende</caption>" in html and "&lt;civil&gt;" in html
    assert "50,0\u202f%" in html and '<td class="num">12</td>' in html


def test_figure_is_embedded_with_alt_text():
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    html = page.figure(fig, alt="Courbe « test » croissante")
    assert html.startswith('<figure class="ducos-figure"><img src="data:image/png;base64,')
    assert 'alt="Courbe « test » croissante"' in html
    assert not plt.get_fignums()  # closed


def test_table_of_contents_after_title():
    page = ('<body><!-- ducos:toc --><main><h1>Titre du rapport</h1><p>Intro</p><h2>Constats clés</h2>'
            '<h2 id="deja">Méthodologie</h2><h3>Détail</h3></main></body>')
    out = export.add_table_of_contents(page)
    assert "<!-- ducos:toc -->" not in out
    assert out.index("</h1>") + 5 == out.index('<nav class="ducos-toc"')
    assert '<a href="#constats-cles">Constats clés</a>' in out and '<a href="#deja">Méthodologie</a>' in out
    assert '<h2 id="constats-cles">' in out and "Détail</a>" not in out


def test_published_files_follow_the_umask_not_0600(tmp_path):
    import os

    old = os.umask(0o022)
    try:
        path = page.write_table(pd.DataFrame({"a": [1]}), tmp_path, "t")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644

"""Charts for the reports: seaborn, colour-blind-safe palette, French labels and number format.

Every function returns a matplotlib ``Figure``; pass it to :func:`ducos_lib.report.figure` with an
alt text. Nothing here changes global state except :func:`setup`, which the notebooks call once.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from . import formats  # noqa: E402

PALETTE = sns.color_palette("colorblind")
#: Diverging palette for 5-point scales (1 = very dissatisfied … 5 = very satisfied), colour-blind-safe.
LIKERT_COLOURS = ["#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac"]


def setup() -> None:
    """Seaborn theme used by every report."""
    sns.set_theme(context="notebook", style="whitegrid", palette="colorblind", font="DejaVu Sans")
    plt.rcParams.update({"figure.dpi": 100, "axes.titleweight": "bold", "axes.titlesize": 12,
                         "axes.formatter.use_locale": False})


def french_number_axis(ax, axis: str = "y", decimals: int = 0) -> None:
    """Tick labels with a decimal comma and narrow spaces as thousands separators."""
    fmt = FuncFormatter(lambda v, _: formats.nombre(v, decimals))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def french_percent_axis(ax, axis: str = "y", decimals: int = 0) -> None:
    """Tick labels of proportions (0–1) as French percentages."""
    fmt = FuncFormatter(lambda v, _: formats.pourcent(v, decimals))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def barh_counts(labels, values, *, title: str, xlabel: str, colour=None, decimals: int = 0):
    """Horizontal bars with the value written at the end of each bar."""
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(labels) + 1.2))
    bars = ax.barh(list(labels), list(values), color=colour or PALETTE[0])
    ax.invert_yaxis()
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    french_number_axis(ax, "x")
    for bar, value in zip(bars, values):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, " " + formats.nombre(value, decimals),
                va="center", fontsize=9)
    sns.despine(ax=ax)
    fig.tight_layout()
    return fig

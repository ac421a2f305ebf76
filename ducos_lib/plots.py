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


# ------------------------------------------------------------------------------------------------
# HR charts (report 03_rh_gpec)
# ------------------------------------------------------------------------------------------------

def pyramide(pyr, *, title: str = "Pyramide des âges", seuil: int = 5):
    """Age pyramid: men on the left, women on the right, youngest band at the bottom.

    ``pyr`` is :func:`ducos_lib.hr.pyramide_ages` (``tranche``, ``sexe``, ``effectif``, ``masque``).
    Masked cells get no bar, only a "< seuil" mark: no figure about fewer agents is drawn.
    """
    import numpy as np

    tranches = list(dict.fromkeys(pyr["tranche"]))
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(tranches) + 1.6))
    y = np.arange(len(tranches))
    couleurs = {"H": PALETTE[0], "F": PALETTE[1]}
    noms = {"H": "Hommes", "F": "Femmes"}
    maxi = float(pyr["effectif"].dropna().max()) if pyr["effectif"].notna().any() else 1.0
    for sexe, signe in (("H", -1), ("F", 1)):
        sub = pyr[pyr["sexe"] == sexe].set_index("tranche").reindex(tranches)
        vals = sub["effectif"].astype("float64").fillna(0).to_numpy()
        masques = sub["masque"].fillna(False).astype(bool).to_numpy()
        ax.barh(y, signe * vals, color=couleurs[sexe], label=noms[sexe], height=0.8)
        for yi, v, m in zip(y, vals, masques):
            texte = f"< {seuil}" if m else formats.nombre(v)
            ax.text(signe * (v + maxi * 0.02), yi, texte, va="center",
                    ha="left" if signe > 0 else "right", fontsize=9,
                    color="dimgray" if m else "black", style="italic" if m else "normal")
    ax.set_yticks(y, tranches)
    lim = maxi * 1.25
    ax.set_xlim(-lim, lim)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: formats.nombre(abs(v))))
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("Nombre d'agents")
    ax.set_title(title)
    ax.text(0.02, 1.01, "◀ Hommes", transform=ax.transAxes, ha="left", va="bottom", fontsize=10,
            color=couleurs["H"], fontweight="bold")
    ax.text(0.98, 1.01, "Femmes ▶", transform=ax.transAxes, ha="right", va="bottom", fontsize=10,
            color=couleurs["F"], fontweight="bold")
    sns.despine(ax=ax, left=True)
    fig.tight_layout()
    return fig


def departs_par_scenario(annuels, *, title: str = "Départs à la retraite projetés par année",
                         seuil: int = 5):
    """Grouped bars of projected departures per year, one colour per scenario.

    ``annuels`` is :func:`ducos_lib.hr.departs_par_annee` for the ensemble (one row per scenario,
    ``groupe`` then one column per year). Masked years get no bar and a "< seuil" mark.
    """
    import numpy as np

    annees = [c for c in annuels.columns if c != "groupe"]
    x = np.arange(len(annees))
    n = max(len(annuels), 1)
    largeur = 0.8 / n
    fig, ax = plt.subplots(figsize=(9, 4.2))
    maxi = float(np.nanmax(annuels[annees].to_numpy(dtype=float))) if annuels[annees].notna().any().any() else 1.0
    for i, (_, r) in enumerate(annuels.iterrows()):
        vals = r[annees].astype("float64").to_numpy()
        pos = x - 0.4 + largeur * (i + 0.5)
        ax.bar(pos, np.nan_to_num(vals), width=largeur, color=PALETTE[i + 2], label=r["groupe"])
        for p, v in zip(pos, vals):
            texte = f"<{seuil}" if np.isnan(v) else formats.nombre(v)
            ax.text(p, (0 if np.isnan(v) else v) + maxi * 0.015, texte, ha="center", va="bottom",
                    fontsize=7 if np.isnan(v) else 8, color="dimgray" if np.isnan(v) else "black",
                    style="italic" if np.isnan(v) else "normal")
    ax.set_xticks(x, annees)
    ax.set_ylim(0, maxi * 1.15)
    ax.set_xlabel("Année de départ")
    ax.set_ylabel("Nombre de départs")
    french_number_axis(ax, "y")
    ax.set_title(title)
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=n)
    sns.despine(ax=ax)
    fig.tight_layout()
    return fig


def absenteisme_motifs(motifs, *, title: str = "Taux d'absentéisme par motif"):
    """Horizontal bars of absenteeism rates (in %) by motif, from ``hr.absenteisme_par_motif``."""
    pub = motifs[motifs["taux"].notna()]
    fig, ax = plt.subplots(figsize=(8, 0.38 * len(pub) + 1.4))
    bars = ax.barh(list(pub["libelle"]), list(pub["taux"]), color=PALETTE[0])
    ax.invert_yaxis()
    maxi = float(pub["taux"].max()) if len(pub) else 1.0
    for bar, v in zip(bars, pub["taux"]):
        ax.text(bar.get_width() + maxi * 0.01, bar.get_y() + bar.get_height() / 2,
                formats.pourcent(v, 2, proportion=False), va="center", fontsize=9)
    ax.set_xlim(0, maxi * 1.2 if maxi > 0 else 1)
    ax.xaxis.set_major_formatter(FuncFormatter(
        lambda v, _: formats.pourcent(v, 0 if float(v).is_integer() else 1 if float(v * 10).is_integer() else 2,
                                      proportion=False)))
    ax.set_xlabel("Jours d'absence pour 100 jours calendaires de l'effectif permanent")
    ax.set_title(title)
    sns.despine(ax=ax)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------------------------------------
# Managerial practices (report 05_pratiques_manageriales)
# ------------------------------------------------------------------------------------------------

def dumbbell_avant_apres(table, *, title: str = "Auto-évaluations des encadrants : avant et après",
                         label: str = "competence", scale: tuple[float, float] = (1, 5)):
    """Dumbbell chart: mean self-rating before (circle) → after (diamond) per competence, with n pairs.

    ``table`` is :func:`ducos_lib.practices.self_evaluation_table` (``competence, n_paires,
    moyenne_avant, moyenne_apres``); rows without means (below the confidentiality threshold) are
    left out. Colour-blind-safe colours plus distinct markers, so the chart also reads in grey.
    """
    import numpy as np

    shown = table[table["moyenne_avant"].notna() & table["moyenne_apres"].notna()].iloc[::-1]
    fig, ax = plt.subplots(figsize=(8.5, 0.5 * max(len(shown), 1) + 1.6))
    y = np.arange(len(shown))
    before, after = shown["moyenne_avant"].astype(float).to_numpy(), shown["moyenne_apres"].astype(float).to_numpy()
    ax.hlines(y, np.minimum(before, after), np.maximum(before, after), color="#9e9e9e", linewidth=2.5, zorder=1)
    ax.scatter(before, y, s=70, marker="o", color=PALETTE[7], edgecolor="black", linewidth=0.5, zorder=2,
               label="Avant la mise en situation")
    ax.scatter(after, y, s=80, marker="D", color=PALETTE[0], edgecolor="black", linewidth=0.5, zorder=3,
               label="Après la mise en situation")
    for yi, b, a, n in zip(y, before, after, shown["n_paires"]):
        ax.text(max(a, b) + 0.08, yi, f"{formats.signe(a - b)} (n = {formats.nombre(n)})", va="center", fontsize=9)
    ax.set_yticks(y, [str(v) for v in shown[label]])
    ax.set_xlim(scale[0] - 0.2, scale[1] + 0.9)
    ax.set_xticks(np.arange(scale[0], scale[1] + 1))
    french_number_axis(ax, "x")
    ax.set_xlabel("Note moyenne d'auto-évaluation (1 = faible, 5 = très bonne)")
    ax.set_title(title)
    height = fig.get_size_inches()[1]
    fig.legend(*ax.get_legend_handles_labels(), frameon=False, loc="lower center", ncol=2)
    sns.despine(ax=ax, left=True)
    fig.tight_layout(rect=(0, 0.4 / height, 1, 1))
    return fig


def repartition_notes(dist, *, group: str, title: str, level: str = "note", share: str = "part",
                      level_labels=None):
    """100 % stacked horizontal bars of a 1–5 rating distribution, one bar per group.

    ``dist`` is long: ``group`` column (e.g. a label "Écoute · avant"), ``level`` (1–5) and
    ``share`` (proportion 0–1), as :func:`ducos_lib.practices.rating_distribution` or
    :func:`ducos_lib.practices.seminar_distribution`. Diverging colour-blind-safe palette
    (:data:`LIKERT_COLOURS`); shares of at least 8 % are written in the bars.
    """
    import numpy as np

    level_labels = level_labels or {1: "1", 2: "2", 3: "3", 4: "4", 5: "5"}
    groups = list(dict.fromkeys(dist[group]))
    levels = sorted(dist[level].dropna().unique())
    wide = dist.pivot_table(index=group, columns=level, values=share, aggfunc="sum").reindex(
        index=groups, columns=levels).fillna(0.0)
    fig, ax = plt.subplots(figsize=(9, 0.45 * max(len(groups), 1) + 1.8))
    left = np.zeros(len(groups))
    for i, lev in enumerate(levels):
        vals = wide[lev].to_numpy(dtype=float)
        likert = set(levels) <= {1.0, 2.0, 3.0, 4.0, 5.0}
        colour = LIKERT_COLOURS[int(lev) - 1] if likert else PALETTE[i % 10]
        name = level_labels.get(int(lev), formats.nombre(lev)) if float(lev).is_integer() else formats.nombre(lev, 1)
        ax.barh(groups, vals, left=left, color=colour, edgecolor="white", label=name)
        for yi, (l0, v) in enumerate(zip(left, vals)):
            if v >= 0.08:
                ax.text(l0 + v / 2, yi, formats.pourcent(v, 0), ha="center", va="center", fontsize=8,
                        color="white" if likert and int(lev) in (1, 5) else "black")
        left += vals
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    french_percent_axis(ax, "x")
    ax.set_xlabel("Part des réponses")
    ax.set_title(title)
    height = fig.get_size_inches()[1]
    fig.legend(*ax.get_legend_handles_labels(), title="Note", frameon=False, ncol=len(levels), loc="lower center")
    sns.despine(ax=ax, left=True)
    fig.tight_layout(rect=(0, 0.6 / height, 1, 1))
    return fig


# ------------------------------------------------------------------------------------------------
# Quality ↔ performance charts (report 04_qualite_performance)
# ------------------------------------------------------------------------------------------------

def heatmap_correlations(resultats, *, alpha: float = 0.05, title: str = "Corrélations entre qualité "
                         "de service et indicateurs RH", libelle=None):
    """Heat map of Spearman's rho, quality measures in rows and staff measures in columns.

    ``resultats`` is :func:`ducos_lib.linkage.correlations_qualite_rh`. Each cell shows rho with a
    decimal comma; cells whose Benjamini–Hochberg adjusted p-value is below ``alpha`` are marked
    with an asterisk and a thick black frame; pairs without a statistic are grey ("n.c.").
    Diverging colour-blind-safe palette (seaborn ``vlag``) from −1 to +1. ``libelle`` maps a
    measure name to its French label (default :func:`ducos_lib.linkage.libelle_mesure`).
    """
    import numpy as np
    from matplotlib.patches import Rectangle

    if libelle is None:
        from .linkage import libelle_mesure as libelle
    lignes = list(dict.fromkeys(resultats["indicateur_qualite"]))
    colonnes = list(dict.fromkeys(resultats["indicateur_rh"]))
    rho = resultats.pivot_table(index="indicateur_qualite", columns="indicateur_rh", values="rho",
                                aggfunc="first", dropna=False).reindex(index=lignes, columns=colonnes)
    padj = resultats.pivot_table(index="indicateur_qualite", columns="indicateur_rh", values="p_ajustee",
                                 aggfunc="first", dropna=False).reindex(index=lignes, columns=colonnes)
    valeurs = rho.to_numpy(dtype=float)
    signif = (padj.to_numpy(dtype=float) < alpha)
    fig, ax = plt.subplots(figsize=(2.0 * len(colonnes) + 4.5, 0.6 * len(lignes) + 2.2))
    ax.set_facecolor("#d9d9d9")
    ax.grid(False)
    sns.heatmap(np.ma.masked_invalid(valeurs), ax=ax, cmap="vlag", vmin=-1, vmax=1,
                linewidths=0.8, linecolor="white", cbar_kws={"label": "rho de Spearman"},
                xticklabels=[libelle(c) for c in colonnes], yticklabels=[libelle(r) for r in lignes])
    for i in range(len(lignes)):
        for j in range(len(colonnes)):
            v = valeurs[i, j]
            if np.isnan(v):
                texte, poids = "n.c.", "normal"
            else:
                s = formats.nombre(abs(v), 2)
                texte = ("\u2212" if v < 0 and s.strip("0,") else "") + s + ("*" if signif[i, j] else "")
                poids = "bold" if signif[i, j] else "normal"
            ax.text(j + 0.5, i + 0.5, texte, ha="center", va="center", fontsize=10, fontweight=poids,
                    color="white" if not np.isnan(v) and abs(v) > 0.6 else "black")
            if signif[i, j]:
                ax.add_patch(Rectangle((j + 0.04, i + 0.04), 0.92, 0.92, fill=False, edgecolor="black",
                                       linewidth=2.2))
    cbar = ax.collections[0].colorbar
    cbar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: formats.signe(v, 1) if v else "0"))
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(title)
    ax.tick_params(axis="x", rotation=20)
    plt.setp(ax.get_xticklabels(), ha="right")
    fig.text(0.01, 0.01, f"* et cadre noir : corrélation qui reste significative après ajustement "
             f"(Benjamini–Hochberg, p ajustée < {formats.nombre(alpha, 2)}). n.c. : non calculable.",
             fontsize=8, color="dimgray")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def nuage_services(panel, x: str, y: str, *, etiquette: str = "code_service", title: str | None = None,
                   xlabel: str | None = None, ylabel: str | None = None, libelle=None):
    """Scatter plot of two measures across services, each point labelled with its service.

    Pass the **published** panel (:meth:`ducos_lib.linkage.PanelServices.publiable`, one
    milestone): services with a missing or masked measure are left out, and a note under the
    chart says how many. Axis labels default to the French labels of the measures.
    """
    import numpy as np

    if libelle is None:
        from .linkage import libelle_mesure as libelle
    d = panel[[etiquette, x, y]].copy()
    d[x] = d[x].astype("float64")
    d[y] = d[y].astype("float64")
    absents = int(d[[x, y]].isna().any(axis=1).sum())
    d = d.dropna(subset=[x, y])
    fig, ax = plt.subplots(figsize=(7.5, 5.2))
    ax.scatter(d[x], d[y], s=46, color=PALETTE[0], edgecolor="white", linewidth=0.6, zorder=3)
    dx = (d[x].max() - d[x].min()) * 0.012 if len(d) else 0
    for _, r in d.iterrows():
        ax.annotate(str(r[etiquette]), (r[x], r[y]), xytext=(4, 3), textcoords="offset points",
                    fontsize=8.5, color="#333333")
    ax.set_xlabel(xlabel or libelle(x))
    ax.set_ylabel(ylabel or libelle(y))
    ax.set_title(title or f"{libelle(y)}\nselon {libelle(x).lower()}")
    amplitude = lambda s: float(np.nanmax(s) - np.nanmin(s)) if len(s) else 1.0  # noqa: E731
    french_number_axis(ax, "x", 1 if amplitude(d[x]) < 20 else 0)
    french_number_axis(ax, "y", 2 if amplitude(d[y]) < 2 else 1 if amplitude(d[y]) < 20 else 0)
    if dx:
        ax.set_xlim(d[x].min() - 4 * dx, d[x].max() + 8 * dx)
    note = f"{len(d)} service{'s' if len(d) > 1 else ''} représenté{'s' if len(d) > 1 else ''}"
    if absents:
        note += (f" ; {absents} non représenté{'s' if absents > 1 else ''} (mesure manquante ou "
                 "masquée pour confidentialité)")
    fig.text(0.01, 0.01, note + ".", fontsize=8, color="dimgray")
    sns.despine(ax=ax)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig

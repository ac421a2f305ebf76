"""Charts for the reports: seaborn, colour-blind-safe palette, French labels and number format.

Every function returns a matplotlib ``Figure``; pass it to :func:`ducos_lib.reports.page.figure` with an
alt text. Nothing here changes global state except :func:`setup`, which the notebooks call once.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib.ticker import FuncFormatter

from . import formats

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
    fmt = FuncFormatter(lambda v, _: formats.number(v, decimals))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def french_percent_axis(ax, axis: str = "y", decimals: int = 0) -> None:
    """Tick labels of proportions (0–1) as French percentages."""
    fmt = FuncFormatter(lambda v, _: formats.percent(v, decimals))
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
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, " " + formats.number(value, decimals),
                va="center", fontsize=9)
    sns.despine(ax=ax)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------------------------------------
# HR charts (report 03_rh_gpec)
# ------------------------------------------------------------------------------------------------

def age_pyramid(pyr, *, title: str = "Pyramide des âges", seuil: int = 5):
    """Age pyramid: men on the left, women on the right, youngest band at the bottom.

    ``pyr`` is :func:`ducos_lib.hr.pyramide_ages` (``tranche``, ``sexe``, ``effectif``, ``masque``).
    Masked cells get no bar, only a "< seuil" mark: no figure about fewer agents is drawn.
    """
    import numpy as np
    from matplotlib.ticker import MaxNLocator

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
            texte = f"< {seuil}" if m else formats.number(v)
            ax.text(signe * (v + maxi * 0.02), yi, texte, va="center",
                    ha="left" if signe > 0 else "right", fontsize=9,
                    color="dimgray" if m else "black", style="italic" if m else "normal")
    ax.set_yticks(y, tranches)
    lim = maxi * 1.25
    ax.set_xlim(-lim, lim)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: formats.number(abs(v))))
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


def departures_by_scenario(annuels, *, title: str = "Départs à la retraite projetés par année",
                         seuil: int = 5):
    """Grouped bars of projected departures per year, one colour per scenario.

    ``annuels`` is :func:`ducos_lib.hr.departs_par_annee` for the ensemble (one row per scenario,
    ``groupe`` then one column per year). Masked years get no bar and a "< seuil" mark.
    """
    import numpy as np
    from matplotlib.ticker import MaxNLocator

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
            texte = f"<{seuil}" if np.isnan(v) else formats.number(v)
            ax.text(p, (0 if np.isnan(v) else v) + maxi * 0.015, texte, ha="center", va="bottom",
                    fontsize=7 if np.isnan(v) else 8, color="dimgray" if np.isnan(v) else "black",
                    style="italic" if np.isnan(v) else "normal")
    ax.set_xticks(x, annees)
    ax.set_ylim(0, maxi * 1.15)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Année de départ")
    ax.set_ylabel("Nombre de départs")
    french_number_axis(ax, "y")
    ax.set_title(title)
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=n)
    sns.despine(ax=ax)
    fig.tight_layout()
    return fig


def absenteeism_by_reason(motifs, *, title: str = "Taux d'absentéisme par motif"):
    """Horizontal bars of absenteeism rates (in %) by motif, from ``hr.absenteisme_par_motif``."""
    pub = motifs[motifs["taux"].notna()]
    fig, ax = plt.subplots(figsize=(8, 0.38 * len(pub) + 1.4))
    bars = ax.barh(list(pub["libelle"]), list(pub["taux"]), color=PALETTE[0])
    ax.invert_yaxis()
    maxi = float(pub["taux"].max()) if len(pub) else 1.0
    for bar, v in zip(bars, pub["taux"]):
        ax.text(bar.get_width() + maxi * 0.01, bar.get_y() + bar.get_height() / 2,
                formats.percent(v, 2, proportion=False), va="center", fontsize=9)
    ax.set_xlim(0, maxi * 1.2 if maxi > 0 else 1)
    ax.xaxis.set_major_formatter(FuncFormatter(
        lambda v, _: formats.percent(v, 0 if float(v).is_integer() else 1 if float(v * 10).is_integer() else 2,
                                      proportion=False)))
    ax.set_xlabel("Jours d'absence pour 100 jours calendaires de l'effectif permanent")
    ax.set_title(title)
    sns.despine(ax=ax)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------------------------------------
# Managerial practices (report 05_pratiques_manageriales)
# ------------------------------------------------------------------------------------------------

def dumbbell_before_after(table, *, title: str = "Auto-évaluations des encadrants : avant et après",
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
        ax.text(max(a, b) + 0.08, yi, f"{formats.signed(a - b)} (n = {formats.number(n)})", va="center", fontsize=9)
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


def rating_distribution(dist, *, group: str, title: str, level: str = "note", share: str = "part",
                      level_labels=None, masked: str = "masque", secret_label: str = "Secret statistique"):
    """100 % stacked horizontal bars of a rating distribution, one bar per group.

    ``dist`` is long: ``group`` column (e.g. a label "Écoute · avant"), ``level`` (1–5, or band codes
    such as "1–2", "3", "4–5" in reading order) and ``share`` (proportion 0–1), as
    :func:`ducos_lib.practices.rating_distribution` or :func:`ducos_lib.practices.seminar_distribution`
    (``level="bande"``). Diverging colour-blind-safe palette (:data:`LIKERT_COLOURS`); shares of at
    least 8 % are written in the bars. Rows whose ``masked`` column is True (DESIGN §6) are never drawn
    to their size: the masked levels of a bar are merged into one hatched « secret » segment (what the
    published levels leave, which says nothing about each masked level), placed where the first
    masked level would be.
    """
    import pandas as pd
    from matplotlib.patches import Patch

    level_labels = level_labels or {1: "1", 2: "2", 3: "3", 4: "4", 5: "5"}
    groups = list(dict.fromkeys(dist[group]))
    numeric = pd.api.types.is_numeric_dtype(dist[level])
    levels = sorted(dist[level].dropna().unique()) if numeric else list(dict.fromkeys(dist[level].dropna()))
    hidden = (dist[masked].fillna(False).astype(bool) if masked in dist.columns
              else pd.Series(False, index=dist.index))
    wide = dist[~hidden].pivot_table(index=group, columns=level, values=share, aggfunc="sum").reindex(
        index=groups, columns=levels).fillna(0.0)
    secret = set(zip(dist.loc[hidden, group], dist.loc[hidden, level]))
    likert = numeric and set(levels) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    if likert:
        colours = {lev: LIKERT_COLOURS[int(lev) - 1] for lev in levels}
    elif len(levels) == 3:  # bands low / middle / high
        colours = dict(zip(levels, (LIKERT_COLOURS[0], LIKERT_COLOURS[2], LIKERT_COLOURS[4])))
    else:
        colours = {lev: PALETTE[i % 10] for i, lev in enumerate(levels)}
    dark = {levels[0], levels[-1]} if likert or len(levels) == 3 else set()

    def name(lev) -> str:
        if not numeric:
            return level_labels.get(lev, str(lev))
        return level_labels.get(int(lev), formats.number(lev)) if float(lev).is_integer() else formats.number(lev, 1)

    fig, ax = plt.subplots(figsize=(9, 0.45 * max(len(groups), 1) + 1.8))
    for yi, g in enumerate(groups):
        left, drawn = 0.0, False
        rest = max(0.0, 1.0 - float(wide.loc[g].sum()))
        for lev in levels:
            if (g, lev) in secret:
                if drawn:
                    continue
                drawn = True
                ax.barh(yi, rest, left=left, color="white", edgecolor="#636363", hatch="///", linewidth=0.6)
                if rest >= 0.12:
                    ax.text(left + rest / 2, yi, "secret", ha="center", va="center", fontsize=8, color="#252525",
                            style="italic", bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
                left += rest
                continue
            v = float(wide.loc[g, lev])
            ax.barh(yi, v, left=left, color=colours[lev], edgecolor="white")
            if v >= 0.08:
                ax.text(left + v / 2, yi, formats.percent(v, 0), ha="center", va="center", fontsize=8,
                        color="white" if lev in dark else "black")
            left += v
    ax.set_yticks(range(len(groups)), groups)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    french_percent_axis(ax, "x")
    ax.set_xlabel("Part des réponses")
    ax.set_title(title)
    height = fig.get_size_inches()[1]
    handles = [Patch(facecolor=colours[lev], edgecolor="white", label=name(lev)) for lev in levels]
    if secret:
        handles.append(Patch(facecolor="white", edgecolor="#636363", hatch="///", label=secret_label))
    fig.legend(handles=handles, title="Note", frameon=False, ncol=len(handles), loc="lower center")
    sns.despine(ax=ax, left=True)
    fig.tight_layout(rect=(0, 0.6 / height, 1, 1))
    return fig


# ------------------------------------------------------------------------------------------------
# Quality ↔ performance charts (report 04_qualite_performance)
# ------------------------------------------------------------------------------------------------

def correlation_heatmap(resultats, *, alpha: float = 0.05, title: str = "Corrélations entre qualité "
                         "de service et indicateurs RH", libelle=None):
    """Heat map of Spearman's rho, quality measures in rows and staff measures in columns.

    ``resultats`` is :func:`ducos_lib.linkage.quality_staff_correlations`. Each cell shows rho with a
    decimal comma; cells whose Benjamini–Hochberg adjusted p-value is below ``alpha`` are marked
    with an asterisk and a thick black frame; pairs without a statistic are grey ("n.c.").
    Diverging colour-blind-safe palette (seaborn ``vlag``) from −1 to +1. ``libelle`` maps a
    measure name to its French label (default :func:`ducos_lib.reports.qualite_performance.measure_label`).
    """
    import numpy as np
    from matplotlib.patches import Rectangle

    if libelle is None:
        from .qualite_performance import measure_label as libelle
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
                s = formats.number(abs(v), 2)
                texte = ("\u2212" if v < 0 and s.strip("0,") else "") + s + ("*" if signif[i, j] else "")
                poids = "bold" if signif[i, j] else "normal"
            ax.text(j + 0.5, i + 0.5, texte, ha="center", va="center", fontsize=10, fontweight=poids,
                    color="white" if not np.isnan(v) and abs(v) > 0.6 else "black")
            if signif[i, j]:
                ax.add_patch(Rectangle((j + 0.04, i + 0.04), 0.92, 0.92, fill=False, edgecolor="black",
                                       linewidth=2.2))
    cbar = ax.collections[0].colorbar
    cbar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: formats.signed(v, 1) if v else "0"))
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(title)
    ax.tick_params(axis="x", rotation=20)
    plt.setp(ax.get_xticklabels(), ha="right")
    fig.text(0.01, 0.01, f"* et cadre noir : corrélation qui reste significative après ajustement "
             f"(Benjamini–Hochberg, p ajustée < {formats.number(alpha, 2)}). n.c. : non calculable.",
             fontsize=8, color="dimgray")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def service_scatter(panel, x: str, y: str, *, etiquette: str = "code_service", title: str | None = None,
                   xlabel: str | None = None, ylabel: str | None = None, libelle=None):
    """Scatter plot of two measures across services, each point labelled with its service.

    Pass the **published** panel (:meth:`ducos_lib.linkage.ServicePanel.published`, one
    milestone): services with a missing or masked measure are left out, and a note under the
    chart says how many. Axis labels default to the French labels of the measures.
    """
    import numpy as np

    if libelle is None:
        from .qualite_performance import measure_label as libelle
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


# ------------------------------------------------------------------------------------------------
# Usagers survey charts (report 01_enquete_usagers)
# ------------------------------------------------------------------------------------------------

def likert_diverging(rep, *, title: str = "Répartition des réponses par dimension", item_labels=None,
                     level_labels=None, neutral: str = "centre"):
    """Diverging stacked bars of 5-point answers: 1–2 to the left of 0, 4–5 to the right.

    ``rep`` is :func:`ducos_lib.survey.repartitions_likert` (``vague, item, niveau, part``). One bar
    per item, or per item × wave when several waves are given (waves of an item are adjacent, the
    latest at the bottom of its block). ``neutral="centre"`` splits level 3 evenly around 0;
    ``"droite"`` puts it in a separate column on the right. Colours: :data:`LIKERT_COLOURS`;
    shares of at least 6 % are written in the segments; the share satisfied (4–5) is printed at
    the right end of each bar.
    """
    import numpy as np
    from matplotlib.patches import Patch

    item_labels = item_labels or {}
    level_labels = level_labels or {1: "Très insatisfait", 2: "Plutôt insatisfait",
                                    3: "Ni satisfait ni insatisfait", 4: "Plutôt satisfait", 5: "Très satisfait"}
    waves = list(dict.fromkeys(rep["vague"]))
    items = list(dict.fromkeys(rep["item"]))
    wide = rep.pivot_table(index=["item", "vague"], columns="niveau", values="part", aggfunc="first")
    rows, ypos, y = [], [], 0.0
    for item in items:
        for w in waves:
            if (item, w) in wide.index and wide.loc[(item, w)].notna().any():
                label = item_labels.get(item, item)
                rows.append(((item, w), label if len(waves) == 1 else f"{label} · {w}"))
                ypos.append(y)
                y += 1
        y += 0.5 if len(waves) > 1 else 0
    fig, ax = plt.subplots(figsize=(10, 0.42 * max(len(rows), 1) + 2.0))
    yv = np.array(ypos)
    parts = np.array([[float(wide.loc[k].get(lv, np.nan)) for lv in range(1, 6)] for k, _ in rows]).reshape(-1, 5)
    parts = np.nan_to_num(parts)
    centre = neutral == "centre"
    left_start = -(parts[:, 0] + parts[:, 1] + (parts[:, 2] / 2 if centre else 0))
    segments = [(0, left_start), (1, left_start + parts[:, 0])]
    if centre:
        segments.append((2, -parts[:, 2] / 2))
    segments += [(3, parts[:, 2] / 2 if centre else np.zeros(len(rows))), (4, None)]
    starts = {}
    for lv, start in segments:
        if lv == 4:
            start = starts[3] + parts[:, 3]
        starts[lv] = start
        ax.barh(yv, parts[:, lv], left=start, color=LIKERT_COLOURS[lv], edgecolor="white", height=0.8)
        for yi, s0, v in zip(yv, start, parts[:, lv]):
            if v >= 0.06:
                ax.text(s0 + v / 2, yi, formats.percent(v, 0), ha="center", va="center", fontsize=8,
                        color="white" if lv in (0, 4) else "black")
    right_end = starts[4] + parts[:, 4]
    extra = 0.0
    if not centre:
        extra = 0.08
        off = float(right_end.max()) + extra
        ax.barh(yv, parts[:, 2], left=off, color=LIKERT_COLOURS[2], edgecolor="white", height=0.8)
        for yi, v in zip(yv, parts[:, 2]):
            ax.text(off + v / 2, yi, formats.percent(v, 0), ha="center", va="center", fontsize=8)
        right_end = np.full(len(rows), off + float(parts[:, 2].max()))
    for yi, r, v in zip(yv, right_end, parts[:, 3] + parts[:, 4]):
        ax.text(r + 0.01, yi, formats.percent(v, 0), ha="left", va="center", fontsize=9, fontweight="bold",
                color=LIKERT_COLOURS[4])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(yv, [lab for _, lab in rows])
    ax.invert_yaxis()
    lo = float(np.min(left_start)) if len(rows) else -0.5
    hi = float(np.max(right_end)) if len(rows) else 0.5
    ax.set_xlim(min(lo, -0.5) - 0.05, max(hi, 0.5) + 0.12)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: formats.percent(abs(v), 0)))
    ax.set_xlabel("◀ Part d'insatisfaits          Part de satisfaits ▶")
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    handles = [Patch(color=LIKERT_COLOURS[i], label=level_labels[i + 1]) for i in range(5)]
    height = fig.get_size_inches()[1]
    fig.legend(handles=handles, frameon=False, ncol=5, loc="lower center", fontsize=8.5)
    sns.despine(ax=ax, left=True)
    fig.tight_layout(rect=(0, 0.45 / height, 1, 1))
    return fig


def group_estimates(table, *, title: str, xlabel: str, reference=None, proportion: bool = True,
                           decimals: int = 0, label: str = "libelle", flag: str = "signalement",
                           reference_label: str = "Ensemble de la commune"):
    """Dot and 95 % error bar per group; flagged (small-sample) groups greyed and marked "*".

    ``table`` has ``label`` (French group name), ``estimation``, ``ic_bas``, ``ic_haut`` and
    ``flag`` (:func:`ducos_lib.survey.signaler_effectifs` values: ``""``, ``"faible_effectif"``,
    ``"non_diffuse"``). Groups ``non_diffuse`` or without estimate are not drawn; a note under the
    chart lists how many. ``reference`` draws the overall value as a dashed vertical line.
    """
    import numpy as np

    shown = table[(table[flag] != "non_diffuse") & table["estimation"].notna()].reset_index(drop=True)
    hidden = len(table) - len(shown)
    fig, ax = plt.subplots(figsize=(8.5, 0.36 * max(len(shown), 1) + 1.9))
    y = np.arange(len(shown))
    weak = (shown[flag] == "faible_effectif").to_numpy()
    est = shown["estimation"].astype(float).to_numpy()
    lo = shown["ic_bas"].astype(float).to_numpy()
    hi = shown["ic_haut"].astype(float).to_numpy()
    for mask, colour, name in ((~weak, PALETTE[0], "Estimation et intervalle de confiance à 95 %"),
                               (weak, "#9e9e9e", "* Faible effectif (moins de 30 réponses) : prudence")):
        if mask.any():
            ax.errorbar(est[mask], y[mask], xerr=[est[mask] - lo[mask], hi[mask] - est[mask]], fmt="o",
                        color=colour, ecolor=colour, elinewidth=2, capsize=3, markersize=7, label=name)
    labels = [f"{t} *" if w else str(t) for t, w in zip(shown[label], weak)]
    ax.set_yticks(y, labels)
    for tick, w in zip(ax.get_yticklabels(), weak):
        if w:
            tick.set_color("dimgray")
    ax.set_ylim(len(shown) - 0.5, -0.5)
    if reference is not None and not np.isnan(reference):
        ax.axvline(reference, color="black", linestyle="--", linewidth=1,
                   label=f"{reference_label} : " + (formats.percent(reference, 1) if proportion
                                                     else formats.number(reference, 2)))
    if proportion:
        from matplotlib.ticker import MultipleLocator

        span = float(np.nanmax(hi) - np.nanmin(lo)) if len(shown) else 1.0
        ax.xaxis.set_major_locator(MultipleLocator(0.1 if span > 0.3 else 0.05))
        french_percent_axis(ax, "x", decimals)
    else:
        french_number_axis(ax, "x", decimals or 1)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    from matplotlib.lines import Line2D

    handles, names = ax.get_legend_handles_labels()
    if hidden:
        handles.append(Line2D([], [], linestyle="none"))
        names.append(f"{hidden} groupe{'s' if hidden > 1 else ''} non représenté{'s' if hidden > 1 else ''} "
                     "(moins de 10 réponses)")
    height = fig.get_size_inches()[1]
    fig.legend(handles, names, frameon=False, loc="lower center", ncol=1, fontsize=8.5)
    bottom = 0.2 + 0.2 * len(handles)
    sns.despine(ax=ax, left=True)
    fig.tight_layout(rect=(0, bottom / height, 1, 1))
    return fig


def sample_margins(marges, *, title: str = "Qui a répondu ? Répondants et population",
                       variable_labels=None, modalite_label=None):
    """Share of each category among respondents (unweighted, then weighted) vs the population.

    ``marges`` is one wave of :func:`ducos_lib.survey.marges_ponderation` (``variable, modalite,
    part_population, part_brute, part_ponderee``). One panel per raking variable, grouped
    horizontal bars: population, respondents before weighting, after weighting.
    """
    import numpy as np

    variable_labels = variable_labels or {}
    modalite_label = modalite_label or (lambda v, m: str(m))
    variables = list(dict.fromkeys(marges["variable"]))
    sizes = [int((marges["variable"] == v).sum()) for v in variables]
    fig, axes = plt.subplots(len(variables), 1, figsize=(9, 0.42 * sum(sizes) + 1.2 * len(variables) + 0.8),
                             gridspec_kw={"height_ratios": sizes}, squeeze=False)
    series = (("part_population", "Population de référence", PALETTE[7]),
              ("part_brute", "Répondants, avant pondération", PALETTE[1]),
              ("part_ponderee", "Répondants, après pondération", PALETTE[0]))
    hmax = float(marges[["part_population", "part_brute", "part_ponderee"]].max().max())
    for ax, v in zip(axes[:, 0], variables):
        sub = marges[marges["variable"] == v].reset_index(drop=True)
        y = np.arange(len(sub))
        for k, (col, name, colour) in enumerate(series):
            pos = y - 0.27 + 0.27 * k
            ax.barh(pos, sub[col], height=0.26, color=colour, label=name,
                    hatch="//" if col == "part_ponderee" else None, edgecolor="white")
            if col != "part_ponderee":
                for p, val in zip(pos, sub[col]):
                    ax.text(val + hmax * 0.01, p, formats.percent(val, 0), va="center", fontsize=7.5)
        ax.set_yticks(y, [modalite_label(v, m) for m in sub["modalite"]])
        ax.invert_yaxis()
        ax.set_xlim(0, hmax * 1.15)
        french_percent_axis(ax, "x")
        ax.set_title(variable_labels.get(v, v), loc="left", fontsize=11)
        ax.grid(axis="y", visible=False)
        sns.despine(ax=ax, left=True)
    axes[-1, 0].set_xlabel("Part de l'ensemble")
    fig.suptitle(title, fontweight="bold", fontsize=12)
    height = fig.get_size_inches()[1]
    fig.legend(*axes[0, 0].get_legend_handles_labels(), frameon=False, ncol=3, loc="lower center", fontsize=8.5)
    fig.tight_layout(rect=(0, 0.4 / height, 1, 1))
    return fig


def wave_evolution(est, indicateurs, *, title: str = "Évolution d'une vague à l'autre", labels=None,
                     proportion: bool = True, ylabel: str = "Part de satisfaits", waves=None, ncols: int = 3):
    """Small multiples: one panel per indicator, the overall estimate of each wave with its 95 % CI.

    ``est`` is :func:`ducos_lib.survey.estimations_enquete` (rows ``groupe_variable ==
    "ensemble"`` are used). All panels share the y axis, so levels compare across indicators.
    """
    import numpy as np

    labels = labels or {}
    e = est[est["groupe_variable"] == "ensemble"]
    waves = list(waves) if waves is not None else list(dict.fromkeys(e["vague"]))
    n = len(indicateurs)
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.3 * ncols + 0.6, 2.7 * nrows + 0.9), sharey=True,
                             squeeze=False)
    x = np.arange(len(waves))
    sub = e[e["indicateur"].isin(list(indicateurs))]
    lo_all, hi_all = float(sub["ic_bas"].min()), float(sub["ic_haut"].max())
    for k, ind in enumerate(indicateurs):
        ax = axes[k // ncols, k % ncols]
        d = sub[sub["indicateur"] == ind].set_index("vague").reindex(waves)
        v = d["estimation"].astype(float).to_numpy()
        ax.errorbar(x, v, yerr=[v - d["ic_bas"].astype(float).to_numpy(), d["ic_haut"].astype(float).to_numpy() - v],
                    fmt="-o", color=PALETTE[0], ecolor=PALETTE[0], capsize=4, linewidth=2, markersize=6)
        for xi, vi in zip(x, v):
            if not np.isnan(vi):
                ax.annotate(formats.percent(vi, 0) if proportion else formats.number(vi, 2), (xi, vi),
                            xytext=(7, 0), textcoords="offset points", fontsize=8.5, va="center")
        ax.set_xticks(x, waves)
        ax.set_xlim(-0.4, len(waves) - 0.4)
        ax.set_title(labels.get(ind, ind), fontsize=10)
        if proportion:
            french_percent_axis(ax, "y")
        else:
            french_number_axis(ax, "y", 1)
        if k % ncols == 0:
            ax.set_ylabel(ylabel)
        sns.despine(ax=ax)
    for k in range(n, nrows * ncols):
        axes[k // ncols, k % ncols].set_visible(False)
    pad = (hi_all - lo_all) * 0.1
    axes[0, 0].set_ylim(lo_all - pad, hi_all + pad)
    fig.suptitle(title, fontweight="bold", fontsize=12)
    fig.text(0.01, 0.005, "Points : estimation pondérée ; barres : intervalle de confiance à 95 %.", fontsize=8,
             color="dimgray")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def avoid_overlaps(fig, *, ax=None):
    """Move the point labels of a scatter so that they neither overlap each other nor hide points.

    Works on the annotations placed in offset points (as :func:`nuage_services` does): each label,
    in turn, takes the first of a few positions around its point (right, left, above, below, then
    farther, then stacked above or below) that overlaps no label already placed and no other point,
    inside the axes (a little outside them costs less than an overlap; outside the figure, more);
    when none is free, the least crowded one. A label moved far from its point gets a thin grey
    leader line. Returns ``fig``.
    """
    from matplotlib.text import Annotation
    from matplotlib.transforms import Bbox

    ax = ax or fig.axes[0]
    annotations = [t for t in ax.texts if isinstance(t, Annotation)]
    if not annotations:
        return fig
    fig.canvas.draw()
    rendu = fig.canvas.get_renderer()
    cadre = ax.get_window_extent(rendu)
    page = fig.bbox
    points = ax.transData.transform([a.xy for a in annotations])
    rayon = 5.0 * fig.dpi / 72
    positions = []
    for d in (1, 2, 3):
        positions += [(4 * d, 2, "left", "bottom"), (4 * d, -2, "left", "top"),
                      (-4 * d, 2, "right", "bottom"), (-4 * d, -2, "right", "top"),
                      (0, 4 * d, "center", "bottom"), (0, -4 * d, "center", "top")]
    for k in range(1, 6):  # then stacked above or below, right or left of the point
        positions += [(6, 2 + 10 * k, "left", "bottom"), (6, -2 - 10 * k, "left", "top"),
                      (-6, 2 + 10 * k, "right", "bottom"), (-6, -2 - 10 * k, "right", "top")]

    def aire(a: Bbox, b: Bbox) -> float:
        w = min(a.x1, b.x1) - max(a.x0, b.x0)
        h = min(a.y1, b.y1) - max(a.y0, b.y0)
        return w * h if w > 0 and h > 0 else 0.0

    placees: list[Bbox] = []
    for i, texte in enumerate(annotations):
        meilleur, cout_min = positions[0], float("inf")
        for dx, dy, ha, va in positions:
            texte.xyann = (dx, dy)
            texte.set_ha(ha)
            texte.set_va(va)
            b = texte.get_window_extent(rendu).padded(1.5)
            cout = sum(aire(b, p) for p in placees)
            cout += sum(b.x0 - rayon < px < b.x1 + rayon and b.y0 - rayon < py < b.y1 + rayon
                        for j, (px, py) in enumerate(points) if j != i) * 400.0
            # Slightly outside the axes is allowed (labels are not clipped), outside the figure is not.
            cout += 0.25 * (b.width * b.height - aire(b, cadre)) + 2.0 * (b.width * b.height - aire(b, page))
            if cout < cout_min:
                meilleur, cout_min = (dx, dy, ha, va), cout
            if cout == 0:
                break
        dx, dy, ha, va = meilleur
        texte.xyann = (dx, dy)
        texte.set_ha(ha)
        texte.set_va(va)
        placees.append(texte.get_window_extent(rendu).padded(1.5))
        if abs(dy) > 10:  # a label moved away from its point gets a thin leader line
            px, py = points[i]
            fx, fy = ax.transData.inverted().transform((px + dx * fig.dpi / 72, py + dy * fig.dpi / 72))
            ax.plot([texte.xy[0], fx], [texte.xy[1], fy], color="#999999", linewidth=0.6, zorder=2)
    return fig


# ------------------------------------------------------------------------------------------------
# Immersion charts (report 02_immersions)
# ------------------------------------------------------------------------------------------------

def strengths_areas_bars(forces, *, title: str = "Chaque thème : point fort ou axe de progression ?"):
    """Paired horizontal bars per theme: share of forms citing it as strength and as area to improve.

    ``forces`` is :func:`ducos_lib.text.strengths_vs_areas` (``libelle``, ``part_points_forts``,
    ``part_axes_progression``). Themes sorted by decreasing share as area for improvement; shares
    written at the end of the bars. Colour-blind-safe colours and hatching, so it reads in grey.
    """
    import numpy as np

    d = forces.sort_values("part_axes_progression", ascending=True, kind="stable")
    y = np.arange(len(d))
    h = 0.38
    fig, ax = plt.subplots(figsize=(9, 0.62 * max(len(d), 1) + 1.6))
    series = (("part_points_forts", "Cité en point fort", PALETTE[2], None, h / 2),
              ("part_axes_progression", "Cité en axe de progression", PALETTE[3], "//", -h / 2))
    maxi = float(np.nanmax(d[["part_points_forts", "part_axes_progression"]].to_numpy(dtype=float))) if len(d) else 1.0
    for col, name, colour, hatch, off in series:
        vals = d[col].astype("float64").fillna(0).to_numpy()
        ax.barh(y + off, vals, height=h, color=colour, hatch=hatch, edgecolor="white", label=name)
        for yi, v in zip(y + off, vals):
            ax.text(v + maxi * 0.01, yi, formats.percent(v, 0), va="center", fontsize=8.5)
    ax.set_yticks(y, list(d["libelle"]))
    ax.set_xlim(0, maxi * 1.15 if maxi > 0 else 1)
    french_percent_axis(ax, "x")
    ax.set_xlabel("Part des fiches dont le champ cite le thème")
    ax.set_title(title)
    height = fig.get_size_inches()[1]
    fig.legend(*ax.get_legend_handles_labels(), frameon=False, loc="lower center", ncol=2)
    sns.despine(ax=ax, left=True)
    fig.tight_layout(rect=(0, 0.45 / height, 1, 1))
    return fig


def theme_ratings_ci(notes, *, title: str = "Notes moyennes par thème (sur 5)", groupes=None):
    """Dot plot of mean ratings per theme with 95 % CI bars, for several groups side by side.

    ``notes`` is :func:`ducos_lib.text.mask_ratings` output with a ``libelle`` column; ``groupes``
    maps ``(groupe_variable, groupe)`` to a legend label (default: the ensemble only). Themes are
    sorted by the first group's mean, highest at the top, whose values are written on the right;
    masked or missing means are not drawn.
    """
    import numpy as np

    groupes = groupes or {("ensemble", "ensemble"): "Ensemble des fiches"}
    first = next(iter(groupes))
    base = notes[(notes["groupe_variable"] == first[0]) & (notes["groupe"] == first[1])]
    order = list(base.sort_values("moyenne", ascending=True, kind="stable")["libelle"])
    y = np.arange(len(order))
    fig, ax = plt.subplots(figsize=(9, 0.5 * max(len(order), 1) + 1.8))
    markers = ["o", "s", "D", "^"]
    k = len(groupes)
    for i, ((var, grp), name) in enumerate(groupes.items()):
        sub = notes[(notes["groupe_variable"] == var) & (notes["groupe"] == grp)].set_index("libelle").reindex(order)
        m = sub["moyenne"].astype("float64").to_numpy()
        lo = sub["ic_bas"].astype("float64").to_numpy()
        hi = sub["ic_haut"].astype("float64").to_numpy()
        off = ((k - 1) / 2 - i) * 0.22  # first group on top
        err = np.vstack([np.where(np.isnan(lo), 0, m - lo), np.where(np.isnan(hi), 0, hi - m)])
        ok = ~np.isnan(m)
        ax.errorbar(m[ok], y[ok] + off, xerr=err[:, ok], fmt=markers[i % 4], color=PALETTE[i], ecolor=PALETTE[i],
                    elinewidth=1.6, capsize=3, markersize=7, label=name)
        if i == 0:
            for yi, v in zip(y[ok] + off, m[ok]):
                ax.text(5.08, yi, formats.number(v, 1), va="center", fontsize=8.5, color=PALETTE[i])
    ax.set_yticks(y, order)
    ax.set_xlim(1, 5.35)
    ax.set_xticks([1, 2, 3, 4, 5])
    french_number_axis(ax, "x")
    ax.set_xlabel("Note moyenne (1 = très insatisfaisant, 5 = très satisfaisant) et intervalle de confiance à 95 %")
    ax.set_title(title)
    height = fig.get_size_inches()[1]
    fig.legend(*ax.get_legend_handles_labels(), frameon=False, loc="lower center", ncol=min(k, 3))
    sns.despine(ax=ax, left=True)
    fig.tight_layout(rect=(0, 0.45 / height, 1, 1))
    return fig


def specificity_heatmap(spec, *, title: str, groupe: str = "libelle_groupe", z: float = 1.96):
    """Theme × group heat map: colour = adjusted residual, text = share of the group's forms.

    ``spec`` is :func:`ducos_lib.text.group_specificities`. Blue: the theme is cited more often
    in this group than elsewhere (over-represented), red: less often; cells beyond ±``z`` are
    framed in black with the share in bold. Diverging colour-blind-safe palette (``vlag``).
    """
    import numpy as np
    from matplotlib.patches import Rectangle

    themes = list(dict.fromkeys(spec["libelle"]))
    groups = list(dict.fromkeys(spec[groupe]))
    res = spec.pivot_table(index="libelle", columns=groupe, values="residu_ajuste", aggfunc="first",
                           dropna=False).reindex(index=themes, columns=groups)
    part = spec.pivot_table(index="libelle", columns=groupe, values="part_fiches", aggfunc="first",
                            dropna=False).reindex(index=themes, columns=groups)
    v = res.to_numpy(dtype=float)
    lim = max(3.0, float(np.nanmax(np.abs(v))) if np.isfinite(v).any() else 3.0)
    fig, ax = plt.subplots(figsize=(max(6.5, 0.95 * len(groups) + 4.5), 0.55 * len(themes) + 2.6))
    sns.heatmap(np.ma.masked_invalid(-v), ax=ax, cmap="vlag", vmin=-lim, vmax=lim, linewidths=0.8,
                linecolor="white", xticklabels=groups, yticklabels=themes,
                cbar_kws={"label": "Écart à l'attendu (résidu ajusté)"})
    cbar = ax.collections[0].colorbar
    cbar.ax.yaxis.set_major_formatter(FuncFormatter(lambda t, _: formats.signed(-t, 0) if t else "0"))
    cbar.ax.invert_yaxis()
    p = part.to_numpy(dtype=float)
    for i in range(len(themes)):
        for j in range(len(groups)):
            sig = np.isfinite(v[i, j]) and abs(v[i, j]) > z
            ax.text(j + 0.5, i + 0.5, formats.percent(p[i, j], 0), ha="center", va="center", fontsize=8.5,
                    fontweight="bold" if sig else "normal",
                    color="white" if np.isfinite(v[i, j]) and abs(v[i, j]) > 0.7 * lim else "black")
            if sig:
                ax.add_patch(Rectangle((j + 0.04, i + 0.04), 0.92, 0.92, fill=False, edgecolor="black", linewidth=2))
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(title)
    ax.tick_params(axis="x", rotation=30)
    plt.setp(ax.get_xticklabels(), ha="right")
    fig.text(0.01, 0.01, "Chiffre : part des fiches du groupe qui citent le thème. Bleu : plus cité qu'ailleurs ; "
             "rouge : moins cité. Cadre noir : écart net (résidu ajusté au-delà de ±1,96).",
             fontsize=8, color="dimgray")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def service_ratings_heatmap(notes, *, title: str = "Notes moyennes par service d'accueil et par thème",
                           seuil: int = 5, libelles_services=None):
    """Host service × theme heat map of mean ratings (1–5); masked means (< ``seuil`` forms) in grey.

    ``notes`` is :func:`ducos_lib.text.mask_ratings` output with ``libelle`` (theme), rows
    ``groupe_variable == "service_accueil"``. Services without any published mean are left out
    (a note under the chart counts them). Sequential colour-blind-safe palette (``crest``).
    """
    import numpy as np

    lab = libelles_services or {}
    d = notes[notes["groupe_variable"] == "service_accueil"].copy()
    shown = d.groupby("groupe")["moyenne"].transform(lambda m: m.notna().any())
    hidden = d.loc[~shown, "groupe"].nunique()
    d = d[shown]
    d["_svc"] = d["groupe"].map(lambda g: lab.get(g, g))
    themes = list(dict.fromkeys(d["libelle"]))
    services = sorted(dict.fromkeys(d["_svc"]))
    mean = d.pivot_table(index="_svc", columns="libelle", values="moyenne", aggfunc="first",
                         dropna=False).reindex(index=services, columns=themes)
    v = mean.to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=(0.95 * len(themes) + 4.5, max(0.42 * len(services), 1.6) + 2.8))
    ax.grid(False)
    ax.set_facecolor("#e6e6e6")
    sns.heatmap(np.ma.masked_invalid(v), ax=ax, cmap="crest", vmin=1, vmax=5, linewidths=0.8, linecolor="white",
                xticklabels=themes, yticklabels=services, cbar_kws={"label": "Note moyenne (sur 5)"})
    cbar = ax.collections[0].colorbar
    cbar.set_ticks([1, 2, 3, 4, 5])
    cbar.ax.yaxis.set_major_formatter(FuncFormatter(lambda t, _: formats.number(t, 0)))
    for i in range(len(services)):
        for j in range(len(themes)):
            x = v[i, j]
            ax.text(j + 0.5, i + 0.5, f"< {seuil}" if np.isnan(x) else formats.number(x, 1), ha="center",
                    va="center", fontsize=8, color="dimgray" if np.isnan(x) else ("white" if x > 3.2 else "black"),
                    style="italic" if np.isnan(x) else "normal")
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(title)
    ax.tick_params(axis="x", rotation=35)
    ax.tick_params(axis="y", rotation=0)
    plt.setp(ax.get_xticklabels(), ha="right")
    note = f"« < {seuil} » : moins de {seuil} notes, moyenne non publiée (confidentialité)."
    if hidden:
        note += (f" {hidden} service{'s' if hidden > 1 else ''} dont aucune moyenne n'est publiable "
                 f"n'{'apparaissent' if hidden > 1 else 'apparaît'} pas.")
    fig.text(0.01, 0.01, note, fontsize=8, color="dimgray")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def cooccurrence_heatmap(cooc, libelles, *, title: str = "Thèmes cités ensemble dans une même réponse"):
    """Lower-triangle heat map of theme co-occurrence: number of answers citing both themes.

    ``cooc`` is :func:`ducos_lib.text.theme_cooccurrence` (``theme_a, theme_b, n, jaccard``);
    ``libelles`` maps theme codes to French labels (in display order). Colour = Jaccard index
    (share of the answers citing either theme that cite both), text = number of answers.
    """
    import numpy as np

    codes = list(libelles)
    n = cooc.pivot_table(index="theme_a", columns="theme_b", values="n", aggfunc="first").reindex(
        index=codes, columns=codes).to_numpy(dtype=float)
    jac = cooc.pivot_table(index="theme_a", columns="theme_b", values="jaccard", aggfunc="first").reindex(
        index=codes, columns=codes).to_numpy(dtype=float)
    lower = np.tril(np.ones_like(jac, dtype=bool), k=-1)[1:, :-1]  # row i > column j only
    jac, n = jac[1:, :-1], n[1:, :-1]
    shown = np.where(lower, jac, np.nan)
    fig, ax = plt.subplots(figsize=(9.5, 7.0))
    ax.grid(False)
    vmax = float(np.nanmax(shown)) if np.isfinite(shown).any() else 1.0
    labels = [libelles[c] for c in codes]
    sns.heatmap(shown, mask=~lower, ax=ax, cmap="mako_r", vmin=0, vmax=max(vmax, 0.05),
                linewidths=0.8, linecolor="white", xticklabels=labels[:-1], yticklabels=labels[1:],
                cbar_kws={"label": "Indice de Jaccard"})
    cbar = ax.collections[0].colorbar
    cbar.ax.yaxis.set_major_formatter(FuncFormatter(lambda t, _: formats.percent(t, 0)))
    for i in range(len(codes) - 1):
        for j in range(i + 1):
            x = jac[i, j]
            ax.text(j + 0.5, i + 0.5, formats.number(n[i, j]), ha="center", va="center", fontsize=9,
                    color="white" if np.isfinite(x) and x > 0.6 * vmax else "black")
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(title)
    ax.tick_params(axis="x", rotation=35)
    plt.setp(ax.get_xticklabels(), ha="right")
    fig.text(0.01, 0.01, "Chiffre : nombre de réponses (un champ d'une fiche) qui citent les deux thèmes. Couleur : indice de "
             "Jaccard, part des réponses citant l'un des deux thèmes qui citent les deux.",
             fontsize=8, color="dimgray")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def pair_scatter(publie, x: str, y: str, *, etiquette: str = "libelle"):
    """Labelled scatter of one quality ↔ staff pair (report 04): :func:`nuage_services` with labels
    kept apart (:func:`eviter_chevauchements`) and shares (``*_satisfaits``, 0–1) as French percentages.

    ``publie`` is the published panel of one milestone (:meth:`ducos_lib.linkage.ServicePanel.published`).
    """
    etiquette = etiquette if etiquette in publie.columns else "code_service"
    fig = service_scatter(publie, x, y, etiquette=etiquette)
    ax = fig.axes[0]
    for nom, axe in ((x, "x"), (y, "y")):
        if nom.endswith("_satisfaits"):
            french_percent_axis(ax, axe, 0)
    return avoid_overlaps(fig, ax=ax)


# ------------------------------------------------------------------------------------------------
# Usagers survey: importance × performance matrix (report 01, driver analysis)
# ------------------------------------------------------------------------------------------------

def driver_matrix(quadrants, *, labels=None, quadrant_labels=None,
                  title: str = "Ce qui fait la satisfaction : importance et performance de chaque dimension"):
    """Importance × performance matrix, one panel per wave (shared axes).

    ``quadrants`` is :func:`ducos_lib.reports.enquete.driver_quadrants` (``vague, dimension,
    importance, ic_bas, ic_haut, performance, seuil_importance, seuil_performance, quadrant``).
    x: performance (share satisfied); y: importance (odds ratio, log scale) with its 95 % interval;
    dashed cross-hairs at the wave's averages; the quadrant names in the corners; the dimensions of
    the top-left quadrant (high importance, low performance) in orange, the others in blue.
    """
    import numpy as np
    from matplotlib.ticker import FixedLocator, NullLocator

    labels = labels or {}
    quadrant_labels = quadrant_labels or {}
    data = quadrants[quadrants["importance"].notna()]
    waves = list(dict.fromkeys(quadrants["vague"]))
    fig, axes = plt.subplots(1, len(waves), figsize=(4.6 * len(waves) + 0.6, 5.2), sharex=True, sharey=True,
                             squeeze=False)
    lo = float(np.nanmin(data["ic_bas"])) if len(data) else 0.5
    hi = float(np.nanmax(data["ic_haut"])) if len(data) else 2.0
    pmin = float(np.nanmin(quadrants["performance"])) if len(quadrants) else 0.0
    pmax = float(np.nanmax(quadrants["performance"])) if len(quadrants) else 1.0
    corners = (("priorite", 0.02, 0.98, "left", "top"), ("atout", 0.98, 0.98, "right", "top"),
               ("ensuite", 0.02, 0.02, "left", "bottom"), ("acquis", 0.98, 0.02, "right", "bottom"))
    for ax, wave in zip(axes[0], waves):
        d = data[data["vague"] == wave]
        for r in d.itertuples():
            colour = PALETTE[1] if r.quadrant == "priorite" else PALETTE[0]
            ax.errorbar(r.performance, r.importance, yerr=[[r.importance - r.ic_bas], [r.ic_haut - r.importance]],
                        fmt="o", color=colour, ecolor=colour, elinewidth=1.5, capsize=3, markersize=8, alpha=0.9)
            ax.annotate(labels.get(r.dimension, r.dimension), (r.performance, r.importance), xytext=(7, 4),
                        textcoords="offset points", fontsize=9, color="black")
        if len(d):
            ax.axvline(float(d["seuil_performance"].iloc[0]), color="dimgray", linestyle="--", linewidth=1)
            ax.axhline(float(d["seuil_importance"].iloc[0]), color="dimgray", linestyle="--", linewidth=1)
        ax.axhline(1.0, color="black", linestyle=":", linewidth=0.8)
        for key, x, y, ha, va in corners:
            ax.text(x, y, quadrant_labels.get(key, key), transform=ax.transAxes, ha=ha, va=va, fontsize=8.5,
                    color=PALETTE[1] if key == "priorite" else "dimgray",
                    fontweight="bold" if key == "priorite" else "normal")
        ax.set_title(f"Vague {wave}" if len(d) else f"Vague {wave} (modèle non estimé)", fontsize=11)
        ax.set_yscale("log")
        ax.set_xlabel("Performance : part de satisfaits")
        french_percent_axis(ax, "x")
        sns.despine(ax=ax)
    ax0 = axes[0, 0]
    ax0.set_ylim(min(lo, 1.0) / 1.4, hi * 1.6)
    ax0.set_xlim(max(0.0, pmin - 0.12), min(1.0, pmax + 0.12))
    ticks = [t for t in (0.25, 0.5, 1, 2, 5, 10, 20, 50, 100) if min(lo, 1.0) / 1.4 <= t <= hi * 1.6]
    ax0.yaxis.set_major_locator(FixedLocator(ticks))
    ax0.yaxis.set_minor_locator(NullLocator())
    ax0.yaxis.set_major_formatter(FuncFormatter(lambda v, _: formats.number(v, 0 if v >= 1 else 2)))
    ax0.set_ylabel("Importance : rapport de cotes (échelle log.)")
    fig.suptitle(title, fontweight="bold", fontsize=12)
    fig.text(0.01, 0.01, "Points : estimation ; barres : intervalle de confiance à 95 % du rapport de cotes ; "
             "pointillés : moyennes des dimensions de la vague ; ligne en points : rapport de cotes de 1 (aucun lien).",
             fontsize=8, color="dimgray")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    for ax in axes[0]:  # labels of close dimensions moved apart once the layout is final
        avoid_overlaps(fig, ax=ax)
    return fig

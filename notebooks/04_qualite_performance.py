# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
milestone = None    # un jalon du calendrier (calendrier.csv) ; None : le dernier
raw_dir = None      # dossier des données brutes (défaut : config/observatoire.yml)
out_dir = None      # dossier de sortie (défaut : reports/<milestone>)
diffusion = "copil"  # niveau de diffusion : "copil" ou "restreinte" (DRH et CoTA)

# %%
from IPython.display import Markdown, display

from ducos_lib import linkage, privacy
from ducos_lib.config import load_config
from ducos_lib.reports import charts, formats, page
from ducos_lib.reports import qualite_performance as qp

ctx = page.start(milestone, raw_dir, out_dir)
milestone, ms, raw_dir, out_dir = ctx.milestone, ctx.data, ctx.raw_dir, ctx.out_dir
cfg = load_config("observatoire")
cfg_qp = linkage.settings(cfg["qualite_performance"])
seuil_agents = privacy.confidentiality_threshold()
seuil_enquete = cfg["enquete"]["seuil_masquage"]
display(Markdown(f"# Qualité de service et performance — jalon {milestone}\n\n"
                 f"Données arrêtées au {formats.date(ms.date, long=True)}. Ce rapport rapproche, service par "
                 "service, la qualité du service rendu aux usagers (enquête, immersions, indicateurs des services) "
                 "et des indicateurs sur les équipes (absentéisme, rotation, formation, progression des cadres), "
                 "pour voir si ces mesures évoluent ensemble — et dire ce que ces chiffres ne permettent pas de "
                 "conclure."))

# %%
# Calculs (ducos_lib.linkage) et tables publiées (DESIGN §4) ; le panel interne n'est jamais affiché.
# Les estimations de l'enquête par service sont lues dans la table du rapport 01 (même dossier de sortie)
# quand elle y est ; sinon elles sont calculées ici, et une note le dit.
panel = linkage.panel_from_milestone(ms, out_dir=out_dir)
resultats = linkage.quality_staff_correlations(panel, milestone=milestone)
publie = panel.published(milestone)
paires = linkage.main_pairs(resultats)
plusieurs_jalons = len(panel.milestones) > 1
mixte = linkage.mixed_model(panel, pairs=paires) if plusieurs_jalons and paires else None
n_services = int(resultats["n_services"].max()) if len(resultats) else 0
page.write_table(linkage.quality_performance_table(resultats), out_dir, "qualite_performance")
page.write_table(panel.published(), out_dir, "qualite_performance_panel")
if mixte is not None:
    page.write_table(qp.mixed_model_table(mixte), out_dir, "qualite_performance_modele_mixte")

# %%
points = qp.key_findings(resultats, n=3)
points.append(qp.summary_sentence(resultats))
sans_lien = qp.no_link_sentence(resultats)
if sans_lien:
    points.append(sans_lien)
if mixte is not None and len(mixte):
    points.append(qp.mixed_model_sentence(mixte.iloc[0]))
points.append("Ce sont des liens entre services, pas des causes : lire l'avertissement ci-dessous avant toute "
              "interprétation.")
page.key_findings([page.esc(p) for p in points])

# %% [markdown]
# ## À lire avant d'interpréter

# %%
display(page.warning("<strong>Attention.</strong> " + page.esc(qp.methodological_warning(
    n_services, len(panel.milestones), n_tests=int(resultats["rho"].notna().sum())))))
source = qp.survey_source_note(panel)
if panel.survey_error:
    display(page.warning(page.esc(source)))
elif source:
    display(page.note(page.esc(source)))

# %% [markdown]
# ## Carte des corrélations
#
# Chaque case croise une mesure de qualité de service (en ligne) et un indicateur RH (en colonne). Le nombre est
# le coefficient de corrélation de Spearman (rho), entre −1 et +1 : proche de −1, les services où l'indicateur RH
# est élevé ont une qualité plus basse ; proche de +1, une qualité plus haute ; proche de 0, pas de lien. Le bleu
# signale un lien négatif, le rouge un lien positif. Une case encadrée de noir, avec un astérisque, reste
# significative après l'ajustement pour tests multiples ; les autres peuvent être dues au hasard.

# %%
if resultats["rho"].notna().any():
    display(page.figure(charts.correlation_heatmap(resultats, title=f"Corrélations entre qualité de service et "
                                                     f"indicateurs RH — jalon {milestone}"),
                          alt=qp.heatmap_alt(resultats, milestone)))
else:
    display(page.note("Aucune corrélation n'a pu être calculée à ce jalon (trop peu de services disposent des "
                        "deux mesures)."))

# %% [markdown]
# ## Les liens les plus nets, service par service
#
# Pour les paires de mesures dont le lien est le plus marqué, chaque point est un service. Un service dont un
# chiffre est masqué (moins de 5 agents concernés) ou manquant n'est pas représenté.

# %%
if not paires:
    display(page.note("Aucune paire de mesures n'a pu être calculée à ce jalon."))
for q, r in paires:
    ligne = resultats[(resultats["indicateur_qualite"] == q) & (resultats["indicateur_rh"] == r)].iloc[0]
    display(page.figure(charts.pair_scatter(publie, r, q),
                          alt=qp.scatter_alt(publie, ligne), caption=qp.pair_caption(ligne)))

# %% [markdown]
# ## Suivi dans le temps : modèle mixte
#
# Une corrélation à un seul jalon compare les services entre eux. Quand les services ont été mesurés à plusieurs
# jalons, un modèle mixte utilise toutes les mesures à la fois, en tenant compte du fait que chaque service a son
# propre niveau habituel (un « effet service »). Il apporte deux choses : plus d'observations, donc une
# estimation plus précise, et une vérification que le lien ne tient pas à un seul jalon. Le coefficient se lit
# en écarts-types : −0,5 signifie qu'à un indicateur RH plus élevé d'un écart-type correspond une mesure de
# qualité plus basse d'un demi écart-type. Il ne prouve pas davantage une cause.

# %%
if mixte is None:
    display(page.note(f"Le jalon {milestone} est le premier : chaque service n'a été mesuré qu'une fois. Le modèle "
                        "mixte sera estimé à partir du jalon suivant."))
else:
    for _, ligne in mixte.iterrows():
        display(Markdown("- " + qp.mixed_model_sentence(ligne)))
    display(page.table(qp.mixed_model_display(mixte),
                           caption="Modèle mixte à ordonnée à l'origine aléatoire par service, paires principales"))
    par_jalon = linkage.correlations_by_milestone(panel, paires)
    display(page.table(qp.correlations_by_milestone_display(par_jalon),
                           caption="Corrélation (rho) des paires principales à chaque jalon ; * : significative "
                                   "après ajustement à ce jalon"))

# %% [markdown]
# ## Tableau des services
#
# Valeurs publiées à ce jalon. « secret » : chiffre portant sur moins de 5 agents (ou permettant de le
# retrouver), masqué pour la confidentialité ; « – » : mesure non disponible ; « < 10 rép. » : moins de 10
# répondants à l'enquête pour ce service, résultat non affiché.

# %%
display(page.table(qp.panel_display(panel, milestone, part="qualite"),
                       caption=f"Qualité de service par service — jalon {milestone}"))
display(page.table(qp.panel_display(panel, milestone, part="rh"),
                       caption=f"Indicateurs RH par service — jalon {milestone} (12 mois précédant l'extraction RH)"))
masquage = qp.masking_note(panel, milestone)
if masquage:
    display(page.note(page.esc(masquage)))

# %% [markdown]
# ## Détail des corrélations
#
# Toutes les paires comparées à ce jalon, des plus nettes aux moins nettes (table `qualite_performance.csv`).

# %%
page.table(qp.correlations_display(resultats),
               caption=f"Corrélations de Spearman entre mesures de qualité et indicateurs RH — jalon {milestone}")

# %% [markdown]
# ## Méthodologie

# %%
display(Markdown(
    f"**Unités et panel.** L'unité d'analyse est le service. Pour chaque service et chaque jalon jusqu'à {milestone} "
    f"({', '.join(panel.milestones)}), les mesures de qualité et les indicateurs RH sont rapprochés. Une mesure manquante "
    "reste manquante (rien n'est imputé) ; chaque corrélation utilise les services qui ont les deux mesures.\n\n"
    f"**Corrélation de Spearman.** Elle compare les classements des services plutôt que les valeurs brutes : elle "
    f"résiste aux valeurs extrêmes et ne suppose pas de lien en ligne droite. Une paire portant sur moins de "
    f"{cfg_qp['n_min_services']} services n'est pas calculée.\n\n"
    f"**Intervalle de confiance.** Bootstrap percentile à 95 % : les services sont tirés au hasard avec remise "
    f"{formats.number(cfg_qp['n_bootstrap'])} fois et l'intervalle couvre 95 % des corrélations obtenues.\n\n"
    f"**p-valeur.** Test de permutation bilatéral : les valeurs d'une mesure sont mélangées entre services "
    f"{formats.number(cfg_qp['n_permutations'])} fois ; la p-valeur est la part des mélanges qui donnent un lien au moins "
    f"aussi fort que celui observé. Les tirages utilisent une graine fixe ({cfg_qp['graine']}) : un nouveau calcul "
    "donne les mêmes chiffres.\n\n"
    f"**Tests multiples.** {qp.adjustment_paragraph()}\n\n"
    "**Intensité.** Selon |rho| (repères de Cohen) : moins de 0,1 négligeable, 0,1 à 0,3 faible, 0,3 à 0,5 "
    "modérée, 0,5 et plus forte.\n\n"
    "**Modèle mixte.** Sur plusieurs jalons, régression linéaire de la mesure de qualité sur l'indicateur RH, "
    "tous deux centrés-réduits, avec une ordonnée à l'origine aléatoire par service (statsmodels MixedLM, REML) ; "
    "intervalle de Wald à 95 %. Il est estimé pour les "
    f"{cfg_qp['n_paires_principales']} paires les plus nettes du jalon.\n\n"
    f"**Seuils.** Aucun chiffre RH portant sur moins de {seuil_agents} agents n'est publié (masquage secondaire "
    f"compris) ; un résultat d'enquête sur moins de {seuil_enquete} répondants n'est pas affiché ni utilisé. "
    "Les corrélations, qui ne décrivent aucun service en particulier, utilisent toutes les valeurs calculées."))
display(page.table(qp.definitions(panel), caption="Définition des mesures et période couverte"))

# %%
page.table(qp.coverage(panel, milestone), caption=f"Services disposant de chaque mesure — jalon {milestone}",
               columns={"famille": "Famille", "mesure": "Mesure", "services_avec_valeur": "Services avec une valeur",
                         "services_non_publies": "dont masqués dans les tableaux"})

# %%
ctx.provenance()

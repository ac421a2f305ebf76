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
from functools import partial

from IPython.display import Markdown, display

from ducos_lib import survey, text
from ducos_lib.config import load_config
from ducos_lib.registry import load_registry
from ducos_lib.reports import charts, formats, page
from ducos_lib.reports import enquete as report
from ducos_lib.reports import immersions as textes_rapport

ctx = page.start(milestone, raw_dir, out_dir)
milestone, ms, raw_dir, out_dir = ctx.milestone, ctx.data, ctx.raw_dir, ctx.out_dir
cfg = load_config()["enquete"]
alpha = float(cfg["alpha"])
registre = load_registry()
services = ms.service_labels()
display(Markdown(f"# Enquête de satisfaction des usagers — jalon {milestone}\n\n"
                 f"Données arrêtées au {formats.date(ms.date, long=True)}. Ce rapport présente ce que les habitants "
                 f"de Ducos pensent du service rendu par la mairie, d'après l'enquête menée par sondage à chaque jalon "
                 f"({', '.join(ms.waves)}). Les résultats sont **pondérés** pour représenter la population de la commune "
                 "(sexe, âge, quartier) et donnés avec leur **intervalle de confiance à 95 %** : la fourchette dans "
                 "laquelle se trouve très probablement la vraie valeur pour l'ensemble des habitants."))

# %%
# Calculs (ducos_lib.survey) et tables publiées (DESIGN §4). Les indicateurs sont ceux du registre
# config/indicateurs.yml.
enquete = ms.enquete_usagers
pop = ms.population_reference
groupes = {"service": list(ms.services["code_service"])}
designs = survey.wave_designs(enquete, pop, config=cfg)
vagues = [w for w in ms.waves if w in designs]
vague = vagues[-1]
estimations = survey.estimations_enquete(enquete, pop, designs=designs, config=cfg, groups=groupes, registry=registre)
comparaisons = survey.comparaisons_enquete(enquete, pop, vagues, designs=designs, config=cfg, groups=groupes,
                                           registry=registre)
diagnostics = survey.diagnostics_ponderation(enquete, pop, designs=designs, config=cfg)
marges = survey.marges_ponderation(enquete, pop, designs=designs, config=cfg)
repartitions = survey.repartitions_likert(designs, survey.likert_items(registre), alpha=alpha)
determinants = survey.determinants_enquete(designs, survey.driver_dimensions(registre), alpha=alpha)
attente = survey.quantiles_attente(designs, alpha=alpha)
affichage = survey.signaler_effectifs(estimations, config=cfg)
affichage["libelle"] = [report.group_label(gv, g, services)
                        for gv, g in zip(affichage["groupe_variable"], affichage["groupe"])]
tables = {"enquete_estimations": estimations, "enquete_comparaisons": comparaisons,
          "enquete_ponderation": diagnostics, "enquete_marges": marges, "enquete_determinants": determinants}
if attente["estimation"].notna().any():
    tables["enquete_attente"] = attente
for nom, table in tables.items():
    page.write_table(table, out_dir, nom)

# %%
page.key_findings(report.key_findings(estimations, comparaisons, vague, margins=marges, diagnostics=diagnostics,
                                      drivers=determinants, service_labels=services, config=cfg, registry=registre))

# %%
if vague != milestone:
    display(page.warning(f"Aucune réponse de la vague {milestone} n'a été reçue : les résultats ci-dessous sont "
                          f"ceux de la dernière vague disponible ({vague})."))

# %% [markdown]
# ## Qui a répondu ?
#
# Les personnes qui répondent à une enquête ne ressemblent jamais exactement à la population : certaines
# catégories répondent plus volontiers que d'autres. Pour corriger ces écarts, chaque réponse reçoit un
# **poids** : les catégories sous-représentées comptent un peu plus, les catégories sur-représentées un peu
# moins, de sorte que l'échantillon pondéré ait la même composition que la population de Ducos par sexe,
# tranche d'âge et quartier.

# %%
m = marges[marges["vague"] == vague]
fig = charts.sample_margins(
    m, title=f"Qui a répondu ? Répondants de la vague {vague} et population de Ducos",
    variable_labels=report.GROUP_LABELS, modalite_label=report.group_label)
page.figure(fig, alt=report.margins_alt(m, vague))

# %%
page.table(report.margins_table(m), caption=f"Composition des répondants (vague {vague}) et de la population",
           columns=report.MARGIN_COLUMNS,
           formatters={"part_population": formats.percent, "part_brute": formats.percent,
                       "part_ponderee": formats.percent, "effectif_population": formats.number,
                       "n_repondants": formats.number})

# %% [markdown]
# ## Satisfaction globale
#
# Trois façons de lire la question « Globalement, êtes-vous satisfait du service rendu par la mairie ? »
# (réponses de 1 = très insatisfait à 5 = très satisfait) : la **note moyenne** sur 5 ; la **part de satisfaits**
# (réponses 4 ou 5) ; le **taux net de satisfaction**, part de satisfaits moins part d'insatisfaits (réponses 1 ou
# 2), exprimé en points : positif quand les satisfaits l'emportent.

# %%
page.table(report.overall_table(estimations, vagues, registre),
           caption="Satisfaction globale, ensemble de la commune, par vague")

# %% [markdown]
# ## Satisfaction par dimension du service
#
# Chaque barre montre la répartition pondérée des réponses à une question : à gauche du trait vertical les
# insatisfaits (rouge), à droite les satisfaits (bleu) ; les réponses « ni satisfait ni insatisfait » (gris) sont
# réparties de part et d'autre du trait. Le chiffre en gras à droite est la part de satisfaits. Les personnes
# ayant répondu « ne sait pas » sont exclues de la question concernée.

# %%
rep = repartitions[repartitions["vague"].isin(vagues[-2:])]
vagues_fig = list(dict.fromkeys(rep["vague"]))
fig = charts.likert_diverging(
    rep, item_labels={q: report.question_label(q, registre) for q in survey.likert_items(registre)},
    level_labels=report.LEVEL_LABELS,
    title="Répartition pondérée des réponses par dimension" + (
        f" (vagues {' et '.join(vagues_fig)})" if len(vagues_fig) > 1 else f" (vague {vague})"))
page.figure(fig, alt=report.likert_alt(estimations, vague, vagues_fig, registre))

# %%
page.table(report.dimensions_table(estimations, vague, registre),
           caption=f"Indicateurs de chaque dimension du service (vague {vague})")

# %% [markdown]
# ## Ce qui fait la satisfaction
#
# Toutes les dimensions du service ne pèsent pas autant dans le jugement d'ensemble des habitants. Le graphique
# place chaque dimension selon deux mesures : son **importance** (axe vertical : à quel point être satisfait de
# cette dimension va avec le fait d'être satisfait du service dans son ensemble) et sa **performance** (axe
# horizontal : la part d'usagers satisfaits de cette dimension). En haut à gauche se trouvent les dimensions qui
# comptent beaucoup et satisfont peu : ce sont elles qu'il faut **améliorer en priorité**. La méthode est
# expliquée à la fin du rapport.

# %%
display(Markdown(report.driver_summary(determinants, vague, registre)))

# %%
fig = charts.driver_matrix(report.driver_quadrants(determinants),
                           labels={q: report.question_label(q, registre) for q in survey.driver_dimensions(registre)},
                           quadrant_labels=report.QUADRANTS)
page.figure(fig, alt=report.driver_alt(determinants, vagues, registre))

# %%
page.table(report.driver_table(determinants, vagues, registre),
           caption="Importance (rapport de cotes) et performance (part de satisfaits) de chaque dimension, par vague")

# %% [markdown]
# ### Le temps d'attente
#
# La médiane est la durée que la moitié des usagers n'a pas dépassée ; le premier et le troisième quartile
# encadrent la moitié centrale des attentes déclarées (en minutes, au guichet ou au téléphone).

# %%
display(Markdown(report.waiting_time_sentence(attente, vague)))
if attente["estimation"].notna().any():
    display(page.table(report.waiting_time_table(attente.dropna(subset=["estimation"])),
                       caption="Temps d'attente déclaré (minutes) : médiane et quartiles pondérés, IC à 95 %"))

# %% [markdown]
# ## Résultats par service, quartier, âge et sexe
#
# Les résultats d'un groupe sont estimés à partir des seules réponses de ce groupe, qui sont moins nombreuses :
# leur intervalle de confiance est plus large. Règles de diffusion : un résultat reposant sur **moins de 30
# réponses** est signalé « faible effectif » (à lire avec prudence, en gris sur les graphiques) ; sur **moins
# de 10 réponses**, il n'est pas diffusé. Les services sont ceux que l'habitant a contactés en dernier.

# %%
ref = float(estimations[(estimations["vague"] == vague) & (estimations["groupe_variable"] == "ensemble")
                        & (estimations["indicateur"] == "satisfaction_globale_satisfaits")]["estimation"].iloc[0])
for gv, titre in (("service", "Par service contacté"), ("quartier", "Par quartier"),
                  ("tranche_age", "Par tranche d'âge"), ("sexe", "Par sexe")):
    display(Markdown(f"### {titre}"))
    d = affichage[(affichage["vague"] == vague) & (affichage["groupe_variable"] == gv)
                  & (affichage["indicateur"] == "satisfaction_globale_satisfaits")]
    fig = charts.group_estimates(
        d, title=f"Part de satisfaits — {report.GROUP_LABELS[gv].lower()} (vague {vague})",
        xlabel="Part de satisfaits (réponses 4 ou 5), intervalle de confiance à 95 %", reference=ref)
    display(page.figure(fig, alt=report.groups_alt(d, gv, vague, ref)))
    display(page.table(report.group_table(estimations, vague, gv, service_labels=services, config=cfg,
                                          registry=registre),
                       caption=f"{titre} : indicateurs suivis (vague {vague})", formatters={"Réponses": formats.number}))

# %% [markdown]
# ## Évolution depuis la première vague
#
# Chaque vague interroge un échantillon différent d'habitants : un écart entre deux vagues peut venir du hasard
# de l'échantillonnage. Un écart est dit **significatif** lorsqu'il est trop grand pour s'expliquer par ce hasard
# (p-valeur ajustée inférieure à 5 %). Comme on compare beaucoup d'indicateurs à la fois, les p-valeurs sont
# **ajustées** pour ne pas crier victoire par accident. « Pas de changement démontré » ne veut pas dire « aucun
# changement » : l'écart observé est compatible avec le hasard. Les intervalles de confiance des écarts, eux, ne
# sont pas ajustés : un intervalle qui exclut zéro peut donc aller avec « pas de changement démontré ».

# %%
if len(vagues) < 2:
    display(page.note(f"La vague {vague} est la première mesure : elle sert de point de départ. L'évolution sera "
                        "mesurée à partir du jalon suivant, en comparant chaque vague aux précédentes. La table "
                        "enquete_comparaisons.csv est publiée vide (en-têtes seuls)."))
else:
    parts = report.share_indicators(registre)
    fig = charts.wave_evolution(estimations, list(parts), labels=parts, waves=vagues,
                                title="Part de satisfaits par dimension, vague après vague")
    display(page.figure(fig, alt=report.evolution_alt(comparaisons, vagues, config=cfg, registry=registre)))
    display(page.table(report.evolution_table(comparaisons, estimations, config=cfg, registry=registre),
                       caption="Évolution des indicateurs, ensemble de la commune"))

# %%
if len(vagues) >= 2:
    display(Markdown("### Répartition complète des réponses\n\nLe test de Rao–Scott vérifie si l'ensemble des cinq "
                     "réponses possibles se répartit autrement d'une vague à l'autre (pas seulement la part de "
                     "satisfaits), en tenant compte de la pondération."))
    display(page.table(report.distribution_table(comparaisons, config=cfg, registry=registre),
                       caption="Tests de Rao–Scott sur la répartition des réponses (p-valeurs ajustées)"))
    display(Markdown("### Évolution par service\n\nNote moyenne de satisfaction globale. Avec une trentaine de "
                     "réponses par service et par vague, et un ajustement sur l'ensemble des services et indicateurs, "
                     "seuls de gros écarts peuvent être démontrés."))
    display(page.table(report.evolution_table(comparaisons, estimations, group_variable="service",
                                              indicators=["satisfaction_globale_moyenne"], service_labels=services,
                                              config=cfg, registry=registre),
                       caption="Évolution de la note moyenne de satisfaction globale par service"))

# %% [markdown]
# ## Recommandation
#
# « Sur une échelle de 0 à 10, recommanderiez-vous les services de la mairie à un proche ? » Au-delà de la
# moyenne, on distingue ceux qui recommanderaient volontiers (9 ou 10), les neutres (7 ou 8) et ceux qui ne
# recommanderaient plutôt pas (0 à 6).

# %%
reco = survey.repartition_recommandation(designs, alpha=alpha)
display(page.table(report.recommendation_table(estimations, reco, vagues, registre),
                   caption="Recommandation des services de la mairie, par vague (parts pondérées)"))
display(Markdown(report.recommendation_sentence(reco, vague)))

# %%
page.key_findings(report.suggestions(estimations, comparaisons, vague, service_labels=services, config=cfg,
                                     registry=registre),
                  title="Ce que les données suggèrent")

# %% [markdown]
# ## Commentaires des habitants
#
# Les commentaires libres sont classés automatiquement dans les thèmes d'une grille d'analyse **propre aux
# commentaires des habitants** (l'accueil, les délais, l'information, les démarches en ligne, le cadre de vie…) ;
# la grille des fiches d'immersion, qui décrit le travail vu par les agents, n'est pas utilisée ici. Un commentaire peut relever de
# plusieurs thèmes ou d'aucun (un simple « Bravo à toute l'équipe » ne dit pas sur quoi porte l'avis). Les extraits
# sont **anonymisés** avant publication : noms, téléphones, adresses électroniques et postales sont remplacés par
# [NOM], [TÉLÉPHONE], [EMAIL], [ADRESSE].

# %%
roster = text.load_roster(raw_dir)
codebook = text.load_codebook(text.codebook_path("usagers"))
codeur = text.coder_summary(codebook)  # modèle de codage des commentaires : version et accord à l'aveugle
ct = survey.themes_commentaires_enquete(enquete, vagues, codebook=codebook, roster=roster)
themes_csv = ct.counts.rename(columns={"groupe": "vague"})
themes_csv["libelle"] = themes_csv["theme"].map(codebook.labels())
page.write_table(themes_csv, out_dir, "enquete_commentaires_themes")
nb_com = survey.commentaires_par_vague(enquete, vagues)
page.table(nb_com, caption="Commentaires libres par vague",
           columns={"vague": "Vague", "n_repondants": "Répondants", "n_commentaires": "Commentaires",
                    "part": "Part des répondants ayant commenté"},
           formatters={"part": formats.percent})

# %%
com = enquete.loc[enquete["vague"].isin(vagues), "commentaire"].dropna().map(text.normalise)
codes = text.code_texts(com[com.str.len() > 0], codebook)
part_code = float(codes.any(axis=1).mean()) if len(codes) else float("nan")
display(page.table(report.themes_table(ct.counts, codebook.labels(), vagues),
                   caption="Thèmes des commentaires par vague : part des commentaires (nombre)"))
display(page.note(report.comments_note(part_code, codebook.version, textes_rapport.coder_sentence(codeur))))

# %%
ex = ct.examples[ct.examples["groupe"] == vague]
ex = ex.assign(Thème=ex["theme"].map(codebook.labels()))[["Thème", "citation"]].rename(columns={"citation": "Extrait (anonymisé)"})
page.table(ex, caption=f"Exemples de commentaires de la vague {vague}, par thème") if len(ex) else page.note(
    f"Aucun commentaire classé pour la vague {vague}.")

# %% [markdown]
# ## Qualité des données et efficacité de la pondération
#
# La pondération rend l'échantillon représentatif, mais elle a un coût : plus les poids sont inégaux, moins
# l'enquête est précise. L'**effectif équivalent** est le nombre de réponses d'un échantillon parfaitement
# représentatif qui donnerait la même précision ; l'**effet de plan** est le rapport entre le nombre de réponses
# et cet effectif équivalent (1 = aucune perte).

# %%
page.table(diagnostics[["vague", "n_repondants", "n_effectif", "effet_plan_ponderation", "poids_min", "poids_max",
                        "rapport_max_min", "iterations_ratissage"]],
           caption="Pondération de chaque vague",
           columns={"vague": "Vague", "n_repondants": "Réponses", "n_effectif": "Effectif équivalent",
                    "effet_plan_ponderation": "Effet de plan", "poids_min": "Poids minimal",
                    "poids_max": "Poids maximal", "rapport_max_min": "Rapport max / min",
                    "iterations_ratissage": "Itérations du calage"},
           formatters={"n_effectif": formats.number, "effet_plan_ponderation": partial(formats.number, decimals=2),
                       "poids_min": partial(formats.number, decimals=1), "poids_max": partial(formats.number, decimals=1),
                       "rapport_max_min": partial(formats.number, decimals=1)})

# %%
lu = ms.ingestion.datasets["enquete_usagers"]
rejets = ms.ingestion.rejects()
rejets = rejets[rejets["dataset"] == "enquete_usagers"] if len(rejets) else rejets
display(Markdown(f"Le fichier {lu.fichier} compte {formats.number(lu.n_lignes)} lignes : "
                 f"{formats.number(lu.n_acceptees)} retenues, {formats.number(lu.n_rejetees)} écartées. "
                 "Une réponse « ne sait pas » n'écarte pas la personne : elle est seulement exclue de la question."))
if len(rejets):
    display(page.table(rejets[["ligne", "colonne", "attendu"]],
                       caption="Lignes écartées du fichier d'enquête (ligne 1 = en-têtes)",
                       columns={"ligne": "Ligne", "colonne": "Colonne", "attendu": "Valeur attendue"}))
page.table(report.missing_answers_table(enquete, vagues, registre),
           caption="Part des répondants sans réponse ou « ne sait pas », par question")

# %% [markdown]
# ## Méthodologie

# %%
display(Markdown(report.methodology(cfg, registre) + "\n\n"
                 + report.comments_method(codebook, ct.codebook_version, textes_rapport.coder_sentence(codeur),
                                          textes_rapport.none_share_sentence(codeur))
                 + "\n\n" + report.published_tables([*tables, "enquete_commentaires_themes"])))

# %%
ctx.provenance()

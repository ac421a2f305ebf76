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

from ducos_lib import barometer, privacy, text
from ducos_lib.reports import barometre as rb
from ducos_lib.reports import charts, formats, page

ctx = page.start(milestone, raw_dir, out_dir)
milestone, ms, raw_dir, out_dir = ctx.milestone, ctx.data, ctx.raw_dir, ctx.out_dir
seuil = privacy.confidentiality_threshold()
roster = text.load_roster(raw_dir)  # noms du fichier RH brut, pour anonymiser les citations (jamais affichés)
premier = ms.waves[0]
display(Markdown(f"# Baromètre des agents — jalon {milestone}\n\n"
                 f"Données arrêtées au {formats.date(ms.date, long=True)}. Le baromètre est un questionnaire anonyme "
                 "proposé à tous les agents : sens du travail, reconnaissance, soutien de l'encadrant, cohésion, charge "
                 "de travail, information, équipements et intention de rester, notés de 1 (pas du tout d'accord) à 5 "
                 "(tout à fait d'accord), plus un commentaire libre. Il mesure deux objectifs du programme : la qualité "
                 "de vie au travail et la mobilisation des agents autour de projets communs."))

# %%
# Calculs (ducos_lib.barometer) et tables publiées (DESIGN §4).
tables = barometer.barometer_tables(ms)
if tables is not None:
    vagues = list(dict.fromkeys(tables["estimations"]["vague"]))
    derniere = vagues[-1]
    page.write_table(tables["estimations"], out_dir, "barometre_estimations")
    page.write_table(tables["comparaisons"], out_dir, "barometre_comparaisons")
    reponses = tables["reponses"]
    commentaires = text.themes_commentaires(reponses["commentaire"], reponses["vague"], roster=roster)
    themes = text.load_codebook().labels()

# %%
if tables is None:
    display(page.warning("Aucune réponse au baromètre des agents jusqu'à ce jalon (fichier barometre_agents absent ou "
                         "sans vague datée avant le jalon) : cette section sera remplie à la première vague."))
else:
    display(page.key_findings(rb.key_findings(tables, milestone, premier)))

# %% [markdown]
# ## Participation
#
# Tous les agents présents à la date de la vague sont invités. La participation est rapportée à l'effectif de chaque
# direction dans l'extraction RH la plus récente avant la vague.

# %%
if tables is not None:
    display(rb.rates_table(tables["taux"], seuil))
    display(page.note(rb.METHOD_NOTE))

# %% [markdown]
# ## Résultats par vague
#
# Pour chaque question : la note moyenne sur 5 et la part d'avis favorables (4 ou 5), avec leur intervalle de confiance
# à 95 %, pour l'ensemble des agents.

# %%
if tables is not None:
    est = tables["estimations"]
    favorables = [barometer.indicator(i, "favorables") for i in barometer.ITEMS]
    display(page.figure(
        charts.wave_evolution(est, favorables, labels={barometer.indicator(i, "favorables"): rb.item_label(i)
                                                       for i in barometer.ITEMS},
                              title="Part d'avis favorables (4 ou 5) par vague", ylabel="Avis favorables", ncols=4),
        alt=rb.alt_items(est, vagues)))
    for vague in vagues:
        display(page.table(rb.results_table(est, vague), caption=f"Baromètre des agents, vague {vague}"))

# %% [markdown]
# ## Évolutions entre vagues

# %%
if tables is not None and len(tables["comparaisons"]):
    display(page.table(rb.evolution_table(tables["comparaisons"]),
                       caption=f"Évolution des avis favorables depuis la vague {premier}"))
    display(page.note("« nette » : la p-valeur ajustée pour tests multiples (Holm) est inférieure à 5 % ; l'intervalle "
                      "est celui de l'écart entre les deux vagues."))
elif tables is not None:
    display(page.note("Une seule vague pour l'instant : les évolutions seront présentées à la vague suivante."))

# %% [markdown]
# ## Par direction

# %%
if tables is not None:
    for vague in vagues:
        par_direction = rb.direction_table(tables["estimations"], vague)
        if len(par_direction):
            display(page.table(par_direction, caption=f"Part d'avis favorables par direction, vague {vague}"))
    display(page.note(rb.direction_note(seuil)))

# %% [markdown]
# ## Ce que disent les commentaires
#
# Les commentaires libres sont anonymisés (noms, téléphones, adresses électroniques) puis classés selon les thèmes du
# codebook des agents (un commentaire peut relever de plusieurs thèmes). Seuls des extraits anonymisés sont cités.

# %%
if tables is not None:
    counts = commentaires.counts[commentaires.counts["n_commentaires"] > 0]
    display(page.table(rb.themes_table(counts, themes, seuil), caption="Thèmes des commentaires par vague"))
    display(page.table(rb.quotes_table(commentaires.examples, themes), caption="Exemples de commentaires (anonymisés)"))

# %%
ctx.provenance()

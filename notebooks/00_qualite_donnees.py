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

from ducos_lib.reports import charts, formats, page
from ducos_lib.reports import qualite_donnees as qd

ctx = page.start(milestone, raw_dir, out_dir)
milestone, ms, raw_dir, out_dir = ctx.milestone, ctx.data, ctx.raw_dir, ctx.out_dir
display(Markdown(f"# Qualité des données — jalon {milestone}\n\n"
                 f"Données arrêtées au {formats.date(ms.date, long=True)}. Ce rapport dit ce qui a été lu, "
                 "ce qui a été écarté et pourquoi, avant toute analyse."))

# %%
page.key_findings(qd.key_findings(ms))

# %% [markdown]
# ## Fichiers lus
#
# Chaque fichier du dossier de données est lu quel que soit son format (CSV en UTF-8, UTF-16, Windows-1252,
# Latin-9 ou Mac Roman, séparateur virgule, point-virgule ou tabulation, classeur Excel), puis contrôlé colonne
# par colonne. L'encodage et le séparateur sont devinés et indiqués ci-dessous.

# %%
files = qd.files_table(ms.ingestion)
page.write_table(files, out_dir, "qualite_fichiers")
page.table(files, caption="Fichiers du dossier de données et lignes retenues")

# %% [markdown]
# ## Constats de lecture
#
# Ce que la lecture a dû deviner ou écarter, fichier par fichier : encodage et séparateur reconnus, feuille du
# classeur lue, unité de la quotité (pourcentage ou fraction), lignes de total ou « Ensemble » écartées,
# cellules en erreur Excel, colonnes inconnues, et fichiers du dossier qui ne correspondent à aucun jeu de
# données. Vérifiez ces constats avant de lire les analyses.

# %%
reading = qd.notes_table(ms.ingestion)
page.write_table(reading, out_dir, "qualite_constats")
page.table(reading, caption="Constats de lecture des fichiers") if len(reading) else page.note("Rien à signaler.")

# %% [markdown]
# ## Lignes écartées et motifs
#
# Une ligne dont une valeur ne respecte pas le format attendu est mise en quarantaine : elle n'entre dans
# aucune analyse, mais elle est conservée avec son motif pour être corrigée à la source. Les lignes sont
# numérotées comme dans un tableur (ligne 1 = en-têtes). Les valeurs personnelles ne sont jamais affichées.

# %%
reasons = qd.rejects_by_reason(ms.ingestion)
page.write_table(reasons, out_dir, "qualite_rejets")
page.table(reasons, caption="Valeurs rejetées par fichier, colonne et motif") if len(reasons) else page.note("Aucune valeur rejetée.")

# %%
examples = qd.rejected_values(ms.ingestion)
page.table(examples, caption="Premières valeurs rejetées") if len(examples) else None

# %% [markdown]
# ## Couverture par vague et par service

# %%
survey = qd.survey_coverage(ms)
if survey.empty:
    display(page.note("Enquête usagers absente."))
else:
    display(page.table(survey, caption="Réponses à l'enquête par service contacté et par vague"))
    fig = charts.barh_counts(survey["Service"], survey["Total"], title="Réponses par service contacté",
                            xlabel="Nombre de réponses")
    top = survey.sort_values("Total", ascending=False).iloc[0]
    display(page.figure(fig, alt=f"Barres horizontales du nombre de réponses à l'enquête par service contacté, "
                          f"toutes vagues jusqu'à {milestone} ; le plus cité est {top['Service']} "
                          f"avec {formats.number(top['Total'])} réponses."))

# %%
forms = qd.forms_coverage(ms)
page.table(forms, caption="Fiches d'immersion par service d'accueil") if len(forms) else page.note(
    "Aucune fiche d'immersion datée avant ce jalon.")

# %%
hr = qd.hr_coverage(ms)
page.table(hr, caption="Extractions RH jusqu'au jalon (totaux uniquement)") if len(hr) else page.note(
    "Aucune extraction RH avant ce jalon.")

# %% [markdown]
# ## Valeurs manquantes
#
# Part des valeurs vides dans les lignes retenues. Une réponse « NSP » ou « Sans avis » à l'enquête est une
# valeur manquante : la personne est exclue de cette question seulement. Une date de sortie vide est normale
# pour un agent présent.

# %%
missing = qd.missing_values(ms)
page.table(missing, formatters={"Part manquante": formats.percent},
               caption="Colonnes comportant des valeurs manquantes") if len(missing) else page.note("Aucune valeur manquante.")

# %% [markdown]
# ## Méthodologie
#
# Les en-têtes sont reconnus après normalisation (casse, accents, ponctuation) ; les services sont rattachés à
# leur code par leur libellé ou leurs alias ; les libellés de satisfaction sont convertis en notes de 1 à 5.
# Les identifiants d'agents sont remplacés dès la lecture par un pseudonyme (empreinte à clé) et les noms
# supprimés ; seuls l'année et le mois de naissance sont conservés. Les textes libres (commentaires, fiches
# d'immersion) sont caviardés dès la lecture : noms, téléphones et adresses électroniques y sont remplacés par
# [NOM], [TÉLÉPHONE], [EMAIL] ; les fichiers bruts restent intacts. Au-delà de 20 % de lignes rejetées, un
# fichier n'est pas chargé ; une seule ligne invalide suffit à refuser le calendrier, dont les dates doivent
# croître strictement.

# %%
ctx.provenance()

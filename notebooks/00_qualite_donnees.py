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
milestone = "T12"   # jalon : "T0", "T6" ou "T12"
raw_dir = None      # dossier des données brutes (défaut : config/observatoire.yml)
out_dir = None      # dossier de sortie (défaut : reports/<milestone>)
diffusion = "copil"  # niveau de diffusion : "copil" ou "restreinte" (DRH et CoTA)

# %%
from IPython.display import Markdown, display

from ducos_lib import quality
from ducos_lib.reports import charts, formats, page

ctx = page.start(milestone, raw_dir, out_dir)
ms, raw_dir, out_dir = ctx.data, ctx.raw_dir, ctx.out_dir
display(Markdown(f"# Qualité des données — jalon {milestone}\n\n"
                 f"Données arrêtées au {formats.date(ms.date, long=True)}. Ce rapport dit ce qui a été lu, "
                 "ce qui a été écarté et pourquoi, avant toute analyse."))

# %%
page.key_findings(quality.key_findings(ms))

# %% [markdown]
# ## Fichiers lus
#
# Chaque fichier du dossier de données est lu quel que soit son format (CSV en UTF-8 ou Windows-1252,
# séparateur virgule, point-virgule ou tabulation, classeur Excel), puis contrôlé colonne par colonne.

# %%
files = quality.files_table(ms.ingestion)
page.write_table(files, out_dir, "qualite_fichiers")
page.table(files, caption="Fichiers du dossier de données et lignes retenues")

# %% [markdown]
# ## Lignes écartées et motifs
#
# Une ligne dont une valeur ne respecte pas le format attendu est mise en quarantaine : elle n'entre dans
# aucune analyse, mais elle est conservée avec son motif pour être corrigée à la source. Les lignes sont
# numérotées comme dans un tableur (ligne 1 = en-têtes). Les valeurs personnelles ne sont jamais affichées.

# %%
reasons = quality.rejects_by_reason(ms.ingestion)
page.write_table(reasons, out_dir, "qualite_rejets")
page.table(reasons, caption="Valeurs rejetées par fichier, colonne et motif") if len(reasons) else page.note("Aucune valeur rejetée.")

# %%
examples = quality.rejected_values(ms.ingestion)
page.table(examples, caption="Premières valeurs rejetées") if len(examples) else None

# %% [markdown]
# ## Couverture par vague et par service

# %%
survey = quality.survey_coverage(ms)
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
forms = quality.forms_coverage(ms)
page.table(forms, caption="Fiches d'immersion par service d'accueil") if len(forms) else page.note(
    "Aucune fiche d'immersion datée avant ce jalon.")

# %%
hr = quality.hr_coverage(ms)
page.table(hr, caption="Extractions RH jusqu'au jalon (totaux uniquement)") if len(hr) else page.note(
    "Aucune extraction RH avant ce jalon.")

# %% [markdown]
# ## Valeurs manquantes
#
# Part des valeurs vides dans les lignes retenues. Une réponse « NSP » ou « Sans avis » à l'enquête est une
# valeur manquante : la personne est exclue de cette question seulement. Une date de sortie vide est normale
# pour un agent présent.

# %%
missing = quality.missing_values(ms)
page.table(missing, formatters={"Part manquante": formats.percent},
               caption="Colonnes comportant des valeurs manquantes") if len(missing) else page.note("Aucune valeur manquante.")

# %% [markdown]
# ## Méthodologie
#
# Les en-têtes sont reconnus après normalisation (casse, accents, ponctuation) ; les services sont rattachés à
# leur code par leur libellé ou leurs alias ; les libellés de satisfaction sont convertis en notes de 1 à 5.
# Les identifiants d'agents sont remplacés dès la lecture par un pseudonyme (empreinte à clé) et les noms
# supprimés ; seuls l'année et le mois de naissance sont conservés. Au-delà de 20 % de lignes rejetées, un
# fichier n'est pas chargé.

# %%
ctx.provenance()

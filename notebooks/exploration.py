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

# %% [markdown]
# # Exploration — point de départ
#
# Notebook d'exploration pour les analystes (il n'est pas exécuté par `ducos run`). Il charge les données
# traitées d'un jalon et montre les appels principaux de la bibliothèque `ducos_lib`. Ouvrez-le avec
# `make lab` : les modifications de `ducos_lib/` sont rechargées sans redémarrer le noyau.
#
# Les données sont **pseudonymisées** : n'affichez ni n'exportez de lignes individuelles d'agents.

# %%
from ducos_lib import hr, linkage, survey, text
from ducos_lib.ingest import load_milestone

ms = load_milestone("T12")          # ingère data/raw/sample si besoin, puis filtre pour le jalon
ms.waves, ms.date, {k: len(v) for k, v in vars(ms).items() if hasattr(v, "shape")}

# %% [markdown]
# ## Enquête usagers : un plan de sondage, des estimateurs

# %%
designs = survey.wave_designs(ms.enquete_usagers, ms.population_reference)   # une vague = un plan ratissé
t12 = designs["T12"]
survey.weighting_summary(t12)

# %%
survey.mean(t12, "satisfaction_globale", na_rm=True)     # moyenne, erreur type linéarisée, IC (NSP écartés)

# %%
survey.by(t12, "satisfaction_globale", by="service", na_rm=True)  # par domaine (jamais un sous-ensemble filtré)

# %%
estimations = survey.estimations_enquete(ms.enquete_usagers, ms.population_reference, designs=designs)
estimations.query("groupe_variable == 'ensemble'").head(14)

# %% [markdown]
# ## Fiches d'immersion : codage thématique

# %%
roster = text.load_roster(ms.ingestion.raw_dir)          # noms du fichier RH, pour caviarder les citations
codage = text.code_fiches(ms.fiches_immersion)
text.theme_coverage(ms.fiches_immersion, codage)

# %%
text.representative_quotes(ms.fiches_immersion, codage, n=1, champ="propositions", roster=roster).head()

# %% [markdown]
# ## Ressources humaines (figures masquées sous 5 agents)

# %%
rh = hr.indicators_table(ms.rh_agents_historique, ms.rh_absences)
rh.query("groupe_variable == 'ensemble'")

# %% [markdown]
# ## Qualité ↔ performance

# %%
panel = linkage.panel_from_milestone(ms)
resultats = linkage.quality_staff_correlations(panel)
linkage.quality_performance_table(resultats).sort_values("p_ajustee").head()

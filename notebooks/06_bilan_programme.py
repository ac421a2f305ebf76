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
import pandas as pd
from IPython.display import Markdown, display

from ducos_lib import barometer, privacy, synthesis
from ducos_lib import objectives as ob
from ducos_lib import practices as pr
from ducos_lib.reports import bilan as rb
from ducos_lib.reports import formats, page

ctx = page.start(milestone, raw_dir, out_dir)
milestone, ms, raw_dir, out_dir = ctx.milestone, ctx.data, ctx.raw_dir, ctx.out_dir
seuil = privacy.confidentiality_threshold()
objectifs = ob.load_objectives()
jalons = synthesis.milestone_order(ms.dates, milestone)   # les jalons du calendrier jusqu'à celui-ci
premier, dernier_du_cycle = jalons[0], milestone == max(ms.dates, key=ms.dates.get)
display(Markdown(f"# Bilan du programme — jalon {milestone}\n\n"
                 f"Données arrêtées au {formats.date(ms.date, long=True)}. Le programme s'est fixé quatre objectifs "
                 "généraux et une finalité ; le comité technique (CoTA) leur a associé des indicateurs et des cibles "
                 "(`config/objectifs.yml`). Ce rapport compare chaque indicateur à sa cible, en tenant compte de "
                 "l'incertitude, et rappelle ce qui a été fait à chaque phase."
                 + (" **Dernier jalon du cycle : c'est le bilan du programme.**" if dernier_du_cycle else "")))

# %%
# Séries des indicateurs : tables publiées par les rapports du jalon (enquête, RH) et calculs directs
# (baromètre, séminaire, auto-évaluations, immersions).
tables = ob.read_tables(out_dir, milestone, ["enquete_estimations", "enquete_comparaisons", "rh_indicateurs"])
baro = barometer.barometer_tables(ms)
if baro is not None:
    tables["barometre_estimations"] = baro["estimations"]
    tables["barometre_comparaisons"] = baro["comparaisons"]
seminaire = pr.seminar_summary(ms.bilan_seminaire) if ms.bilan_seminaire is not None and len(ms.bilan_seminaire) else None
paires = pr.paired_ratings(ms.autoevaluations) if ms.autoevaluations is not None and len(ms.autoevaluations) else None
series = pd.concat([ob.series_from_tables(tables, {j: ms.dates[j] for j in jalons}),
                    ob.seminar_series(seminaire, milestone), ob.self_evaluation_series(paires, milestone),
                    ob.immersion_series(ms.fiches_immersion, milestone)], ignore_index=True)
changes = ob.changes_from_comparisons(tables.get("enquete_comparaisons"), tables.get("barometre_comparaisons"))
bilan = ob.assess(objectifs, series, jalons, changes=changes)
statut = ob.objective_status(bilan)
page.write_table(bilan[ob.COLUMNS], out_dir, "bilan_objectifs")
realisations = ob.activity(ms, None if baro is None else baro["reponses"])
historique = synthesis.objective_statuses(ob.published_folder(out_dir, milestone).parent, jalons[:-1])
historique = (statut[["objectif", "statut"]].rename(columns={"statut": milestone}) if historique.empty else
              historique.drop(columns=[milestone], errors="ignore").merge(
                  statut[["objectif", "statut"]].rename(columns={"statut": milestone}), on="objectif", how="right"))
absentes = [n for n in ("enquete_estimations", "rh_indicateurs") if n not in tables]

# %%
display(page.key_findings(rb.key_findings(bilan, statut, objectifs, milestone, last=dernier_du_cycle, first=premier)))
if absentes:
    display(page.warning("Tables absentes pour ce jalon : " + ", ".join(absentes) + " (rapports de l'enquête ou RH non "
                         "publiés) ; leurs indicateurs sont « non mesurables »."))

# %% [markdown]
# ## Statut des objectifs
#
# Chaque objectif est suivi à chaque jalon ; le statut combine ceux de ses indicateurs.

# %%
display(rb.status_block(statut, objectifs, historique))
display(rb.status_block(statut, objectifs))
display(page.note(rb.STATUS_NOTE))

# %% [markdown]
# ## Indicateurs et cibles
#
# Pour chaque indicateur : sa valeur au jalon de référence, sa dernière valeur avec son intervalle de confiance à 95 %,
# la cible fixée par le CoTA et le statut. Le statut est écrit en toutes lettres, la couleur ne fait que le souligner.

# %%
display(rb.objectives_table(bilan, objectifs, milestone))

# %% [markdown]
# ## Ce qui a été fait
#
# Les réalisations de chaque phase du programme jusqu'à ce jalon.

# %%
display(rb.activity_table(realisations, seuil))
display(page.note(f"Les nombres d'agents inférieurs à {seuil} ne sont pas publiés (« moins de {seuil} »)."))

# %%
ctx.provenance()

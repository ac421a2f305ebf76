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
import pandas as pd
from IPython.display import Markdown, display

from ducos_lib import hr, privacy
from ducos_lib.config import load_config
from ducos_lib.reports import charts, formats, page

ctx = page.start(milestone, raw_dir, out_dir)
ms, raw_dir, out_dir = ctx.data, ctx.raw_dir, ctx.out_dir
seuil = privacy.seuil_confidentialite()
cfg_rh = load_config("observatoire")["rh"]
services = ms.service_labels()
a_rh = ms.rh_agents is not None and len(ms.rh_agents) > 0
SANS_RH = f"Aucune extraction RH n'est disponible à la date du jalon {milestone} : cette section est vide."
display(Markdown(f"# Ressources humaines et GPEC — jalon {milestone}\n\n"
                 f"Données arrêtées au {formats.date(ms.date, long=True)}. Ce rapport décrit les effectifs de la "
                 "commune (à la manière du rapport social unique) et les départs à la retraite à prévoir (GPEC : "
                 "gestion prévisionnelle des emplois et des compétences), pour repérer tôt les métiers fragiles. "
                 f"Aucun chiffre ne porte sur moins de {seuil} agents : ces cases sont remplacées par "
                 f"« secret (< {seuil}) »."))

# %%
# Calculs (ducos_lib.hr) et tables publiées (DESIGN §4), masquées (DESIGN §6).
if a_rh:
    d = ms.rh_agents["date_extraction"].max()
    jalons = hr.extractions_des_jalons(ms.rh_agents_historique, {m: ms.dates[m] for m in ms.waves})
    d_prec = ([x for x in jalons.values() if x < d] or [None])[-1]
    indicateurs = hr.tableau_indicateurs_rh(ms.rh_agents_historique, ms.rh_absences)
    departs = hr.tableau_departs_projetes(ms.rh_agents_historique)
    cumuls = hr.departs_cumules(hr.tableau_departs_projetes(ms.rh_agents_historique, masquer=False), departs, d,
                                fenetres=(cfg_rh["fenetre_risque_annees"], cfg_rh["horizon_annees"]))
    pyr = hr.pyramide_ages(ms.rh_agents, d)
    metiers = hr.metiers_a_risque(ms.rh_agents, d, masquer=True)
    page.write_table(pyr, out_dir, "rh_pyramide")
    page.write_table(metiers[metiers["a_risque"]], out_dir, "rh_metiers_a_risque")
else:
    indicateurs = pd.DataFrame(columns=hr.COLONNES_INDICATEURS)
    departs = pd.DataFrame(columns=hr.COLONNES_DEPARTS)
page.write_table(indicateurs, out_dir, "rh_indicateurs")
_ = page.write_table(departs, out_dir, "rh_departs_projetes")

# %%
page.key_findings(hr.constats_rh(indicateurs, d, cumuls=cumuls, metiers=metiers, date_precedente=d_prec) if a_rh
                else [f"Aucune extraction RH n'est disponible au {formats.date(ms.date)} (jalon {milestone}) : "
                      "ce rapport ne contient pas d'indicateur RH."])

# %% [markdown]
# ## Structure des effectifs
#
# Agents présents à la date de l'extraction RH, tous statuts confondus, en nombre et en équivalents temps plein
# (ETP : un agent à 80 % compte pour 0,8).

# %%
if not a_rh:
    display(page.note(SANS_RH))
else:
    display(Markdown(f"Extraction RH du {formats.date(d, long=True)}."))
    for variable in ("statut", "categorie", "filiere", "sexe", "service"):
        display(page.table(
            hr.structure_effectifs(indicateurs, d, variable, libelles_services=services).drop(columns="masque"),
            caption=f"Effectifs par {hr.LIBELLES_VARIABLES[variable].lower()}",
            columns={"groupe": hr.LIBELLES_VARIABLES[variable], "effectif": "Agents", "etp": "ETP",
                      "part_effectif": "Part de l'effectif", "age_moyen": "Âge moyen (ans)",
                      "part_encadrants": "Part d'encadrants"},
            formatters={"effectif": hr.format_masque(0), "etp": hr.format_masque(1),
                              "part_effectif": hr.format_masque(1, pourcent=True), "age_moyen": hr.format_masque(1),
                              "part_encadrants": hr.format_masque(1, pourcent=True)}))

# %% [markdown]
# ## Pyramide des âges
#
# Âge en années révolues à la date de l'extraction, par tranches de 5 ans : hommes à gauche, femmes à droite.
# Une tranche extrême de moins de 5 agents est regroupée avec sa voisine ; une case de moins de 5 agents n'est
# pas dessinée (mention « < 5 »).

# %%
if not a_rh or pyr.empty:
    display(page.note(SANS_RH))
else:
    display(page.figure(charts.age_pyramid(pyr, title=f"Pyramide des âges au {formats.date(d)}", seuil=seuil),
                          alt=hr.alt_pyramide(pyr, d)))

# %% [markdown]
# ## Absentéisme et rotation
#
# Taux calculés sur les 12 mois qui précèdent chaque extraction, pour les agents permanents (titulaires,
# stagiaires, contractuels permanents). L'absentéisme « compressible » réunit la maladie ordinaire et les
# accidents du travail, sur lesquels l'organisation du travail et le management peuvent agir. La rotation
# mesure le renouvellement des agents permanents : (arrivées + départs) / 2, rapporté à l'effectif du début
# de la période.

# %%
if not a_rh:
    display(page.note(SANS_RH))
elif ms.rh_absences is None:
    display(page.note("Le fichier des absences n'a pas été fourni : l'absentéisme ne peut pas être calculé."))
else:
    motifs = hr.absenteisme_par_motif(indicateurs, d)
    display(page.figure(charts.absenteeism_by_reason(motifs, title=f"Absentéisme par motif, 12 mois au {formats.date(d)}"),
                          alt=hr.alt_motifs(motifs, d)))

# %%
if a_rh:
    evo = hr.tableau_evolution(indicateurs, dates=jalons, indicateurs_suivis=(
        "taux_absenteisme", "taux_absenteisme_compressible", "taux_rotation"))
    display(page.table(evo, caption="Absentéisme et rotation à chaque jalon (en %)",
                           columns={"indicateur": "Indicateur", "evolution": "Évolution depuis le jalon précédent (points)"},
                           formatters={c: hr.format_masque(2, signe=c == "evolution")
                                             for c in evo.columns if c != "indicateur"}))
    if len(jalons) < 2:
        display(page.note("Premier jalon avec des données RH : l'évolution sera présentée aux jalons suivants."))
    display(page.table(
        hr.tableau_par_groupe(indicateurs, d, "service", ("taux_absenteisme", "taux_absenteisme_compressible",
                                                          "taux_rotation"), libelles_services=services),
        caption=f"Absentéisme et rotation par service, 12 mois au {formats.date(d)}",
        columns={"groupe": "Service", "taux_absenteisme": "Absentéisme", "taux_absenteisme_compressible":
                  "dont compressible", "taux_rotation": "Rotation"},
        formatters={c: hr.format_masque(1, pourcent=True) for c in
                          ("taux_absenteisme", "taux_absenteisme_compressible", "taux_rotation")}))

# %% [markdown]
# ## Formation et encadrement

# %%
if not a_rh:
    display(page.note(SANS_RH))
else:
    evo = hr.tableau_evolution(indicateurs, dates=jalons, indicateurs_suivis=(
        "effectif", "etp", "age_moyen", "heures_formation_par_agent", "part_encadrants", "part_femmes_encadrants"))
    display(page.table(evo, caption="Effectifs, formation et encadrement à chaque jalon",
                           columns={"indicateur": "Indicateur", "evolution": "Évolution depuis le jalon précédent"},
                           formatters={c: hr.format_masque(1, signe=c == "evolution", auto=True)
                                             for c in evo.columns if c != "indicateur"}))
    display(page.table(
        hr.tableau_par_groupe(indicateurs, d, "categorie", ("heures_formation_par_agent", "part_encadrants",
                                                            "part_femmes_encadrants")),
        caption="Formation et encadrement par catégorie",
        columns={"groupe": "Catégorie", "heures_formation_par_agent": "Heures de formation par agent",
                  "part_encadrants": "Part d'encadrants", "part_femmes_encadrants": "Part de femmes parmi les encadrants"},
        formatters={"heures_formation_par_agent": hr.format_masque(1),
                          "part_encadrants": hr.format_masque(1, pourcent=True),
                          "part_femmes_encadrants": hr.format_masque(1, pourcent=True)}))

# %% [markdown]
# ## Emploi des travailleurs handicapés
#
# Les employeurs publics d'au moins 20 agents en équivalent temps plein doivent employer au moins 6 % de
# bénéficiaires de l'obligation d'emploi des travailleurs handicapés (BOE).

# %%
page.note((hr.phrase_boe(indicateurs, d) or "Taux non publiable (moins de 5 agents).") if a_rh else SANS_RH)

# %% [markdown]
# ## Départs à la retraite projetés
#
# Chaque agent présent part à la retraite à la date d'ouverture de ses droits (hypothèse « âge légal
# minimum ») ou à l'âge moyen de départ observé dans la fonction publique territoriale (hypothèse « âge moyen
# observé »), jamais après la limite d'âge. La première année compte aussi les agents qui ont déjà atteint
# cet âge et sont encore en poste. Les autres départs (mutations, démissions) ne sont pas projetés.

# %%
if not a_rh:
    display(page.note(SANS_RH))
else:
    annuels = hr.departs_par_annee(departs, d)
    display(page.figure(charts.departures_by_scenario(annuels, seuil=seuil), alt=hr.alt_departs(annuels)))
    display(page.table(annuels, caption="Départs à la retraite projetés par année (ensemble des agents)",
                           columns={"groupe": "Hypothèse"},
                           formatters={c: hr.format_masque(0, court=True) for c in annuels.columns if c != "groupe"}))
    vue = hr.departs_par_annee(departs, d, groupe_variable="categorie", scenario="age_legal")
    display(page.table(vue, caption="Départs projetés à l'âge légal par catégorie",
                           columns={"groupe": "Catégorie"},
                           formatters={c: hr.format_masque(0, court=True) for c in vue.columns if c != "groupe"}))
    display(page.note(f"« < {seuil} » : moins de {seuil} départs, chiffre masqué. Le détail par service, filière et "
                        "métier, sous les deux hypothèses, figure dans la table rh_departs_projetes.csv ; à l'échelle "
                        "d'un service, la plupart des années comptent moins de 5 départs et sont masquées."))

# %% [markdown]
# ## Métiers à risque
#
# Un métier est signalé lorsqu'au moins 30 % de ses agents peuvent partir à la retraite (à l'âge légal) dans
# les 5 ans, ou lorsqu'il n'est tenu que par **un seul agent** dont le départ est projeté dans les 10 ans.

# %%
if not a_rh:
    display(page.note(SANS_RH))
else:
    vue = hr.vue_metiers_a_risque(metiers, motif="part_elevee").drop(columns="motif")
    display(page.table(vue, caption=f"Métiers dont au moins 30 % des agents peuvent partir dans les 5 ans "
                                        f"(au {formats.date(d)}, hypothèse de l'âge légal)",
                           columns={"metier": "Métier", "effectif": "Agents", "departs_fenetre": "Départs dans les 5 ans",
                                     "part_departs_fenetre": "Part des agents du métier"},
                           formatters={"effectif": hr.format_masque(0, court=True),
                                             "departs_fenetre": hr.format_masque(0, court=True),
                                             "part_departs_fenetre": hr.format_masque(0, pourcent=True, court=True)})
            if len(vue) else page.note("Aucun métier de plusieurs agents n'est signalé."))
    uniques = hr.vue_metiers_a_risque(metiers, motif="agent_unique")["metier"]
    display(Markdown(f"**Métiers tenus par un seul agent dont le départ est projeté dans les 10 ans "
                     f"({formats.number(len(uniques))}) :** " + ", ".join(uniques) + "." if len(uniques) else
                     "Aucun métier tenu par un seul agent n'est concerné par un départ dans les 10 ans."))
    display(page.note(f"« < {seuil} » : chiffre masqué (moins de {seuil} agents). Chaque métier de la seconde liste "
                        "concerne une seule personne, dont rien d'autre n'est publié : le signalement invite à organiser "
                        "la transmission des savoirs (binôme, documentation des procédures, recrutement anticipé)."))

# %% [markdown]
# ## Méthodologie
#
# **Sources.** Extractions du fichier des agents (`rh_agents`) et des absences (`rh_absences`). Le jalon utilise
# la dernière extraction datée au plus tard du jour du jalon ; les extractions antérieures servent à la rotation
# et aux évolutions. Les identifiants sont remplacés par un pseudonyme et seuls l'année et le mois de naissance
# sont conservés ; l'âge est compté en mois révolus depuis le premier jour du mois de naissance.
#
# **Définitions (rapport social unique, décret n° 2020-1493 et arrêté du 10 décembre 2021).**
# Effectif : agents présents à la date d'extraction (entrés au plus tard ce jour et non sortis).
# ETP : somme des quotités. Taux d'absentéisme : jours calendaires d'absence sur les 12 mois × 100 / (jours de
# la période × effectif permanent présent) ; seuls les jours compris dans la fenêtre comptent ; une absence sans
# date de fin court jusqu'à l'extraction. Absentéisme compressible : maladie ordinaire et accidents du travail
# (convention locale). Rotation : ((arrivées + départs) / 2) / effectif permanent au début de la période × 100.
# Heures de formation par agent : heures déclarées sur 12 mois / agents présents. BOE : bénéficiaires de
# l'obligation d'emploi / agents présents ; l'obligation de 6 % s'applique à partir de 20 ETP (code du travail,
# art. L5212-2).
#
# **Fenêtre.** Les 12 mois se terminant le jour de l'extraction, bornes incluses (du lendemain du même jour un an
# plus tôt jusqu'à l'extraction).
#
# **Règles de retraite.** Les âges sont lus dans `config/retraite.yml` (aucun âge n'est écrit dans le code).
# Âge légal minimum : 62 ans pour les agents nés avant le 1er septembre 1961, relevé par la loi n° 2023-270 du
# 14 avril 2023 ; relèvement suspendu par la loi n° 2025-1403 de financement de la sécurité sociale pour 2026
# (pensions prenant effet à compter du 1er septembre 2026) : 62 ans et 9 mois pour les agents nés de 1963 au
# 31 mars 1965, puis un trimestre de plus par génération jusqu'à 64 ans pour les agents nés à partir de 1969.
# Catégorie active de la CNRACL (emplois à risques particuliers ou fatigues exceptionnelles, par exemple la police
# municipale) : âge minimum abaissé de 5 ans, réservé aux fonctionnaires ayant au moins 17 ans de services
# actifs (comptés ici depuis l'entrée dans la commune). Certaines lignes du barème de la catégorie active (nés de
# 1969 à 1973) sont **déduites** du calendrier sédentaire et ne figurent dans aucun texte publié (« infere ») ;
# les limites d'âge de la catégorie active sont une hypothèse. **Ces règles peuvent encore changer après 2027**
# (fin de la suspension ou nouvelle réforme) : les projections au-delà sont indicatives. L'âge moyen de départ
# observé provient des statistiques de la CNRACL.

# %%
if a_rh:
    display(page.note(hr.phrase_regles_incertaines(ms.rh_agents, d)))

# %% [markdown]
# **Confidentialité.** Aucun chiffre ne porte sur moins de 5 agents (seuil de `config/observatoire.yml`, jamais
# inférieur à 3) : la case est masquée (« secret ») et, si besoin, une deuxième case est masquée pour qu'on ne
# puisse pas retrouver la première par différence avec le total. Dans la pyramide, les tranches extrêmes trop
# peu peuplées sont regroupées. Les cumuls de départs ne sont cités que s'ils ne révèlent aucune année masquée.

# %%
ctx.provenance()

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
out_dir = None      # dossier de sortie (défaut : reports/<jalon>, reports/restreinte/<jalon> en diffusion restreinte)
diffusion = "copil"  # niveau de diffusion : "copil" ou "restreinte" (DRH et CoTA)

# %%
import pandas as pd
from IPython.display import Markdown, display

from ducos_lib import hr, privacy
from ducos_lib.reports import charts, formats, page, rh

restreinte = rh.check_level(diffusion) == "restreinte"
ctx = page.start(milestone, raw_dir, out_dir, diffusion=diffusion)
milestone, ms, raw_dir, out_dir = ctx.milestone, ctx.data, ctx.raw_dir, ctx.out_dir
seuil = privacy.confidentiality_threshold()
services = ms.service_labels()
a_rh = ms.rh_agents is not None and len(ms.rh_agents) > 0
SANS_RH = f"Aucune extraction RH n'est disponible à la date du jalon {milestone} : cette section est vide."
display(Markdown(f"# {rh.title(milestone, diffusion)}\n\n"
                 f"Données arrêtées au {formats.date(ms.date, long=True)}. Ce rapport décrit les effectifs de la "
                 "commune (à la manière du rapport social unique) et les départs à la retraite à prévoir (GPEC : "
                 "gestion prévisionnelle des emplois et des compétences), pour repérer tôt les métiers fragiles. "
                 + rh.masking_intro(diffusion)))
if restreinte:
    display(page.warning(rh.restricted_notice()))

# %%
# Calculs (ducos_lib.hr) et tables publiées (DESIGN §4) au niveau de diffusion demandé (DESIGN §6).
if a_rh:
    pub = hr.publish(ms.rh_agents_historique, ms.rh_absences, level=diffusion)
    d, indicateurs, departs = pub.date_extraction, pub.indicators, pub.departures
    jalons = rh.milestone_labels(hr.milestone_extractions(ms.rh_agents_historique, {m: ms.dates[m] for m in ms.waves}))
    d_prec = ([x for x in jalons.values() if x < d] or [None])[-1]
    tables = rh.published_tables(pub)
    pyr = tables["rh_pyramide"]
else:
    tables = {"rh_indicateurs": pd.DataFrame(columns=hr.INDICATOR_COLUMNS),
              "rh_departs_projetes": pd.DataFrame(columns=hr.DEPARTURE_COLUMNS)}
for nom, table in tables.items():
    page.write_table(table, out_dir, nom)

# %%
page.key_findings(rh.key_findings(indicateurs, d, cumulated=pub.cumulated, jobs=pub.jobs, previous_date=d_prec,
                                  n_single_holder_posts=pub.n_single_holder_posts,
                                  n_small_jobs=pub.n_small_jobs_at_risk, threshold=pub.threshold) if a_rh
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
            rh.structure_table(indicateurs, d, variable, service_labels=services).drop(columns="masque"),
            caption=f"Effectifs par {rh.VARIABLE_LABELS[variable].lower()}",
            columns={"groupe": rh.VARIABLE_LABELS[variable], "effectif": "Agents", "etp": "ETP",
                      "part_effectif": "Part de l'effectif", "age_moyen": "Âge moyen (ans)",
                      "part_encadrants": "Part d'encadrants"},
            formatters={"effectif": rh.masked_format(0), "etp": rh.masked_format(1),
                              "part_effectif": rh.masked_format(1, pct=True), "age_moyen": rh.masked_format(1),
                              "part_encadrants": rh.masked_format(1, pct=True)}))

# %% [markdown]
# ## Pyramide des âges
#
# Âge en années révolues à la date de l'extraction, par tranches de 5 ans : hommes à gauche, femmes à droite.

# %%
if not a_rh or pyr.empty:
    display(page.note(SANS_RH))
else:
    display(page.figure(charts.age_pyramid(pyr, title=f"Pyramide des âges au {formats.date(d)}", seuil=seuil),
                        alt=rh.alt_pyramid(pyr, d)))
    if rh.pyramid_note(diffusion):
        display(page.note(rh.pyramid_note(diffusion)))

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
    motifs = rh.absence_by_reason(indicateurs, d)
    display(page.figure(charts.absenteeism_by_reason(motifs, title=f"Absentéisme par motif, 12 mois au {formats.date(d)}"),
                          alt=rh.alt_reasons(motifs, d)))

# %%
if a_rh:
    evo = rh.evolution_table(indicateurs, dates=jalons, followed=(
        "taux_absenteisme", "taux_absenteisme_compressible", "taux_rotation"))
    display(page.table(evo, caption="Absentéisme et rotation à chaque jalon (en %)",
                           columns={"indicateur": "Indicateur", "evolution": "Évolution depuis le jalon précédent (points)"},
                           formatters={c: rh.masked_format(2, signed=c == "evolution")
                                             for c in evo.columns if c != "indicateur"}))
    if len(jalons) < 2:
        display(page.note("Premier jalon avec des données RH : l'évolution sera présentée aux jalons suivants."))
    display(page.table(
        rh.group_table(indicateurs, d, "service", ("taux_absenteisme", "taux_absenteisme_compressible",
                                                          "taux_rotation"), service_labels=services),
        caption=f"Absentéisme et rotation par service, 12 mois au {formats.date(d)}",
        columns={"groupe": "Service", "taux_absenteisme": "Absentéisme", "taux_absenteisme_compressible":
                  "dont compressible", "taux_rotation": "Rotation"},
        formatters={c: rh.masked_format(1, pct=True) for c in
                          ("taux_absenteisme", "taux_absenteisme_compressible", "taux_rotation")}))

# %% [markdown]
# ## Formation et encadrement

# %%
if not a_rh:
    display(page.note(SANS_RH))
else:
    evo = rh.evolution_table(indicateurs, dates=jalons, followed=(
        "effectif", "etp", "age_moyen", "heures_formation_par_agent", "part_encadrants", "part_femmes_encadrants"))
    display(page.table(evo, caption="Effectifs, formation et encadrement à chaque jalon",
                           columns={"indicateur": "Indicateur", "evolution": "Évolution depuis le jalon précédent"},
                           formatters={c: rh.masked_format(1, signed=c == "evolution", auto=True)
                                             for c in evo.columns if c != "indicateur"}))
    display(page.table(
        rh.group_table(indicateurs, d, "categorie", ("heures_formation_par_agent", "part_encadrants",
                                                            "part_femmes_encadrants")),
        caption="Formation et encadrement par catégorie",
        columns={"groupe": "Catégorie", "heures_formation_par_agent": "Heures de formation par agent",
                  "part_encadrants": "Part d'encadrants", "part_femmes_encadrants": "Part de femmes parmi les encadrants"},
        formatters={"heures_formation_par_agent": rh.masked_format(1),
                          "part_encadrants": rh.masked_format(1, pct=True),
                          "part_femmes_encadrants": rh.masked_format(1, pct=True)}))

# %% [markdown]
# ## Emploi des travailleurs handicapés
#
# Les employeurs publics d'au moins 20 agents en équivalent temps plein doivent employer au moins 6 % de
# bénéficiaires de l'obligation d'emploi des travailleurs handicapés (BOE).

# %%
page.note((rh.boe_sentence(indicateurs, d) or "Taux non publiable (moins de 5 agents).") if a_rh else SANS_RH)

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
    annuels = rh.departures_by_year(departs, d)
    display(page.figure(charts.departures_by_scenario(annuels, seuil=seuil), alt=rh.alt_departures(annuels)))
    display(page.table(annuels, caption="Départs à la retraite projetés par année (ensemble des agents)",
                       columns={"groupe": "Hypothèse"},
                       formatters={c: rh.masked_format(0, short=True) for c in annuels.columns if c != "groupe"}))
    for variable in ("service", "categorie", "filiere", "metier") if restreinte else ("categorie",):
        vue = rh.departures_by_year(departs, d, groupe_variable=variable, scenario="age_legal", service_labels=services)
        if variable == "metier":  # only the métiers with a departure within the horizon
            vue = vue[vue.drop(columns="groupe").sum(axis=1) > 0]
        display(page.table(vue, caption=f"Départs projetés à l'âge légal par {rh.VARIABLE_LABELS[variable].lower()}",
                           columns={"groupe": rh.VARIABLE_LABELS[variable]},
                           formatters={c: rh.masked_format(0, short=True) for c in vue.columns if c != "groupe"}))
    display(page.note(rh.departures_note(diffusion)))

# %% [markdown]
# ## Métiers à risque
#
# Un métier est signalé lorsqu'au moins 30 % de ses agents peuvent partir à la retraite (à l'âge légal) dans
# les 5 ans, ou lorsqu'il n'est tenu que par **un seul agent** dont le départ est projeté dans les 10 ans.

# %%
if not a_rh:
    display(page.note(SANS_RH))
else:
    vue = rh.jobs_at_risk_view(tables["rh_metiers_a_risque"], reason="tous" if restreinte else "part_elevee")
    display(page.table(vue.drop(columns="motif") if not restreinte else vue,
                       caption=f"Métiers signalés à risque de départs à la retraite (au {formats.date(d)}, "
                               "hypothèse de l'âge légal)",
                       columns={"metier": "Métier", "effectif": "Agents", "departs_fenetre": "Départs dans les 5 ans",
                                "part_departs_fenetre": "Part des agents du métier",
                                "departs_horizon": "Départs dans les 10 ans", "motif": "Motif"},
                       formatters={"effectif": rh.masked_format(0, short=True),
                                   "departs_fenetre": rh.masked_format(0, short=True),
                                   "part_departs_fenetre": rh.masked_format(0, pct=True),
                                   "departs_horizon": rh.masked_format(0, short=True)})
            if len(vue) else page.note(f"Aucun métier d'au moins {seuil} agents n'est signalé."))
    if restreinte and len(pub.single_holder_posts):
        display(page.table(rh.single_holder_view(pub.single_holder_posts, service_labels=services),
                           caption="Postes tenus par un seul agent dont le titulaire peut partir dans les 10 ans",
                           columns={"metier": "Métier", "service": "Service", "categorie": "Catégorie",
                                    "annee_depart_age_legal": "Départ possible (âge légal)",
                                    "annee_depart_age_observe": "Départ à l'âge moyen observé"}))
    display(page.note(rh.jobs_note(diffusion, pub.n_single_holder_posts, pub.n_small_jobs_at_risk)))

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
#
# **Fenêtres de la GPEC.** Les départs projetés sont comptés par année civile, de l'année de l'extraction (qui compte
# aussi les agents ayant déjà atteint l'âge de départ) aux 9 suivantes. Pour les métiers à risque, « dans les 5 ans »
# et « dans les 10 ans » comptent les départs datés au plus tard 5 ou 10 ans après le jour de l'extraction.

# %%
if a_rh:
    display(page.note(rh.inferred_rules_sentence(pub.n_inferred_rule)))
display(Markdown(rh.confidentiality_paragraph(diffusion)))

# %%
ctx.provenance()

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
from functools import partial

import pandas as pd
from IPython.display import Markdown, display

from ducos_lib import survey, text
from ducos_lib.config import load_config
from ducos_lib.reports import charts, formats, page
from ducos_lib.reports import immersions as textes_rapport

ctx = page.start(milestone, raw_dir, out_dir)
ms, raw_dir, out_dir = ctx.data, ctx.raw_dir, ctx.out_dir
cfg = load_config()["enquete"]
alpha = float(cfg["alpha"])
services = ms.service_labels()
display(Markdown(f"# Enquête de satisfaction des usagers — jalon {milestone}\n\n"
                 f"Données arrêtées au {formats.date(ms.date, long=True)}. Ce rapport présente ce que les habitants "
                 "de Ducos pensent du service rendu par la mairie, d'après l'enquête menée par sondage à chaque jalon "
                 "(T0, T6, T12). Les résultats sont **pondérés** pour représenter la population de la commune "
                 "(sexe, âge, quartier) et donnés avec leur **intervalle de confiance à 95 %** : la fourchette dans "
                 "laquelle se trouve très probablement la vraie valeur pour l'ensemble des habitants."))

# %%
# Calculs (ducos_lib.survey) et tables publiées (DESIGN §4).
enquete = ms.enquete_usagers
pop = ms.population_reference
groupes = {"service": list(ms.services["code_service"])}
designs = survey.wave_designs(enquete, pop, config=cfg)
vagues = [w for w in ms.waves if w in designs]
vague = vagues[-1]
estimations = survey.estimations_enquete(enquete, pop, designs=designs, config=cfg, groups=groupes)
comparaisons = survey.comparaisons_enquete(enquete, pop, vagues, designs=designs, config=cfg, groups=groupes)
diagnostics = survey.diagnostics_ponderation(enquete, pop, designs=designs, config=cfg)
marges = survey.marges_ponderation(enquete, pop, designs=designs, config=cfg)
repartitions = survey.repartitions_likert(designs, alpha=alpha)
affichage = survey.signaler_effectifs(estimations, config=cfg)
affichage["libelle"] = [survey.libelle_groupe(gv, g, services)
                        for gv, g in zip(affichage["groupe_variable"], affichage["groupe"])]
page.write_table(estimations, out_dir, "enquete_estimations")
page.write_table(comparaisons, out_dir, "enquete_comparaisons")
page.write_table(diagnostics, out_dir, "enquete_ponderation")
_ = page.write_table(marges, out_dir, "enquete_marges")

# %%
page.key_findings(survey.constats_enquete(estimations, comparaisons, vague, marges=marges, diagnostics=diagnostics,
                                        libelles_services=services, config=cfg))

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
m = marges[marges["vague"] == vague].copy()
m["ecart"] = m["part_brute"] - m["part_population"]
pire = m.loc[m["ecart"].abs().idxmax()]
libelle_pire = survey.libelle_groupe(pire["variable"], pire["modalite"])
fig = charts.sample_margins(
    m, title=f"Qui a répondu ? Répondants de la vague {vague} et population de Ducos",
    variable_labels={v: survey.LIBELLES_GROUPES[v] for v in m["variable"].unique()},
    modalite_label=survey.libelle_groupe)
page.figure(fig, alt=f"Barres horizontales par sexe, tranche d'âge et quartier : part de chaque catégorie dans la "
              f"population, parmi les répondants avant pondération et après pondération (vague {vague}). Plus grand "
              f"écart avant pondération : {libelle_pire}, {formats.percent(pire['part_brute'])} des répondants contre "
              f"{formats.percent(pire['part_population'])} de la population ; après pondération, chaque catégorie "
              "retrouve sa part dans la population.")

# %%
tab = m.assign(
    Variable=m["variable"].map(survey.LIBELLES_GROUPES),
    Catégorie=[survey.libelle_groupe(v, x) for v, x in zip(m["variable"], m["modalite"])],
)[["Variable", "Catégorie", "effectif_population", "part_population", "n_repondants", "part_brute", "part_ponderee"]]
page.table(tab, caption=f"Composition des répondants (vague {vague}) et de la population",
               columns={"effectif_population": "Habitants", "part_population": "Part dans la population",
                         "n_repondants": "Répondants", "part_brute": "Part avant pondération",
                         "part_ponderee": "Part après pondération"},
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
glob = survey.tableau_ensemble(estimations, vagues)
page.table(glob, caption="Satisfaction globale, ensemble de la commune, par vague")

# %% [markdown]
# ## Satisfaction par dimension du service
#
# Chaque barre montre la répartition pondérée des réponses à une question : à gauche du trait vertical les
# insatisfaits (rouge), à droite les satisfaits (bleu) ; les réponses « ni satisfait ni insatisfait » (gris) sont
# réparties de part et d'autre du trait. Le chiffre en gras à droite est la part de satisfaits. Les personnes
# ayant répondu « ne sait pas » sont exclues de la question concernée.

# %%
rep = repartitions[repartitions["vague"].isin(vagues[-2:] if len(vagues) > 1 else vagues)]
vagues_fig = list(dict.fromkeys(rep["vague"]))
items_tab = survey.tableau_items(estimations, vague)
sat = estimations[(estimations["vague"] == vague) & (estimations["groupe_variable"] == "ensemble")
                  & estimations["indicateur"].str.endswith("_satisfaits")].sort_values("estimation")
bas, haut = sat.iloc[0], sat.iloc[-1]
fig = charts.likert_diverging(
    rep, item_labels=survey.LIBELLES_ITEMS, level_labels=survey.LIBELLES_NIVEAUX,
    title="Répartition pondérée des réponses par dimension" + (
        f" (vagues {' et '.join(vagues_fig)})" if len(vagues_fig) > 1 else f" (vague {vague})"))
page.figure(fig, alt="Barres empilées divergentes, une par dimension du service"
              + (f" et par vague ({', '.join(vagues_fig)})" if len(vagues_fig) > 1 else "")
              + f" : insatisfaits à gauche, satisfaits à droite. En {vague}, la dimension la mieux jugée est "
              f"{survey.LIBELLES_ITEMS[haut['indicateur'].removesuffix('_satisfaits')].lower()} "
              f"({formats.percent(haut['estimation'])} de satisfaits), la moins bien jugée "
              f"{survey.LIBELLES_ITEMS[bas['indicateur'].removesuffix('_satisfaits')].lower()} "
              f"({formats.percent(bas['estimation'])}).")

# %%
page.table(items_tab, caption=f"Part de satisfaits et taux net de satisfaction par dimension (vague {vague})")

# %% [markdown]
# ## Résultats par service, quartier, âge et sexe
#
# Les résultats d'un groupe sont estimés à partir des seules réponses de ce groupe, qui sont moins nombreuses :
# leur intervalle de confiance est plus large. Règles de diffusion : un résultat reposant sur **moins de 30
# réponses** est signalé « faible effectif » (à lire avec prudence, en gris sur les graphiques) ; sur **moins
# de 10 réponses**, il n'est pas diffusé. Les services sont ceux que l'habitant a contactés en dernier.

# %%
for gv, titre in (("service", "Par service contacté"), ("quartier", "Par quartier"),
                  ("tranche_age", "Par tranche d'âge"), ("sexe", "Par sexe")):
    display(Markdown(f"### {titre}"))
    d = affichage[(affichage["vague"] == vague) & (affichage["groupe_variable"] == gv)
                  & (affichage["indicateur"] == "satisfaction_globale_satisfaits")]
    ref = float(estimations[(estimations["vague"] == vague) & (estimations["groupe_variable"] == "ensemble")
                            & (estimations["indicateur"] == "satisfaction_globale_satisfaits")]["estimation"].iloc[0])
    ok = d[d["signalement"] != "non_diffuse"].dropna(subset=["estimation"]).sort_values("estimation")
    fig = charts.group_estimates(
        d, title=f"Part de satisfaits — {survey.LIBELLES_GROUPES[gv].lower()} (vague {vague})",
        xlabel="Part de satisfaits (réponses 4 ou 5), intervalle de confiance à 95 %", reference=ref)
    display(page.figure(fig, alt=(
        f"Points avec intervalles de confiance : part de satisfaits par {survey.LIBELLES_GROUPES[gv].lower()} en "
        f"{vague}, ligne pointillée pour l'ensemble de la commune ({formats.percent(ref)}). "
        + (f"Plus bas : {ok.iloc[0]['libelle']} ({formats.percent(ok.iloc[0]['estimation'])}) ; plus haut : "
           f"{ok.iloc[-1]['libelle']} ({formats.percent(ok.iloc[-1]['estimation'])}). " if len(ok) else "")
        + f"{int((d['signalement'] == 'faible_effectif').sum())} groupe(s) à faible effectif en gris, "
        f"{int((d['signalement'] == 'non_diffuse').sum())} non représenté(s).")))
    display(page.table(survey.tableau_groupes(estimations, vague, gv, libelles_services=services, config=cfg),
                           caption=f"{titre} : satisfaction et recommandation (vague {vague})",
                           formatters={"Réponses": formats.number}))

# %% [markdown]
# ## Évolution depuis la première vague
#
# Chaque vague interroge un échantillon différent d'habitants : un écart entre deux vagues peut venir du hasard
# de l'échantillonnage. Un écart est dit **significatif** lorsqu'il est trop grand pour s'expliquer par ce hasard
# (p-valeur ajustée inférieure à 5 %). Comme on compare beaucoup d'indicateurs à la fois, les p-valeurs sont
# **ajustées** (méthode de Holm) pour ne pas crier victoire par accident. « Pas de changement démontré » ne veut
# pas dire « aucun changement » : l'écart observé est compatible avec le hasard. Les intervalles de confiance
# des écarts, eux, ne sont pas ajustés : un intervalle qui exclut zéro peut donc aller avec « pas de changement
# démontré ».

# %%
if len(vagues) < 2:
    display(page.note(f"La vague {vague} est la première mesure : elle sert de point de départ. L'évolution sera "
                        "mesurée à partir du jalon T6, en comparant chaque vague à T0 (puis T12 à T6). La table "
                        "enquete_comparaisons.csv est publiée vide (en-têtes seuls)."))
else:
    inds = [f"{i}_satisfaits" for i in survey.LIKERT_ITEMS]
    tete = comparaisons[(comparaisons["indicateur"] == "satisfaction_globale_satisfaits")
                        & (comparaisons["groupe_variable"] == "ensemble")].iloc[0]
    fig = charts.wave_evolution(estimations, inds, labels={f"{i}_satisfaits": l for i, l in survey.LIBELLES_ITEMS.items()},
                                 waves=vagues,
                                 title="Part de satisfaits par dimension, vague après vague")
    display(page.figure(fig, alt=(
        f"Six petits graphiques, un par dimension : part de satisfaits en {', '.join(vagues)} avec intervalles de "
        f"confiance. Satisfaction globale de {tete['vague_a']} à {tete['vague_b']} : "
        f"{survey.format_ecart(tete['indicateur'], tete['difference'])} "
        f"({survey.lecture_evolution(tete['difference'], tete['p_ajustee'], alpha=alpha)}).")))
    display(page.table(survey.tableau_evolutions(comparaisons, estimations, alpha=alpha),
                           caption="Évolution des indicateurs, ensemble de la commune"))

# %%
if len(vagues) >= 2:
    display(Markdown("### Répartition complète des réponses\n\nLe test de Rao–Scott vérifie si l'ensemble des cinq "
                     "réponses possibles se répartit autrement d'une vague à l'autre (pas seulement la part de "
                     "satisfaits), en tenant compte de la pondération."))
    display(page.table(survey.tableau_distributions(comparaisons, alpha=alpha),
                           caption="Tests de Rao–Scott sur la répartition des réponses (p ajustées par Holm)"))
    display(Markdown("### Évolution par service\n\nNote moyenne de satisfaction globale. Avec une trentaine de "
                     "réponses par service et par vague, et un ajustement sur l'ensemble des services et indicateurs, "
                     "seuls de gros écarts peuvent être démontrés."))
    display(page.table(survey.tableau_evolutions(comparaisons, estimations, groupe_variable="service",
                                                     indicateurs=["satisfaction_globale_moyenne"],
                                                     libelles_services=services, alpha=alpha),
                           caption="Évolution de la note moyenne de satisfaction globale par service"))

# %% [markdown]
# ## Recommandation
#
# « Sur une échelle de 0 à 10, recommanderiez-vous les services de la mairie à un proche ? » Au-delà de la
# moyenne, on distingue ceux qui recommanderaient volontiers (9 ou 10), les neutres (7 ou 8) et ceux qui ne
# recommanderaient plutôt pas (0 à 6).

# %%
reco = survey.repartition_recommandation(designs, alpha=alpha)
moy = estimations[(estimations["indicateur"] == "recommandation_moyenne") & (estimations["groupe_variable"] == "ensemble")]
tab = pd.DataFrame([
    {"Vague": w, "Note moyenne (sur 10)": survey.format_valeur("recommandation_moyenne", r["estimation"]),
     "IC à 95 %": survey.format_intervalle("recommandation_moyenne", r["ic_bas"], r["ic_haut"]),
     **{f"Notes {t}": formats.percent(p) for t, p in
        reco[reco["vague"] == w].set_index("tranche")["part"].items()},
     "Réponses": int(r["n_repondants"])}
    for w, r in moy.set_index("vague").reindex(vagues).iterrows()
])
display(page.table(tab, caption="Recommandation des services de la mairie, par vague (parts pondérées)"))
r = reco[reco["vague"] == vague].set_index("tranche")["part"]
display(Markdown(f"En {vague}, {formats.percent(r['9 à 10'])} des habitants recommanderaient volontiers les services "
                 f"de la mairie et {formats.percent(r['0 à 6'])} plutôt pas : l'écart entre les deux "
                 f"({formats.points(r['9 à 10'] - r['0 à 6'])}) est l'équivalent du « Net Promoter Score » utilisé "
                 "par de nombreux services publics et privés."))

# %%
page.key_findings(survey.pistes_enquete(estimations, comparaisons, vague, libelles_services=services, config=cfg),
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
themes_tab = survey.tableau_themes(ct.counts, codebook.labels(), vagues)
com = enquete.loc[enquete["vague"].isin(vagues), "commentaire"].dropna().map(text.normalise)
codes = text.code_texts(com[com.str.len() > 0], codebook)
part_code = float(codes.any(axis=1).mean()) if len(codes) else float("nan")
display(page.table(themes_tab, caption="Thèmes des commentaires par vague : part des commentaires (nombre)"))
display(page.note(f"{formats.percent(part_code, 0)} des commentaires relèvent d'au moins un thème de la grille des "
                    f"commentaires des habitants (version {codebook.version}) ; les autres, le plus souvent des avis "
                    f"généraux (« Moyen. », « Merci à toute l'équipe »), ne sont pas classés. "
                    f"{textes_rapport.coder_sentence(codeur)}"))

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
                                 "poids_min": partial(formats.number, decimals=1),
                                 "poids_max": partial(formats.number, decimals=1),
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
nsp = pd.DataFrame([{"Question": survey.LIBELLES_ITEMS[i], **{f"Vague {w}": formats.percent(
    enquete.loc[enquete["vague"] == w, i].isna().mean()) for w in vagues}} for i in survey.LIKERT_ITEMS])
page.table(nsp, caption="Part des répondants sans réponse ou « ne sait pas », par question")

# %% [markdown]
# ## Méthodologie

# %%
display(Markdown(
    "**Pondération.** Chaque vague est un échantillon indépendant. Les réponses sont calées par ratissage (méthode "
    f"itérative du quotient) sur les effectifs de la population de référence par {', '.join(survey.LIBELLES_GROUPES[v].lower() for v in cfg['ratissage']['variables'])}, "
    "à partir de poids initiaux égaux ; le calage s'arrête quand chaque marge est atteinte à "
    f"{formats.number(cfg['ratissage']['tolerance'] * 100, 6).rstrip('0').rstrip(',')} % près.\n\n"
    "**Précision.** Moyennes et parts sont estimées avec les poids ; leur variance est obtenue par linéarisation de "
    "Taylor sur les résidus du calage, comme le fait le paquet R `survey` (`rake()` puis `svymean()`). Les intervalles "
    "de confiance à 95 % des parts sont calculés sur l'échelle logit (comme `svyciprop(method = \"logit\")`), ceux "
    "des moyennes et du taux net par l'approximation normale. Les groupes (services, quartiers, âges, sexes) sont "
    "des domaines du plan complet, non des sous-échantillons isolés.\n\n"
    "**Comparaisons.** L'écart entre deux vagues est testé comme une différence entre échantillons indépendants "
    f"(test z). Les p-valeurs sont ajustées par la méthode de {'Holm' if cfg['ajustement'] == 'holm' else 'Benjamini–Hochberg'} "
    "dans chaque famille de tests (les 14 indicateurs de l'ensemble de la commune ; tous les indicateurs × groupes d'un "
    "même découpage ; les 6 tests de répartition). Le test de Rao–Scott (correction du second ordre, statistique F, "
    "comme `svychisq()`) compare la répartition complète des cinq réponses entre deux vagues. Seuil de "
    f"significativité : {formats.percent(alpha, 0)}.\n\n"
    f"**Seuils de diffusion.** Résultat signalé sous {cfg['seuil_signalement']} réponses, non diffusé sous "
    f"{cfg['seuil_masquage']} réponses. Les tables CSV gardent ces lignes avec leur nombre de réponses (valeurs vides "
    "sous le seuil de diffusion).\n\n"
    "**Commentaires.** Normalisation du texte, anonymisation (noms sous toutes leurs formes écrites, noms de la liste "
    "du personnel, personnes repérées par le modèle de langue français, téléphones de France et d'outre-mer, "
    "courriels, adresses, codes postaux), puis codage selon la grille des commentaires des habitants "
    f"(`config/codebook_usagers.yml`, version {ct.codebook_version} du {formats.date(codebook.date_validation, long=True)}, "
    f"{len(codebook.codes)} thèmes définis avec leurs consignes de codage) par un modèle appris sur des commentaires "
    "réels codés à la main. " + textes_rapport.coder_sentence(codeur) + " "
    + textes_rapport.none_share_sentence(codeur) + "\n\n"
    "**Tables publiées** (dossier `tables/`) : `enquete_estimations.csv`, `enquete_comparaisons.csv`, "
    "`enquete_ponderation.csv`, `enquete_marges.csv`, `enquete_commentaires_themes.csv`."))

# %%
ctx.provenance()

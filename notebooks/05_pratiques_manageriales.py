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
from IPython.display import HTML, Markdown, display

from ducos_lib import guide as gd
from ducos_lib import practices as pr
from ducos_lib import privacy, text
from ducos_lib.config import ROOT
from ducos_lib.reports import charts, formats, page
from ducos_lib.reports import guide as rg
from ducos_lib.reports import immersions as textes_rapport
from ducos_lib.reports import pratiques as rp

ctx = page.start(milestone, raw_dir, out_dir)
milestone, ms, raw_dir, out_dir = ctx.milestone, ctx.data, ctx.raw_dir, ctx.out_dir
seuil = privacy.confidentiality_threshold()
roster = text.load_roster(raw_dir)  # noms du fichier RH brut, pour anonymiser les citations (jamais affichés)
display(Markdown(f"# Pratiques managériales — jalon {milestone}\n\n"
                 f"Données arrêtées au {formats.date(ms.date, long=True)}. Ce rapport présente les phases 4 et 5 du "
                 "programme : les **auto-évaluations des encadrants** avant et après les mises en situation coachées, "
                 "le **bilan du séminaire** des agents, et le **guide des pratiques managériales** mis à jour à partir "
                 "des retours des immersions."))

# %%
# Calculs (ducos_lib.practices) et tables publiées (DESIGN §4).
auto = ms.autoevaluations if ms.autoevaluations is not None else pd.DataFrame(
    columns=["id_cadre", "temps", "date", "competence", "note"])
statut_auto = pr.self_evaluation_status(auto)
auto_table = pr.self_evaluation_table(auto, details=True)
par_direction = pr.self_evaluation_by_direction(auto, pr.manager_directions(ms.rh_agents, ms.services)) \
    if ms.rh_agents is not None and statut_auto == "results" else None
repartition = pr.rating_distribution(auto)
page.write_table(auto_table[pr.AUTOEVALUATION_COLUMNS], out_dir, "autoevaluations")
if par_direction is not None:
    page.write_table(par_direction, out_dir, "autoevaluations_directions")

bilan = ms.bilan_seminaire if ms.bilan_seminaire is not None else pd.DataFrame(columns=["date", "commentaire"])
a_seminaire = len(bilan) > 0
synthese = pr.seminar_summary(bilan)
notes_seminaire = pr.seminar_distribution(bilan)
commentaires = pr.comment_themes(bilan["commentaire"], roster=roster) if a_seminaire else None
page.write_table(synthese, out_dir, "seminaire_synthese")

# Guide : fiches d'immersion du jalon codées selon le codebook ; l'évolution compare avec les fiches datées
# jusqu'au jalon précédent (les mêmes que load_milestone(précédent) voit), codées avec le même codebook.
fiches = ms.fiches_immersion
codage = text.code_fiches(fiches, cache=ctx.cache_dir) if fiches is not None else None  # as report 02 coded them
precedent = ms.previous_milestones[-1] if ms.previous_milestones else None
freq_precedente = (gd.theme_frequencies(codage, fiches, until=ms.dates[precedent])
                   if precedent and fiches is not None else None)
guide = rg.render_guide(ROOT / "guide" / "guide_pratiques.md", codage, fiches, out_dir / "guide_pratiques.html",
                        milestone, freq_precedente, previous_milestone=precedent, milestone_date=ms.date, roster=roster)
n_fiches = gd.count_forms(fiches)
n_fiches_precedent = gd.count_forms(fiches, until=ms.dates[precedent]) if precedent else None
_ = page.write_table(guide.annex, out_dir, "guide_annexe")

# %%
page.key_findings(
    rp.self_evaluation_findings(auto, milestone=milestone, table=auto_table, by_direction=par_direction)
    + rp.seminar_findings(bilan, milestone=milestone, summary=synthese, themes=commentaires)
    + rg.guide_findings(guide.evidence, milestone=milestone, n_forms=n_fiches, previous_milestone=precedent,
                        n_previous_forms=n_fiches_precedent)
)

# %% [markdown]
# ## Auto-évaluations des encadrants
#
# Lors des mises en situation (phase 4), chaque encadrant note lui-même sa maîtrise de plusieurs compétences
# managériales, de 1 (faible) à 5 (très bonne), **avant** puis **après** les scènes coachées. On compare les
# deux notes d'un même encadrant : seuls les encadrants notés avant **et** après sur une compétence comptent
# (paires complètes). Il s'agit d'une perception par les encadrants eux-mêmes, pas d'une mesure externe.

# %%
if statut_auto == "results":
    display(page.figure(charts.dumbbell_before_after(auto_table), alt=rp.alt_dumbbell(auto_table)))
    display(page.table(rp.self_evaluation_display(auto_table), caption="Auto-évaluations avant et après, par compétence",
                           columns=rp.SELF_EVALUATION_HEADERS, formatters=rp.self_evaluation_formats(seuil)))
    display(page.note("Écart : moyenne après moins moyenne avant. p ajustée : probabilité d'observer un tel écart par "
                        "hasard, corrigée parce que plusieurs compétences sont testées ; en dessous de 0,05, l'évolution "
                        "est jugée nette (il est peu probable qu'elle soit due au hasard). Taille d'effet r : de −1 (tous baissent) à +1 (tous progressent). "
                        f"« – » : moins de {seuil} paires, résultat non publié."))
else:
    display(page.warning(rp.self_evaluation_findings(auto, milestone=milestone, label=False)[0]))

# %% [markdown]
# ### Répartition des notes avant et après
#
# Pour qu'aucun chiffre ne porte sur moins de quelques encadrants, les notes sont regroupées en trois tranches :
# 1–2 (faible), 3 (moyen) et 4–5 (élevé). Une tranche qui compterait trop peu d'encadrants est remplacée par
# « secret », ainsi qu'une autre tranche de la même barre, pour qu'elle ne se retrouve pas par différence avec le total.

# %%
if len(repartition):
    dist = rp.rating_distribution_display(repartition)
    display(page.figure(charts.rating_distribution(dist, group="groupe", level="bande", level_labels=rp.BAND_LABELS_SELF,
                                                  title="Notes d'auto-évaluation par compétence (en tranches)"),
                          alt=rp.alt_rating_distribution(repartition, threshold=seuil)))
    display(page.table(rp.distribution_table(dist, "groupe", rp.BAND_LABELS_SELF, group_header="Compétence · temps",
                                                 total_header="Encadrants (paires complètes)"),
                           caption="Répartition des auto-évaluations par tranche de note : part (nombre d'encadrants)"))
    if repartition["masque"].any():
        display(page.note(f"« secret » : tranche non publiée parce qu'elle compte moins de {seuil} encadrants, ou "
                            "masquée en complément pour ne pas pouvoir être recalculée à partir du total."))
else:
    display(page.note("Pas de répartition à présenter : aucune compétence n'a encore de paires avant/après "
                        f"pour au moins {seuil} encadrants."))

# %% [markdown]
# ### Par direction
#
# Les résultats par direction ne sont publiés que pour les directions où au moins le seuil de confidentialité
# d'encadrants ont été évalués avant et après sur la compétence ; les autres directions ne sont pas montrées, pour
# qu'aucun encadrant ne puisse être reconnu.

# %%
if par_direction is None:
    display(page.note("Pas de résultat par direction : les auto-évaluations avant/après ne sont pas encore disponibles."
                        if statut_auto != "results" else "Pas de résultat par direction : extraction RH indisponible."))
elif par_direction.empty:
    display(page.note(f"Aucune direction n'atteint {seuil} encadrants évalués avant et après sur une même compétence : "
                        "pas de résultat par direction."))
else:
    display(page.table(rp.self_evaluation_display(par_direction), caption="Auto-évaluations par direction et compétence "
                           f"(directions d'au moins {seuil} encadrants)",
                           columns=rp.SELF_EVALUATION_HEADERS, formatters=rp.self_evaluation_formats(seuil)))
    display(page.note("Avec quelques encadrants par direction, même un effet fort n'est souvent pas « net » : ces "
                        "résultats par direction sont indicatifs ; la comparaison d'ensemble ci-dessus fait foi."))

# %% [markdown]
# ## Bilan du séminaire
#
# À l'issue du séminaire (phase 5), chaque participant note l'organisation, le contenu, l'utilité et son appréciation
# globale de 1 à 5, et peut laisser un commentaire libre. Un participant est compté « satisfait » s'il donne 4 ou 5.
# Comme pour les auto-évaluations, les notes sont présentées en trois tranches (1–2 insatisfait, 3 moyen, 4–5 satisfait)
# et une tranche trop petite est remplacée par « secret ».

# %%
if not a_seminaire:
    display(page.warning(rp.seminar_findings(bilan, milestone=milestone, label=False)[0]))
elif synthese.empty:
    display(page.note(f"Moins de {seuil} participants ont évalué le séminaire : résultats non publiés."))
else:
    display(page.table(rp.seminar_display(synthese),
                           caption=f"Évaluation du séminaire (intervalle de la part : méthode de {synthese['methode_ic'].iloc[0]})"))
    display(page.figure(charts.rating_distribution(notes_seminaire, group="libelle", level="bande",
                                                  level_labels=rp.BAND_LABELS_SEMINAR,
                                                  title="Notes données au séminaire (en tranches)"),
                          alt=rp.alt_seminar_distribution(notes_seminaire, synthese, threshold=seuil)))
    display(page.table(rp.distribution_table(notes_seminaire, "libelle", rp.BAND_LABELS_SEMINAR,
                                                 group_header="Aspect évalué", total_header="Réponses"),
                           caption="Notes données au séminaire par tranche : part (nombre de participants)"))
    if notes_seminaire["masque"].any() or synthese["part_satisfaits"].isna().any():
        display(page.note(f"« secret » : tranche (ou part de satisfaits) non publiée parce qu'elle compte moins de "
                            f"{seuil} participants, ou masquée en complément pour ne pas pouvoir être recalculée à "
                            "partir du nombre de réponses."))

# %% [markdown]
# ### Ce que disent les commentaires
#
# Les commentaires sont classés selon les thèmes du codebook des immersions (un commentaire peut relever de
# plusieurs thèmes, ou d'aucun). Les citations sont anonymisées : noms, téléphones, courriels et adresses sont remplacés.

# %%
if commentaires is None:
    display(page.note("Le séminaire n'a pas encore eu lieu : pas de commentaire à analyser."))
elif commentaires.counts["n_total"].max() == 0:
    display(page.note("Aucun participant n'a laissé de commentaire libre."))
else:
    themes_com, citations = rp.comment_themes_display(commentaires)
    n_com = int(commentaires.counts["n_total"].max())
    qui = rp.commenters_text(n_com, len(bilan), threshold=seuil)
    display(Markdown(f"{qui[:1].upper()}{qui[1:]} ont laissé un commentaire."))
    display(page.table(themes_com, caption="Thèmes des commentaires du séminaire"))
    display(page.note(textes_rapport.coder_sentence(text.coder_summary(text.load_codebook()))))
    display(page.table(citations, caption="Exemples de commentaires par thème"))

# %% [markdown]
# ## Guide des pratiques managériales
#
# Le guide est rédigé et mis à jour par le comité de rédaction ; à chaque jalon, l'Observatoire le publie avec une
# **annexe** tirée des fiches d'immersion : pour chaque thème relié à une pratique, la part des fiches qui l'évoquent,
# son évolution depuis le jalon précédent et les propositions des agents.

# %%
display(HTML(f'<p><a href="guide_pratiques.html"><strong>Ouvrir le guide des pratiques managériales</strong></a> '
             f'(version {guide.guide.version} du {formats.date(guide.guide.date)}, {len(guide.guide.practices)} pratiques, '
             f'annexe au jalon {milestone}).</p>'))
changements = rg.guide_findings(guide.evidence, milestone=milestone, n_forms=n_fiches, previous_milestone=precedent,
                                n_previous_forms=n_fiches_precedent, link=None, label=False)
display(HTML("<p><strong>Ce qui change dans l'annexe.</strong> " + " ".join(changements[1:] or changements) + "</p>"))
if n_fiches:
    display(page.table(rg.annex_display(guide.evidence, previous_milestone=precedent),
                           caption="Thèmes des pratiques dans les fiches d'immersion"))

# %%
display(Markdown(f"""
## Méthodologie

**Auto-évaluations.** Seules les paires complètes comptent : un encadrant noté avant et après sur la même compétence
(si une compétence a été notée plusieurs fois au même temps, la note la plus récente est retenue). Pour chaque compétence,
un test des rangs signés de Wilcoxon apparié compare les notes après et avant. Les paires sans changement (fréquentes
sur une échelle de 1 à 5) sont traitées selon Pratt : elles participent au classement des écarts mais pas à la statistique.
La p-valeur est exacte (ou par permutations exhaustives des signes) pour les petits effectifs et sinon tirée de
l'approximation normale corrigée des ex-aequo. Les p-valeurs sont ajustées par la méthode de Holm, parce que plusieurs
compétences sont testées en même temps. La taille d'effet est la corrélation bisériale de rangs pour données appariées
(Kerby) : (somme des rangs des hausses − somme des rangs des baisses) / somme de tous les rangs ; elle est dite
négligeable sous 0,1, faible sous 0,3, moyenne sous 0,5 et forte au-delà (repères de Cohen).

**Séminaire.** La part de satisfaits (notes 4 ou 5) porte sur les participants qui ont répondu à la question ; son
intervalle de confiance à 95 % est celui de Wilson (score), adapté aux petits effectifs et aux parts proches de 100 %.
La moyenne est accompagnée d'un intervalle de Student. Les commentaires sont normalisés, anonymisés puis codés selon les
thèmes du codebook des immersions par le module d'analyse textuelle.

**Guide.** Les fiches d'immersion datées jusqu'au jalon sont codées (points forts, axes de progression, propositions) ;
l'évolution compare la part des fiches qui évoquent chaque thème avec la même part sur les fiches datées jusqu'au jalon
précédent, codées avec la même version du codebook. Un thème est dit en hausse ou en baisse à partir de 2 points d'écart ;
ces écarts sont descriptifs (pas de test).

**Confidentialité.** Aucun chiffre ne porte sur moins de {seuil} agents : une compétence avec moins de {seuil} paires
complètes n'a ni effectif exact, ni moyenne, ni test ; les répartitions des notes sont publiées en trois tranches (1–2, 3,
4–5) et une tranche de moins de {seuil} personnes est remplacée par « secret », avec un masquage secondaire : une autre
tranche de la même barre est masquée aussi, de sorte que les tranches masquées comptent ensemble au moins {seuil}
personnes et qu'aucune ne se recalcule à partir du total publié (la part de satisfaits d'un aspect du séminaire suit
le masquage de sa tranche 4–5) ; une direction n'apparaît que si elle atteint {seuil} encadrants sur la compétence, et
d'autres directions sont masquées si nécessaire pour qu'un petit groupe ne se déduise pas par différence ; un aspect du
séminaire noté par moins de {seuil} participants n'est pas publié, et un thème de commentaire cité moins de {seuil} fois
l'est sans effectif. Les identifiants sont pseudonymisés dès la lecture des fichiers ; les citations sont anonymisées.
"""))

# %%
ctx.provenance()

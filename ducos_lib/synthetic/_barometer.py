"""Synthetic sample: the staff barometer (``barometre_agents``), an anonymous questionnaire of the agents.

Every agent present on a wave's closing day is invited; answering depends on the direction (the
technical and education directions, mostly field staff, answer least). The answers are Likert notes
1–5 (5 = most favourable: every item is worded positively, "ma charge de travail est soutenable"),
with a few "NSP". What is planted, so the report has something true to find:

* the direction's dysfunction (``d`` of its services) lowers every item;
* between the first and the last wave of a cycle, ``recognition``, ``manager support``,
  ``cohesion`` and ``information`` rise (latent +0.35 to +0.45 on the 1–5 scale: the programme's
  intended effect on the quality of working life and on bringing the staff together); the others
  barely move;
* about 35 % of the answers carry a comment, one in ten of them with personal data (a colleague's
  civility and surname, a phone number, an e-mail) that must be redacted before any quote.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from ._base import _SVC_INDEX, SERVICES, _d, _dysfunction, _email_local, _expand, _fr, _phone, _pick, _weekday
from ._simulation import _Agent, _present

#: Likert items of the barometer, in questionnaire order (DESIGN §3).
BAROMETER_ITEMS = ("sens_travail", "reconnaissance", "soutien_encadrant", "cohesion", "charge_travail",
                   "information", "equipements", "intention_rester")
BAROMETER_HEADER = ["Vague", "Date de réponse", "Direction", "Catégorie", "Sens du travail", "Reconnaissance",
                    "Soutien encadrant", "Cohésion", "Charge de travail", "Information", "Équipements",
                    "Intention de rester", "Commentaire"]
#: Latent mean of each item at the first wave for a direction of average dysfunction (1–5 scale).
_BASE = dict(zip(BAROMETER_ITEMS, (3.9, 2.8, 3.1, 3.2, 2.8, 2.6, 2.7, 3.6)))
#: Latent change between the first and the last wave of a cycle.
BAROMETER_GAIN = dict(zip(BAROMETER_ITEMS, (0.10, 0.40, 0.45, 0.45, 0.0, 0.40, 0.05, 0.15)))
#: Probability that an invited agent answers, by direction.
RESPONSE_RATE = {"Direction générale": 0.9, "Direction de la citoyenneté": 0.7, "Direction des solidarités": 0.6,
                 "Direction de l'aménagement": 0.8, "Direction des services techniques": 0.35,
                 "Direction de la tranquillité publique": 0.5, "Direction de l'éducation et de l'enfance": 0.45,
                 "Direction de la vie locale": 0.6, "Direction des ressources": 0.85}
#: The milestones with a barometer wave (the first and the last of a cycle).
BAROMETER_WAVES = ("T0", "T12")

_COMMENTS = (
    "[Trop de réunions|Des réunions] sans compte rendu, on n'a pas l'information.",
    "L'information ne circule pas entre les services.",
    "Mon encadrant est à l'écoute et [soutient l'équipe|nous fait confiance].",
    "Manque de reconnaissance du travail fait sur le terrain.",
    "Bonne entente dans l'équipe, [on s'entraide|l'ambiance est bonne].",
    "Il faudrait plus de formation sur les nouveaux logiciels.",
    "Le matériel est vétuste, [les véhicules tombent en panne|il manque des outils].",
    "La charge de travail augmente sans renfort, [c'est épuisant|on n'y arrive plus].",
    "Les locaux sont trop chauds, pas de climatisation.",
    "Depuis les immersions on connaît mieux le travail des autres services.",
    "Les projets communs entre services redonnent du sens.",
    "Les usagers sont parfois agressifs à l'accueil.",
    "Le management est plus présent depuis cette année.",
    "On aimerait être associés aux décisions qui nous concernent.",
)
_PII = ("Merci à {civ} {nom} qui a tout organisé.", "Me rappeler au {tel} pour en parler.",
        "Contact : {mail}@ville-ducos.fr", "{civ} {nom} ne dit jamais bonjour.")


_DIRECTION = {s.code: s.direction for s in SERVICES}


def _direction_d(direction: str, day: int) -> float:
    idx = [_SVC_INDEX[s.code] for s in SERVICES if s.direction == direction]
    return float(np.mean(_dysfunction(np.array(idx), day)))


def barometer_rows(rng, agents: list[_Agent], milestones: dict[str, date], waves=BAROMETER_WAVES):
    """Rows of ``barometre_agents.csv`` (one per answer), for the waves of ``milestones`` listed in ``waves``.

    ``milestones`` maps the generator's milestone names (T0 … T12) to their dates; the answers are
    dated in the three weeks before the milestone.
    """
    names = [w for w in waves if w in milestones]
    first, last = milestones[names[0]].toordinal(), milestones[names[-1]].toordinal()
    rows = []
    for wave in names:
        day = milestones[wave]
        progress = 0.0 if last == first else (day.toordinal() - first) / (last - first)
        present = sorted((a for a in agents if _present(a, day)), key=lambda a: a.matricule)
        for a in present:
            direction = _DIRECTION[a.job.service]
            if rng.random() >= RESPONSE_RATE[direction]:
                continue
            d = _direction_d(direction, day.toordinal())
            mood = rng.normal(0, 0.6)
            notes = []
            for item in BAROMETER_ITEMS:
                latent = _BASE[item] - 1.4 * (d - 0.45) + BAROMETER_GAIN[item] * progress + mood + rng.normal(0, 0.7)
                notes.append("NSP" if rng.random() < 0.03 else str(int(np.clip(np.round(latent), 1, 5))))
            categorie = "" if rng.random() < 0.05 else a.job.categorie
            answered = _d(_weekday(int(rng.integers(day.toordinal() - 21, day.toordinal() - 1))))
            comment = ""
            if rng.random() < 0.35:
                comment = _expand(_pick(_COMMENTS, rng), rng)
                if rng.random() < 0.10:
                    other = _pick(present, rng)
                    comment += " " + _pick(_PII, rng).format(
                        civ="Mme" if other.sexe == "F" else "M.", nom=other.nom, tel=_phone(rng),
                        mail=_email_local(other.prenom, other.nom))
            rows.append([wave, _fr(answered), direction, categorie, *notes, comment])
    rng.shuffle(rows)
    return rows

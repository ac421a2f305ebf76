"""Synthetic sample: the simulations behind each raw file (HR, absences, survey, immersion forms,
service indicators, self-evaluations, seminar)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from ._base import (
    _ABS_END,
    _ABS_START,
    _EFF_AGE,
    _EFF_QUARTIER,
    _EFF_SEXE,
    _FIELDWORK,
    _ITEMS,
    _NOMS,
    _POP15,
    _POP_AGE,
    _POP_QUARTIER,
    _POP_SEXE,
    _PRENOMS_F,
    _PRENOMS_H,
    _RESIDENTS,
    _SAT_SLOPE,
    _SEL_AGE,
    _SEL_QUARTIER,
    _SEL_SEXE,
    _SEMINAIRE,
    _SIM_START,
    _SVC,
    _SVC_INDEX,
    _T0_ORD,
    _T12_ORD,
    AGES,
    BOUNDARY_BIRTHS,
    EXTRACTIONS,
    JALONS,
    JOBS,
    LIKERT_LABELS,
    QUARTIERS,
    SERVICES,
    TEC,
    THEMES,
    TRAINING_FACTOR,
    _absence_mult,
    _add_years,
    _address,
    _age,
    _d,
    _dec,
    _dysfunction,
    _dysfunction_year,
    _email_local,
    _expand,
    _fr,
    _iso,
    _Job,
    _phone,
    _pick,
    _strip_accents,
    _weekday,
)
from ._phrases import (
    _AX,
    _CANAUX,
    _COM_NEG,
    _COM_NEU,
    _COM_PII,
    _COM_POS,
    _COM_SVC,
    _COMP_BASE,
    _COMPETENCES,
    _CSP,
    _HORS_THEME,
    _PF,
    _PR,
    _PR_OPENERS,
    _PROFILE,
    _SEM_NEG,
    _SEM_PII,
    _SEM_POS,
    _TYPE_BOOST,
    _TYPOS,
    _VIDES,
    AUTOEVAL_GAIN,
)

# --------------------------------------------------------------------------------------------------
# HR simulation
# --------------------------------------------------------------------------------------------------

_STATUTS = ("titulaire", "stagiaire", "contractuel_permanent", "contractuel_non_permanent")
_OTHER_RATE = {"titulaire": 0.035, "stagiaire": 0.05, "contractuel_permanent": 0.08,
               "contractuel_non_permanent": 0.35}
_OTHER_MOTIFS = {"titulaire": (("Mutation", 0.55), ("Disponibilité", 0.2), ("Démission", 0.15), ("Décès", 0.05),
                               ("Détachement", 0.05)),
                 "stagiaire": (("Démission", 0.6), ("Mutation", 0.3), ("Licenciement", 0.1)),
                 "contractuel_permanent": (("Démission", 0.5), ("Fin de contrat", 0.4), ("Mutation", 0.1)),
                 "contractuel_non_permanent": (("Fin de contrat", 0.9), ("Démission", 0.1))}


@dataclass
class _Agent:
    matricule: str
    job: _Job
    sexe: str
    nom: str
    prenom: str
    birth: date
    entree: date
    statut: str
    quotite: int
    boe: bool
    sortie: date | None = None
    motif: str = ""
    protect: bool = False


def _draw_person(rng, job: _Job, age_years: float, on: date):
    sexe = "F" if rng.random() < job.female else "H"
    prenom = _pick(_PRENOMS_F if sexe == "F" else _PRENOMS_H, rng)
    nom = _pick(_NOMS, rng)
    birth = _d(on.toordinal() - int(round(age_years * 365.25)))
    return sexe, nom, prenom, birth


def _draw_quotite(rng, sexe: str) -> int:
    u = rng.random()
    p80 = 0.10 if sexe == "F" else 0.03
    if u < p80:
        return 80
    if u < p80 + 0.03:
        return 50
    if u < p80 + 0.06:
        return 90
    if u < p80 + 0.07:
        return 70
    return 100


def _departure(rng, a: _Agent, start: date, end: date):
    """Draw (date, motif) of the agent's departure after ``start`` or None when after ``end``."""
    if a.protect:
        return None
    thr = 57.5 if a.job.active else 62.5
    elig = max(start.toordinal(), a.birth.toordinal() + int(thr * 365.25))
    t_ret = elig + int(rng.exponential(1.6 * 365.25))
    t_ret = min(t_ret, _add_years(a.birth, 67).toordinal())
    t_oth = start.toordinal() + int(rng.exponential(365.25 / _OTHER_RATE[a.statut]))
    if min(t_ret, t_oth) > end.toordinal():
        return None
    if t_ret <= t_oth:
        d = _d(t_ret)
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)  # pensions start on the 1st of a month
        if d > end:
            return None
        return d, "Retraite"
    motifs = _OTHER_MOTIFS[a.statut]
    p = np.array([m[1] for m in motifs])
    return _d(t_oth), motifs[int(rng.choice(len(motifs), p=p / p.sum()))][0]


def _simulate_agents(rng, scale: int) -> list[_Agent]:
    end = EXTRACTIONS["T12"]
    agents: list[_Agent] = []
    slots: list[_Job] = []
    for job in JOBS:
        slots += [job] * (job.n if job.unique else job.n * scale)
    boundary = list(BOUNDARY_BIRTHS)
    for job in slots:
        if job.unique:
            statut = "titulaire"
        elif job.encadrant:
            statut = "titulaire" if rng.random() < 0.93 else "contractuel_permanent"
        else:
            statut = _STATUTS[int(rng.choice(4, p=[0.77, 0.03, 0.08, 0.12]))]
        if statut == "contractuel_non_permanent":
            age = rng.uniform(19.5, 45)
        elif statut == "stagiaire":
            age = rng.uniform(22, 45)
        elif job.encadrant:
            age = float(np.clip(rng.normal(50, 7), 32, 64))
        elif rng.random() < 0.6:
            age = float(np.clip(rng.normal(55, 5), 35, 65.5))
        else:
            age = rng.uniform(24, 60)
        sexe, nom, prenom, birth = _draw_person(rng, job, age, _SIM_START)
        protect = False
        for k, (metier, bdate) in enumerate(boundary):
            if metier == job.metier:
                birth, protect = bdate, True
                statut = "titulaire"
                del boundary[k]
                break
        age = (_SIM_START - birth).days / 365.25
        if statut == "contractuel_non_permanent":
            tenure = rng.uniform(0.05, 2.5)
        elif statut == "stagiaire":
            tenure = rng.uniform(0.02, 0.9)
        else:
            tenure = rng.uniform(0.5, max(1.0, min(age - 19, 38)))
        entree = _d(_SIM_START.toordinal() - int(tenure * 365.25))
        agents.append(_Agent("", job, sexe, nom, prenom, birth, entree, statut, _draw_quotite(rng, sexe),
                             False, protect=protect))
    # BOE: 6.5 % of the initial roster, more often among older agents.
    w = np.array([1.0 + max(_age(a.birth, _SIM_START) - 40, 0) / 10 for a in agents])
    for i in rng.choice(len(agents), size=int(round(0.065 * len(agents))), replace=False, p=w / w.sum()):
        agents[i].boe = True
    # Departures, replacements (the slot is filled again) and a few new posts, in waves.
    pending = list(agents)
    non_unique = [j for j in JOBS if not j.unique and not j.encadrant]
    n_new = int(round(0.03 * len(slots)))
    for _ in range(n_new):
        job = _pick(non_unique, rng)
        hire = _d(int(rng.integers(_SIM_START.toordinal(), end.toordinal())))
        statut = "contractuel_non_permanent" if rng.random() < 0.6 else "contractuel_permanent"
        sexe, nom, prenom, birth = _draw_person(rng, job, float(np.clip(rng.normal(33, 8), 19, 58)), hire)
        new = _Agent("", job, sexe, nom, prenom, birth, hire, statut, _draw_quotite(rng, sexe),
                     bool(rng.random() < 0.05))
        agents.append(new)
        pending.append(new)
    while pending:
        nxt = []
        for a in pending:
            dep = _departure(rng, a, max(a.entree, _SIM_START), end)
            if dep is None:
                continue
            a.sortie, a.motif = dep
            if rng.random() < (1.0 if a.job.unique else 0.85):
                hire = _d(a.sortie.toordinal() + int(rng.integers(20, 150)))
                if hire > end:
                    continue
                if a.job.encadrant:
                    statut = "titulaire" if rng.random() < 0.6 else "contractuel_permanent"
                else:
                    statut = _STATUTS[int(rng.choice(4, p=[0.35, 0.25, 0.2, 0.2]))]
                sexe, nom, prenom, birth = _draw_person(rng, a.job, float(np.clip(rng.normal(36, 9), 20, 60)), hire)
                new = _Agent("", a.job, sexe, nom, prenom, birth, hire, statut, _draw_quotite(rng, sexe),
                             bool(rng.random() < 0.05))
                agents.append(new)
                nxt.append(new)
        pending = nxt
    # Matricules: unique, random, "M" + 5 digits (more when the roster is very large).
    width = max(5, len(str(len(agents) * 3)))
    nums = rng.choice(np.arange(10 ** (width - 2), 10 ** width), size=len(agents), replace=False)
    for a, n in zip(agents, nums):
        a.matricule = f"M{int(n):0{width}d}"
    return agents


def _present(a: _Agent, on: date) -> bool:
    return a.entree <= on and (a.sortie is None or a.sortie > on)


def _statut_on(a: _Agent, on: date) -> str:
    if a.statut == "stagiaire" and _add_years(a.entree, 1) <= on:
        return "titulaire"
    return a.statut


def _rh_rows(rng, agents: list[_Agent]):
    rows = []
    prev = _SIM_START
    for jalon, ext in EXTRACTIONS.items():
        listed = [a for a in agents if _present(a, ext) or (a.sortie is not None and prev < a.sortie <= ext
                                                             and a.entree <= a.sortie)]
        listed.sort(key=lambda a: (_SVC_INDEX[a.job.service], a.nom, a.prenom, a.matricule))
        for a in listed:
            left = not _present(a, ext)
            zero = rng.random() < 0.35
            raw = float(rng.gamma(1.6, 8.0)) * TRAINING_FACTOR[a.job.service]
            hours = 0.0 if zero else max(0.5, round(raw * 2) / 2)
            if a.job.encadrant and jalon == "T12" and not left:
                hours += 14.0
            svc = a.job.service if rng.random() < 0.92 else _SVC[a.job.service].libelle
            rows.append([a.matricule, a.nom.upper(), a.prenom, a.sexe, _fr(a.birth),
                         svc, _statut_on(a, ext), a.job.categorie, a.job.filiere, a.job.cadre, a.job.metier,
                         _fr(a.entree), _fr(a.sortie) if left else "", a.motif if left else "",
                         _dec(a.quotite), "oui" if a.job.active else "non", "oui" if a.job.encadrant else "non",
                         "oui" if a.boe else "non", _dec(hours), _fr(ext)])
        prev = ext
    return rows


_MOTIF_SPEC = (  # motif, rate per agent-year at multiplier 1, duration sampler, follows the service multiplier
    ("MO", 2.0, "mo", True), ("AT", 0.08, "at", True), ("CLM", 0.025, "clm", True), ("CLD", 0.004, "cld", True),
    ("MP", 0.006, "mp", True), ("AUTRE", 0.4, "autre", False), ("MAT", 0.05, "mat", False),
    ("PAT", 0.04, "pat", False),
)


def _duration(rng, kind: str, n: int) -> np.ndarray:
    if kind == "mo":
        return np.clip(np.round(np.exp(rng.normal(1.4, 0.7, n))), 1, 45).astype(int)
    if kind == "at":
        return np.clip(np.round(np.exp(rng.normal(2.5, 0.7, n))), 1, 120).astype(int)
    if kind == "clm":
        return rng.integers(30, 121, n)
    if kind == "cld":
        return rng.integers(180, 366, n)
    if kind == "mp":
        return rng.integers(14, 121, n)
    if kind == "autre":
        return rng.integers(1, 4, n)
    if kind == "mat":
        return np.full(n, 112)
    return np.full(n, 25)


def _absences(rng, agents: list[_Agent]):
    n = len(agents)
    svc = np.array([_SVC_INDEX[a.job.service] for a in agents])
    a_start = np.array([max(a.entree, _ABS_START).toordinal() for a in agents])
    a_end = np.array([min(a.sortie.toordinal() - 1 if a.sortie else _ABS_END.toordinal(), _ABS_END.toordinal())
                      for a in agents])
    years = np.clip(a_end - a_start, 0, None) / 365.25
    female = np.array([a.sexe == "F" for a in agents])
    age_mid = np.array([(date(2025, 11, 1) - a.birth).days / 365.25 for a in agents])
    technical = np.array([a.job.filiere == TEC for a in agents])
    m_max = np.maximum(_absence_mult(svc, _T0_ORD), _absence_mult(svc, _T12_ORD))
    out_agent, out_motif, out_start, out_end = [], [], [], []
    for motif, rate, kind, follows in _MOTIF_SPEC:
        r = np.full(n, rate)
        if follows:
            r = r * (m_max if motif == "MO" else m_max ** 2)
        if motif == "AT":
            r = r * np.where(technical, 2.0, 0.7)
        if motif == "MAT":
            r = r * (female & (age_mid >= 22) & (age_mid <= 42))
        if motif == "PAT":
            r = r * (~female & (age_mid >= 22) & (age_mid <= 50))
        k = rng.poisson(r * years)
        idx = np.repeat(np.arange(n), k)
        starts = a_start[idx] + np.floor(rng.random(idx.size) * np.maximum(a_end[idx] - a_start[idx], 1)).astype(int)
        keep = np.ones(idx.size, bool)
        if follows:
            m_t = _absence_mult(svc[idx], starts)
            mm = m_max[idx]
            p = m_t / mm if motif == "MO" else (m_t / mm) ** 2
            keep = rng.random(idx.size) < p
        dur = _duration(rng, kind, idx.size)
        ends = np.minimum(starts + dur - 1, a_end[idx])
        out_agent.append(idx[keep])
        out_motif += [motif] * int(keep.sum())
        out_start.append(starts[keep])
        out_end.append(ends[keep])
    ag = np.concatenate(out_agent)
    st = np.concatenate(out_start)
    en = np.concatenate(out_end)
    mot = np.array(out_motif, dtype=object)
    order = np.lexsort((en, st, ag))
    rows = []
    last_agent, last_end = -1, -1
    for i in order:
        if ag[i] == last_agent and st[i] <= last_end:
            continue  # no overlapping absences for one agent
        if ag[i] != last_agent:
            last_agent = ag[i]
        last_end = en[i]
        rows.append((st[i], agents[ag[i]].matricule, mot[i], st[i], en[i]))
    rows.sort(key=lambda r: (r[0], r[1]))
    return [[m, mo, _iso(_d(s)), _iso(_d(e))] for _, m, mo, s, e in rows]


# --------------------------------------------------------------------------------------------------
# Survey
# --------------------------------------------------------------------------------------------------


def _likert(z: np.ndarray) -> np.ndarray:
    return 1 + (z > -1.4).astype(int) + (z > -0.6).astype(int) + (z > 0.0).astype(int) + (z > 1.0).astype(int)


def _survey_rows(rng, scale: int, agents: list[_Agent]):
    n = 350 * scale
    cells, probs = [], []
    for sx in ("F", "H"):
        for ag in AGES:
            for q in QUARTIERS:
                pop = _POP_SEXE[sx] * _POP_AGE[ag] * _POP_QUARTIER[q] / _POP15 ** 2
                cells.append((sx, ag, q))
                probs.append(pop * _SEL_SEXE[sx] * _SEL_AGE[ag] * _SEL_QUARTIER[q])
    probs = np.array(probs) / sum(probs)
    cell_eff = np.array([_EFF_AGE[a] + _EFF_SEXE[sx] + _EFF_QUARTIER.get(q, 0.0) for sx, a, q in cells])
    survey_svcs = [sv for sv in SERVICES if sv.contact > 0]
    contact = np.array([sv.contact for sv in survey_svcs])
    contact = contact / contact.sum()
    svc_idx_all = np.array([_SVC_INDEX[sv.code] for sv in survey_svcs])
    staff_now: dict[str, list[_Agent]] = {}
    for a in agents:
        if a.sortie is None:
            staff_now.setdefault(a.job.service, []).append(a)
    missing_tokens = ("NSP", "NSP", "Ne sait pas", "Sans avis", "", "")
    csp_p = np.array([0.38, 0.15, 0.2, 0.08, 0.1, 0.09])
    rows = []
    for jalon in ("T0", "T6", "T12"):
        lo, hi = _FIELDWORK[jalon]
        cell = rng.choice(len(cells), size=n, p=probs)
        svc_pos = rng.choice(len(survey_svcs), size=n, p=contact)
        days = rng.integers(lo.toordinal(), hi.toordinal() + 1, n)
        d = _dysfunction_year(svc_idx_all[svc_pos], days)
        z = 0.35 + _SAT_SLOPE * (0.45 - d) + cell_eff[cell] + rng.normal(0, 0.75, n)
        likert = np.stack([_likert(z)] + [_likert(0.8 * z + off + rng.normal(0, 0.6, n)) for _, off in _ITEMS], 1)
        reco = np.clip(np.round(5.8 + 1.7 * z + rng.normal(0, 1.2, n)), 0, 10).astype(int)
        # Presentation draws, all vectorised.
        u_svc, u_case, u_case2, u_alias = rng.random(n), rng.random(n), rng.random(n), rng.integers(0, 60, n)
        mode, u_mixed = rng.random(n), rng.random((n, 6))
        missing = rng.random((n, 6)) < np.array([0.015] + [0.05] * 5)
        tok = rng.integers(0, len(missing_tokens), (n, 6))
        canal = rng.choice(4, size=n, p=[0.45, 0.25, 0.22, 0.08])
        reco_missing = rng.random(n) < 0.04
        u_csp, csp_pick, csp_other = rng.random((n, 3)), rng.choice(6, size=n, p=csp_p), rng.random(n)
        order = np.argsort(days, kind="stable")
        width = max(4, len(str(n)))
        for k, i in enumerate(order):
            sx, ag, q = cells[cell[i]]
            sv = survey_svcs[svc_pos[i]]
            if u_svc[i] < 0.72:
                svc_txt = sv.code
            elif u_svc[i] < 0.88:
                svc_txt = sv.alias[u_alias[i] % len(sv.alias)]
            else:
                svc_txt = sv.libelle
            if u_case[i] < 0.03:
                svc_txt = svc_txt.lower() if u_case2[i] < 0.5 else svc_txt.upper()
            values = []
            for j in range(6):
                if missing[i, j]:
                    values.append(missing_tokens[tok[i, j]])
                elif mode[i] < 0.6 or (mode[i] >= 0.95 and u_mixed[i, j] < 0.5):
                    values.append(str(int(likert[i, j])))
                else:
                    values.append(LIKERT_LABELS[int(likert[i, j]) - 1])
            if ag in ("60-74", "75+") and u_csp[i, 0] < (0.6 if ag == "60-74" else 0.9):
                csp = "Retraité"
            elif ag == "15-29" and u_csp[i, 1] < 0.35:
                csp = "Étudiant, élève"
            elif u_csp[i, 2] < 0.05:
                csp = ""
            else:
                csp = _CSP[int(csp_pick[i]) if csp_other[i] < 0.85 else 7]
            comment = _survey_comment(rng, int(likert[i, 0]), sv.code, q, staff_now.get(sv.code, []))
            rows.append([f"{jalon}-{k + 1:0{width}d}", jalon, _fr(_d(days[i])), sx, ag, q, csp, svc_txt,
                         _CANAUX[canal[i]], *values, "" if reco_missing[i] else str(int(reco[i])), comment])
    return rows


#: Median waiting time (minutes) by channel for an answer of 3 on ``delai``; online and mail: not asked.
_WAIT_MEDIAN = {"guichet": 12.0, "telephone": 4.0}


def _add_waiting_times(rng, rows: list[list]) -> None:
    """Insert ``temps_attente`` (whole minutes, before the comment) in every survey row, in place.

    Log-normal around :data:`_WAIT_MEDIAN` of the channel, 30 % longer per point of ``delai`` below 3
    (so waits shrink where the delays improve); blank for online and mail contacts and for 8 % of the
    others (not answered). Drawn from its own stream so the other columns keep their values.
    """
    n = len(rows)
    noise, blank = rng.normal(0.0, 0.45, n), rng.random(n) < 0.08
    for i, row in enumerate(rows):
        base = _WAIT_MEDIAN.get(row[8])
        delai = row[11]
        level = (int(delai) if delai.isdigit() else LIKERT_LABELS.index(delai) + 1 if delai in LIKERT_LABELS
                 else 3)
        wait = "" if base is None or blank[i] else str(int(round(base * np.exp(0.3 * (3 - level) + noise[i]))))
        row.insert(16, wait)


def _survey_comment(rng, sat: int, code: str, quartier: str, staff: list[_Agent]) -> str:
    if rng.random() < 0.42:
        return ""
    parts = []
    bank = _COM_POS if sat >= 4 else _COM_NEG if sat <= 2 else _COM_NEU
    parts.append(_expand(_pick(bank, rng), rng))
    if code in _COM_SVC and rng.random() < 0.5:
        parts.insert(0, _expand(_pick(_COM_SVC[code], rng), rng))
    if rng.random() < 0.07:
        agent = _pick(staff, rng) if staff else None
        tpl = _pick(_COM_PII, rng)
        if agent is None and "{nom_agent}" in tpl:
            tpl = _COM_PII[0]
        resident = _pick(_RESIDENTS, rng)
        parts.append(tpl.format(
            tel=_phone(rng), civ=_pick(("Mme", "M.", "Madame", "Monsieur"), rng),
            civ_res=_pick(("Mme", "M.", "Madame"), rng), resident=resident, quartier=quartier,
            nom_agent=agent.nom if agent else "",
            mail_res=f"{_email_local(_pick(_PRENOMS_F + _PRENOMS_H, rng), resident)}"
                     f"{int(rng.integers(10, 99))}@{_pick(('gmail.com', 'orange.fr', 'wanadoo.fr', 'yahoo.fr'), rng)}"))
    sep = "\n" if rng.random() < 0.01 else " "
    text = sep.join(parts)
    if rng.random() < 0.12:
        text = _strip_accents(text)
    if rng.random() < 0.05:
        text = text.lower()
    return text


# --------------------------------------------------------------------------------------------------
# Immersion forms
# --------------------------------------------------------------------------------------------------


def _theme_weights(base: dict, typ: str) -> np.ndarray:
    w = np.array([base.get(t, 1.0) * _TYPE_BOOST[typ].get(t, 1.0) for t in THEMES])
    return w / w.sum()


def _choose_themes(rng, w: np.ndarray) -> list[str]:
    k = int(rng.choice(3, p=[0.45, 0.4, 0.15])) + 1
    idx = rng.choice(len(THEMES), size=k, replace=False, p=w)
    return [THEMES[i] for i in sorted(idx)]


def _sentence(rng, template: str, opener: str = "") -> str:
    s = _expand(template, rng)
    if opener:
        s = s[0].lower() + s[1:]
        if opener.endswith("de ") and _strip_accents(s[0]) in "aeiouh":
            opener = opener[:-2] + "'"
        s = opener + s
        if opener.startswith("Pourquoi"):
            s = s.rstrip(".") + " ?"
    return s


def _compose(rng, sentences: list[str]) -> str:
    if len(sentences) > 1 and rng.random() < 0.2:
        return "\n".join("- " + s for s in sentences)
    if len(sentences) > 1 and rng.random() < 0.15:
        return " ; ".join(s.rstrip(".") for s in sentences) + "."
    return " ".join(sentences)


def _degrade(rng, text: str) -> str:
    if rng.random() < 0.08:
        text = _strip_accents(text)
    if rng.random() < 0.12:
        for good, bad in _TYPOS:
            if good in text:
                text = text.replace(good, bad, 1)
                break
    if rng.random() < 0.03:
        text = text.lower()
    return text


def _pii_sentence(rng, host_staff: list[_Agent]) -> str:
    a = _pick(host_staff, rng)
    civ = _pick(("M.", "Monsieur"), rng) if a.sexe == "H" else _pick(("Mme", "Madame"), rng)
    kind = int(rng.integers(8))
    if kind == 0:
        return _expand(f"Merci à {civ} {a.nom} pour [son accueil|sa disponibilité|ses explications].", rng)
    if kind == 1:
        return _expand(f"{a.prenom} [m'a présenté|m'a expliqué] [le fonctionnement du service|les dossiers en cours].",
                       rng)
    if kind == 2:
        return _expand(f"[J'ai échangé|J'ai pu échanger] avec {a.prenom} {a.nom} sur [ses missions|son poste].", rng)
    if kind == 3:
        return _expand(f"Pour [toute question|le suivi], contacter {_email_local(a.prenom, a.nom)}@ville-ducos.fr.",
                       rng)
    if kind == 4:
        return _expand(f"{civ} {a.nom} [propose|suggère] de [poursuivre les échanges|revenir en immersion], "
                       f"[tél.|tel] {_phone(rng)}.", rng)
    if kind == 5:
        return _expand(f"[Rendez-vous de suivi|Réunion de suivi] au {_address(rng)}.", rng)
    if kind == 6:
        return _expand(f"[L'atelier|Le dépôt] du {_address(rng)} [mériterait un rangement|aurait besoin d'un "
                       f"rafraîchissement].", rng)
    return _expand(f"{a.nom} [nous a montré|m'a fait visiter] [le terrain|les installations], [joignable au|"
                   f"portable :] {_phone(rng)}.", rng)


def _field(rng, kind: str, themes: list[str]) -> str:
    if rng.random() < 0.04:
        return _pick(_VIDES, rng) if kind != "points_forts" or rng.random() < 0.3 else _expand(
            _pick(_HORS_THEME, rng), rng)
    bank = {"points_forts": _PF, "axes_progression": _AX, "propositions": _PR}[kind]
    sentences = []
    for t in themes:
        opener = _pick(_PR_OPENERS, rng) if kind == "propositions" else ""
        sentences.append(_sentence(rng, _pick(bank[t], rng), opener))
    if rng.random() < 0.12:
        off = _expand(_pick(_HORS_THEME, rng), rng)
        sentences.insert(int(rng.integers(len(sentences) + 1)), off)
    return _compose(rng, sentences)


def _forms(rng, scale: int, agents: list[_Agent]):
    n = 100 * scale
    t0, t6, t12 = (JALONS[k].toordinal() for k in ("T0", "T6", "T12"))
    u = rng.random(n)
    days = np.where(u < 0.05, rng.integers(t0 - 39, t0, n),
                    np.where(u < 0.45, rng.integers(t0 + 3, t6, n), rng.integers(t6 + 3, t12 - 1, n)))
    days = np.sort(np.array([_weekday(int(x)) for x in days]))
    days = np.minimum(days, t12 - 1)
    managers = [a for a in agents if a.job.encadrant]
    far = 10 ** 7

    def spans(group):
        return (np.array([a.entree.toordinal() for a in group]),
                np.array([a.sortie.toordinal() if a.sortie else far for a in group]))

    m_in, m_out = spans(managers)
    by_svc: dict[str, list[_Agent]] = {}
    for a in agents:
        by_svc.setdefault(a.job.service, []).append(a)
    svc_spans = {code: spans(group) for code, group in by_svc.items()}
    codes = [s.code for s in SERVICES]
    width = max(4, len(str(n)))
    rows = []
    for k, day in enumerate(days):
        on = _d(day)
        present = np.flatnonzero((m_in <= day) & (m_out > day))
        guest = managers[int(present[int(rng.integers(len(present)))])]
        origin = guest.job.service
        typ = "inter" if rng.random() < 0.55 else "intra"
        host = origin if typ == "intra" else _pick([c for c in codes if c != origin], rng)
        pf_w = _theme_weights(_PROFILE[host][0], typ)
        ax_w = _theme_weights(_PROFILE[host][1], typ)
        pf_t = _choose_themes(rng, pf_w)
        ax_t = _choose_themes(rng, ax_w)
        pr_t = [t for t in ax_t if rng.random() < 0.7] or [ax_t[0]]
        if rng.random() < 0.25:
            extra = THEMES[int(rng.choice(len(THEMES), p=ax_w))]
            if extra not in pr_t:
                pr_t.append(extra)
        texts = {"points_forts": _field(rng, "points_forts", pf_t),
                 "axes_progression": _field(rng, "axes_progression", ax_t),
                 "propositions": _field(rng, "propositions", pr_t)}
        if rng.random() < 0.32:
            s_in, s_out = svc_spans[host]
            staff = [by_svc[host][i] for i in np.flatnonzero((s_in <= day) & (s_out > day))]
            staff = [a for a in staff if a is not guest] or by_svc[host]
            which = _pick(("points_forts", "points_forts", "axes_progression", "propositions"), rng)
            if texts[which] in _VIDES:
                which = "points_forts"
            pii = _pii_sentence(rng, staff)
            texts[which] = (texts[which] + " " + pii) if rng.random() < 0.7 else (pii + " " + texts[which])
        for key in texts:
            texts[key] = _degrade(rng, texts[key])
        dh = float(_dysfunction(_SVC_INDEX[host], day))
        notes = []
        for t in THEMES:
            if rng.random() < 0.04:
                notes.append(None)
                continue
            m = 3.3 + 0.9 * (0.45 - dh) + 0.5 * (t in pf_t) - 0.6 * (t in ax_t) + rng.normal(0, 0.7)
            notes.append(int(np.clip(np.round(m), 1, 5)))

        def svc_txt(code):
            v = rng.random()
            return code if v < 0.8 else (_SVC[code].libelle if v < 0.92 else _pick(_SVC[code].alias, rng))

        rows.append([f"FI-{k + 1:0{width}d}", on, typ, svc_txt(host), svc_txt(origin), guest.matricule, *notes,
                     texts["points_forts"], texts["axes_progression"], texts["propositions"]])
    return rows


# --------------------------------------------------------------------------------------------------
# Indicators, self-evaluations, seminar
# --------------------------------------------------------------------------------------------------

_INDICATORS = {  # indicator: (services, baseline, how d acts)
    "delai_traitement_jours": {"ETC": 4.0, "ACC": 3.0, "CCAS": 21.0, "URB": 48.0, "ST": 14.0, "ENV": 9.0, "FIN": 12.0,
                               "PM": 5.0, "SCO": 6.0, "PE": 30.0},
    "reclamations": {s.code: 2.0 + 20 * s.contact for s in SERVICES if s.contact > 0},
    "dossiers_traites": {"ETC": 310, "ACC": 420, "CCAS": 140, "URB": 45, "ST": 160, "ENV": 120, "FIN": 260, "PM": 90,
                         "SCO": 70, "PE": 25, "REST": 40, "JEU": 55, "SPO": 30, "CULT": 35},
    "taux_decroche": {"ETC": 85.0, "ACC": 88.0, "CCAS": 80.0, "URB": 82.0, "ST": 78.0, "PM": 90.0, "SCO": 84.0,
                      "PE": 86.0},
}


def _indicator_rows(rng):
    months = []
    y, m = _SIM_START.year, _SIM_START.month
    while (y, m) <= (2026, 10):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    rows = []
    for s in SERVICES:
        for (y, m) in months:
            mid = date(y, m, 15).toordinal()
            d = float(_dysfunction(_SVC_INDEX[s.code], mid))
            season = 1.0 + 0.15 * np.cos(2 * np.pi * (m - 9) / 12)
            for ind, base in _INDICATORS.items():
                if s.code not in base:
                    continue
                b = base[s.code]
                if ind == "delai_traitement_jours":
                    v = _dec(b * (0.6 + 0.9 * d) * season * float(np.exp(rng.normal(0, 0.12))), 1)
                elif ind == "reclamations":
                    v = str(int(rng.poisson(b * (0.3 + 2.2 * d))))
                elif ind == "dossiers_traites":
                    v = str(int(rng.poisson(b * season)))
                else:
                    v = _dec(float(np.clip(b + 10 * (0.45 - d) * 2 + rng.normal(0, 3), 30, 99.5)), 1)
                rows.append([s.code, f"{y:04d}-{m:02d}", ind, v])
    return rows


def _autoeval_rows(rng, agents: list[_Agent]):
    on = date(2026, 6, 1)
    managers = sorted((a for a in agents if a.job.encadrant and _present(a, on)
                       and (a.sortie is None or a.sortie > date(2026, 10, 31))),
                      key=lambda a: a.matricule)
    rows = []
    t6, t12 = JALONS["T6"].toordinal(), JALONS["T12"].toordinal()
    for a in managers:
        ability = rng.normal(0, 0.6)
        d_avant = _weekday(int(rng.integers(t6 + 17, t6 + 60)))
        d_apres = _weekday(int(rng.integers(t6 + 120, t12 - 14)))
        no_after = rng.random() < 0.10
        for j, comp in enumerate(_COMPETENCES):
            before = _COMP_BASE[j] + ability + rng.normal(0, 0.5)
            after = before + AUTOEVAL_GAIN[comp] + rng.normal(0, 0.45)
            nb, na = (int(np.clip(np.round(x), 1, 5)) for x in (before, after))
            if rng.random() > 0.02:
                rows.append([a.matricule, "avant", _d(d_avant), comp, nb])
            if not no_after and rng.random() > 0.02:
                rows.append([a.matricule, "apres", _d(d_apres), comp, na])
    rows.sort(key=lambda r: (r[2], r[0], _COMPETENCES.index(r[3])))
    return rows


def _seminar_rows(rng, scale: int, agents: list[_Agent]):
    present = [a for a in agents if _present(a, _SEMINAIRE)]
    n = min(60 * scale, len(present))
    chosen = [present[i] for i in sorted(rng.choice(len(present), size=n, replace=False))]
    rows = []
    for k, a in enumerate(chosen):
        base = rng.normal(0.8, 0.9)
        notes = [int(np.clip(np.round(3.2 + base + off + rng.normal(0, 0.5)), 1, 5)) for off in (0.1, 0.2, -0.1, 0.0)]
        cells = [str(v) if (j == 3 or rng.random() > 0.04) else "" for j, v in enumerate(notes)]
        comment = ""
        if rng.random() < 0.6:
            bank = _SEM_POS if notes[3] >= 4 else _SEM_NEG if notes[3] <= 2 else (_SEM_POS, _SEM_NEG)[k % 2]
            parts = [_expand(_pick(bank, rng), rng)]
            if rng.random() < 0.3:
                parts.append(_expand(_pick(_SEM_POS + _SEM_NEG, rng), rng))
            if rng.random() < 0.1:
                other = _pick(present, rng)
                civ = "Mme" if other.sexe == "F" else "M."
                parts.append(_pick(_SEM_PII, rng).format(
                    civ=civ, nom_agent=other.nom, tel=_phone(rng),
                    mail_agent=f"{_email_local(a.prenom, a.nom)}@ville-ducos.fr"))
            comment = " ".join(dict.fromkeys(parts))
        rows.append([a.matricule, _fr(_SEMINAIRE), *cells, comment])
    rng.shuffle(rows)
    return rows


# --------------------------------------------------------------------------------------------------
# Invalid rows
# --------------------------------------------------------------------------------------------------


def _plant(rows, fraction: float, col: int, value) -> int:
    """Overwrite one cell of the row at ``fraction`` of the file; return its spreadsheet line."""
    i = min(len(rows) - 1, int(len(rows) * fraction))
    rows[i][col] = value
    return i + 2


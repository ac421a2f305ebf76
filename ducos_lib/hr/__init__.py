"""HR indicators (RSU) and GPEC retirement projections (DESIGN §5, tables of §4).

The package returns numbers and frames only; the French labels, sentences, alt texts and display
tables of report 03 live in :mod:`ducos_lib.reports.rh`.

- :mod:`.indicators`: RSU indicators of an extraction, the age pyramid, their masking;
- :mod:`.retirement`: retirement rules (``config/retraite.yml``) and each agent's dates;
- :mod:`.gpec`: retirements projected per year and group, jobs at risk, cumulated totals;
- :mod:`.diffusion`: every table of a milestone at one level of diffusion (``copil`` masked as
  DESIGN §6 says, ``restreinte`` unmasked), :func:`publish`.

Inputs are the processed datasets of ``docs/processed_data.md``:

- ``rh_agents``: one row per agent × extraction (``matricule``, ``sexe``, ``mois_naissance``,
  ``service``, ``statut``, ``categorie``, ``filiere``, ``metier``, ``date_entree``,
  ``date_sortie``, ``quotite``, ``categorie_active``, ``encadrant``, ``boe``,
  ``heures_formation``, ``date_extraction``). An extraction lists the agents present on its date
  and may also list agents who left since the previous extraction, with their ``date_sortie``:
  they count as departures, never in the headcount.
- ``rh_absences``: ``matricule``, ``motif``, ``date_debut``, ``date_fin``.

Conventions shared by every function (see each docstring's Notes for the details):

- *Present on day t*: ``date_entree <= t`` (or unknown) and ``date_sortie`` missing or ``> t``
  (``date_sortie`` is the first day the agent is no longer in post).
- *The 12-month window ending at D*: calendar days from ``D - 1 year + 1 day`` to ``D``, both
  included (365 or 366 days).
- *Permanent agents* (RSU): fonctionnaires (titulaires and stagiaires) and contractuels
  permanents, :data:`PERMANENT_STATUSES`.
- *Age*: only the birth month is kept (DESIGN §6), stored as its first day; an agent's age at a
  date is counted in completed months from that day (an agent born in the extraction's month has
  had their birthday). Decimal ages are completed months / 12.
- Missing group labels become :data:`NON_RENSEIGNE` so that groups partition the ensemble.

Rates are in % (``12.5`` means 12,5 %), as the RSU publishes them.

References
----------
.. [1] Décret n° 2020-1493 du 30 novembre 2020 relatif à la base de données sociales et au rapport
   social unique dans la fonction publique.
.. [2] Arrêté du 10 décembre 2021 fixant pour la fonction publique territoriale la liste des
   indicateurs contenus dans la base de données sociales (rapport social unique).
.. [3] CNRACL, *Catégories actives* and *Âge de départ à la retraite* (cnracl.retraites.fr).
.. [4] Loi n° 2023-270 du 14 avril 2023 de financement rectificative de la sécurité sociale pour
   2023 (relèvement de l'âge légal).
.. [5] Loi n° 2025-1403 de financement de la sécurité sociale pour 2026 (suspension du
   relèvement de l'âge légal ; pensions prenant effet à compter du 1er septembre 2026).
"""

from __future__ import annotations

from ._base import (
    ABSENCE_REASONS,
    BREAKDOWNS,
    CIVIL_SERVANT_STATUSES,
    DEPARTURE_COLUMNS,
    ENSEMBLE,
    GPEC_BREAKDOWNS,
    INDICATOR_COLUMNS,
    NON_RENSEIGNE,
    PERMANENT_STATUSES,
    RETIREMENT_CATEGORIES,
    SCENARIOS,
    STATUSES,
    age_in_months,
    milestone_extractions,
    present_on,
    window_12_months,
)
from .diffusion import (
    LEVELS,
    SINGLE_HOLDER_COLUMNS,
    HRPublication,
    audit_job_totals,
    publish,
    single_holder_posts,
)
from .gpec import (
    AUTRES,
    JOBS_AT_RISK_COLUMNS,
    cumulated_departures,
    departures_table,
    jobs_at_risk,
    mask_departures,
    pool_departures,
    pool_small_groups,
    project_departures,
)
from .indicators import (
    SHARE_INDICATORS,
    absence_days,
    age_pyramid,
    hr_indicators,
    indicator_changes,
    indicators_table,
    mask_indicators,
    published_value,
    share_numerators,
)
from .retirement import (
    RetirementRules,
    inferred_rule_count,
    legal_age_date,
    legal_departure_date,
    load_retirement_rules,
    retirement_dates,
)

__all__ = [
    "AUTRES", "HRPublication", "audit_job_totals", "LEVELS", "SHARE_INDICATORS", "SINGLE_HOLDER_COLUMNS", "pool_departures", "pool_small_groups", "publish",
    "share_numerators", "single_holder_posts",
    "ABSENCE_REASONS", "BREAKDOWNS", "CIVIL_SERVANT_STATUSES", "DEPARTURE_COLUMNS", "ENSEMBLE", "GPEC_BREAKDOWNS",
    "INDICATOR_COLUMNS", "JOBS_AT_RISK_COLUMNS", "NON_RENSEIGNE", "PERMANENT_STATUSES", "RETIREMENT_CATEGORIES",
    "SCENARIOS", "STATUSES", "RetirementRules", "absence_days", "age_in_months", "age_pyramid",
    "cumulated_departures", "departures_table", "hr_indicators", "indicator_changes", "indicators_table",
    "inferred_rule_count", "jobs_at_risk", "legal_age_date", "legal_departure_date", "load_retirement_rules",
    "mask_departures", "mask_indicators", "milestone_extractions", "present_on", "project_departures",
    "published_value", "retirement_dates", "window_12_months",
]

"""Design-based survey estimation, in the spirit of R's ``survey`` package (one module per verb
family, as R's ``R/`` folder).

* :mod:`.design` — the design object (``svydesign``): strata, multistage clusters, fpc, lonely
  PSUs; :func:`stack` of independent waves.
* :mod:`.variance` — linearisation variance (``svyrecvar``).
* :mod:`.estimators` — :func:`mean`, :func:`total`, :func:`proportion`, :func:`ratio`,
  :func:`var`, :func:`quantile`, :func:`mean_levels`, and :func:`by` for domains.
* :mod:`.calibration` — :func:`rake` (R's ``rake``), :func:`calibrate`, :func:`post_stratify`,
  weighting diagnostics.
* :mod:`.inference` — :func:`compare` (and :func:`compare_arrays`, vectorised), :func:`rao_scott` (``svychisq``).
* :mod:`.multitest` — the registry of p-value adjustments (:func:`adjust_pvalues`).
* :mod:`.replicate` — replicate-weight designs (``as.svrepdesign``, ``svrepdesign``).
* :mod:`.glm` — design-based GLMs (``svyglm``).
* :mod:`.tables` — the observatory's survey tables of DESIGN.md §4.

Everything is vectorised (NumPy ``bincount`` and SciPy sparse products, no Python loop over rows).
Results are small frozen objects spelled alike (``estimate``, ``se``, ``ci_low``, ``ci_high``,
``pvalue``, ``method``, ``to_frame()``); ``alpha`` is the only confidence parameter.

Defaults are R's (``svyciprop``'s degrees of freedom, ``na.rm=FALSE``, ``rake``'s stopping rule…);
the observatory's tables pass their own options explicitly (:data:`.tables.TABLE_OPTIONS`). The
French text of report 01 lives in :mod:`ducos_lib.reports.enquete`.

References
----------
Lumley, T. (2004). Analysis of complex survey samples. *Journal of Statistical Software* 9(1), 1-19.
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.
"""

from __future__ import annotations

from ._util import RakingError, RakingWarning, SurveyError
from .calibration import (
    Calibration,
    WeightingSummary,
    calibrate,
    margins_from_frame,
    post_stratify,
    rake,
    weighting_summary,
)
from .design import LONELY_PSU, SurveyDesign, design, stack
from .estimators import by, mean, mean_levels, proportion, quantile, ratio, total, var
from .glm import GlmResult, svyglm
from .inference import compare, compare_arrays, rao_scott
from .multitest import adjust_pvalues
from .replicate import ReplicateDesign, as_replicate, replicate_design
from .results import Comparison, Estimate, TestResult
from .tables import (
    COMPARISON_COLUMNS,
    ESTIMATION_COLUMNS,
    GROUP_VARIABLES,
    LIKERT_ITEMS,
    commentaires_par_vague,
    comparaisons_enquete,
    determinants_enquete,
    diagnostics_ponderation,
    driver_dimensions,
    enquete_settings,
    estimations_enquete,
    indicator_names,
    likert_items,
    marges_ponderation,
    quantiles_attente,
    repartition_recommandation,
    repartitions_likert,
    signaler_effectifs,
    themes_commentaires_enquete,
    wave_designs,
    wave_order,
)
from .variance import vcov

__all__ = [
    "SurveyError", "RakingError", "RakingWarning", "Calibration", "SurveyDesign", "ReplicateDesign", "Estimate",
    "Comparison", "TestResult", "WeightingSummary", "GlmResult", "LONELY_PSU",
    "design", "stack", "rake", "calibrate", "post_stratify", "margins_from_frame", "weighting_summary",
    "mean", "total", "proportion", "ratio", "var", "quantile", "mean_levels", "by", "vcov",
    "compare", "compare_arrays", "rao_scott", "adjust_pvalues", "as_replicate", "replicate_design", "svyglm",
    "LIKERT_ITEMS", "GROUP_VARIABLES", "ESTIMATION_COLUMNS", "COMPARISON_COLUMNS", "indicator_names",
    "likert_items", "driver_dimensions",
    "enquete_settings", "wave_order", "wave_designs", "estimations_enquete", "comparaisons_enquete",
    "signaler_effectifs", "diagnostics_ponderation", "marges_ponderation", "repartitions_likert",
    "repartition_recommandation", "commentaires_par_vague", "themes_commentaires_enquete",
    "determinants_enquete", "quantiles_attente",
]

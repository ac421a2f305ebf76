"""Column-wide screening of the redaction rules (issue 14 item 4): a rule skipped on a text without
its trigger would have found nothing there, so a column redacted with screening is byte-identical to
the same texts redacted one by one. Checked on the annotated development set (whole documents and
each of their lines) and on written edge cases of every trigger."""

from __future__ import annotations

import pandas as pd

from ducos_lib.redaction import (
    _SCREEN_FROM,
    Roster,
    _rule_spans,
    _screened_rule_spans,
    redact,
    redact_series,
    redaction_spans_many,
)
from ducos_lib.redaction.evaluation import REDACTION_DIR, load_documents
from ducos_lib.redaction.ner import candidate_windows

EDGE_CASES = [
    "Voir MmeMARCHAL au guichet.", "Signé : M.DURANTEAU.", "Le chef, B.LAURENCIN, valide.",
    "Écrire à prenom.nom [at] ville (point) fr ou x arobase wanadoo.fr", "jp(chez)orange.fr",
    "Appeler le +596 696 82 14 03 ou le 06.90.55.21.47 (pas le 01.02.2024).", "BP 54 97224 Ducos",
    "B.P. 12, Boîte postale 7", "domiciliés rue des Flamboyants", "14 bis chemin des Oliviers",
    "Résidence Les Hibiscus bât. C", "quartier Bel Air", "Vu avec louis-joseph et LOUIS-JOSEPH ce matin.",
    "Merci à Ghislaine.", "BELLEMARE Firmin", "Échati m'a reçu.", "ras", "", "   ", "12/03/2024 ; 3 %",
    "Monsieur le Maire a ouvert la séance.", "Accueil\u00a0Très bien\u2009merci\tSoufiane", "«Mme»Dupont",
]


def _texts() -> list[str]:
    texts = []
    for doc in load_documents(REDACTION_DIR / "developpement.jsonl"):
        texts.append(doc["texte"])
        texts += doc["texte"].split("\n")
    texts += EDGE_CASES
    assert len(texts) >= _SCREEN_FROM
    return texts


def test_screened_rules_find_the_same_spans_and_every_ner_candidate():
    texts = _texts()
    for roster in (None, Roster.build(["Louis-Joseph", "Lagier", "Petit", "Firmin Bellemare"])):
        screened, may_ner = _screened_rule_spans(texts, roster)
        for text, found, ner in zip(texts, screened, may_ner):
            alone = _rule_spans(text, roster)
            assert sorted(found) == sorted(alone), text
            if not ner:  # the NER model may skip the text only when it has no candidate window
                assert candidate_windows(text, [(s, e) for s, e, _ in alone]) == [], text


def test_column_redaction_equals_text_by_text():
    texts = _texts()
    roster = Roster.build(["Lagier", "Ursulet"])
    column = redact_series(pd.Series(texts + [None], dtype="string"), roster, ner=False)
    assert column.iloc[:-1].tolist() == [redact(t, roster, ner=False) for t in texts]
    assert column.isna().tolist() == [False] * len(texts) + [True]


def test_a_text_pyarrow_cannot_encode_is_redacted_all_the_same():
    texts = _texts() + ["Appeler Mme Dupont au 0696 12 34 56 \udcff"]
    spans = redaction_spans_many(texts, ner=False)
    assert spans[-1] == [(12, 18, "NOM"), (22, 35, "TELEPHONE")]
    assert spans[:-1] == redaction_spans_many(texts[:-1], ner=False)


def test_the_model_reads_only_windows_around_words_that_may_be_unknown_names():
    # Words that open sentences or list items in real answers, accented known words, civilities,
    # acronyms and codes sent the model thousands of windows (« Pas », « Démarche », « Mme », « RN5 »).
    sentence = "Pas assez. Pourquoi ? Très bien. Démarche lente. Éclairage : Mme la directrice. RN5, Beaucoup."
    assert candidate_windows(sentence, []) == []
    # Known words typed without accents and acronyms are no evidence either; first names typed so are.
    assert candidate_windows("Demarche lente, Eclairage faible. Formation CNFPT et EPI.", []) == []
    assert [w for w in ("Rene", "Jerome", "Helene") if candidate_windows(f"Vu avec {w} hier.", [])] == ["Rene", "Jerome", "Helene"]
    # Unknown capitalised words still open a window (names the rules cannot know).
    text = "Échati m'a reçu. Pas de suite pour Soufiane Ibrahima."
    windows = [text[a:b] for a, b in candidate_windows(text, [])]
    assert any("Échati" in w for w in windows) and any("Ibrahima" in w for w in windows)
    assert redact(text) == "[NOM] m'a reçu. Pas de suite pour [NOM]."


def test_a_long_column_shared_between_processes_gets_the_same_spans(monkeypatch):
    import ducos_lib.redaction as redaction

    texts = _texts() * 3
    monkeypatch.setattr(redaction, "_PARALLEL_FROM", len(texts))
    roster = Roster.build(["Lagier", "Ursulet", "Louis-Joseph"])
    assert redaction_spans_many(texts, roster, jobs=2) == redaction_spans_many(texts, roster, jobs=1)
    assert redaction_spans_many(texts[:-1], roster, jobs=2) == redaction_spans_many(texts[:-1], roster)

"""Features of the learned coder: spaCy tokens, lemmas and word vectors, negation scope, rule hits.

One pass of spaCy's tokenizer per answer (:func:`analyse`) gives what every feature block needs:

- lower-case, accent-free tokens and lemmas (the model's own form → lemma table, so possessives
  keep their surface form beside the lemma: ``mes collègues`` gives ``mes``, ``mon``, ``collegues``,
  ``collegue``);
- a *scope* per token: ``plain``, ``neg`` (inside a negation: ``pas assez de réunions``) or ``den``
  (inside a denial: ``ce n'est pas une question de moyens``, ``aucun problème de matériel``). A
  negated word is still a mention (a lack is a theme); a denied word is not;
- the mean of the model's word vectors over content words, outside denials.

:class:`FeatureSpace` turns analysed answers into one sparse matrix: TF-IDF of marked lemmas and
surface words (uni- and bigrams), TF-IDF of character n-grams (``dévalorisé`` shares them with
``valorisation``), the word-vector mean, the codebook's rule hits outside denials, and length bins.
Its fitted state is plain arrays and lists (:meth:`FeatureSpace.state`), saved with the model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..nlp import lemma_table, load_nlp, normalise, strip_accents
from .tokens import _PLACEHOLDER, ELISIONS

__all__ = ["Analysed", "FeatureSpace", "NEGATION_CUES", "analyse", "rule_text"]

#: Words that open a negation scope (the scope runs to the next punctuation or connective).
NEGATION_CUES = frozenset({"pas", "plus", "jamais", "aucun", "aucune", "sans", "ni", "rien", "guere", "nul",
                           "nulle", "manque", "absence"})
#: Words that close a scope.
_SCOPE_END = frozenset({"mais", "car", "donc", "cependant", "pourtant", "toutefois", "parce", "puisque", "alors",
                        "sinon", "contre", "revanche", "neanmoins", "meme", "si", "quand", "lorsque", "et"})
_SCOPE_LEN = 7

# Denials: the theme named after them is set aside, not complained about.
_DENIAL = [
    re.compile(p)
    for p in (
        r"\bce (?:ne )?(?:est|etait|sera|serait) (?:pas|plus|nullement|absolument pas|en rien)\b",
        r"\bil (?:ne )?(?:s ?agit|est question) (?:pas|plus)\b",
        r"\b(?:aucun|pas de|pas un|sans|jamais de|peu de) (?:vrai |reel |gros |grand |seul )?(?:probleme|souci|soucis|"
        r"difficulte|difficultes|reproche|plainte|critique)s?\b",
        r"\brien a (?:redire|signaler|dire|reprocher)\b",
        r"\bpas (?:une|la|le|la seule|le seul) (?:question|probleme|souci|raison|cause|sujet)\b",
        r"\bpas (?:lie|liee|lies|liees|du|de|a) (?:au|a la|aux|a|le|la)? ?(?:probleme|question)\b",
        r"\bn ?(?:y a|a) (?:rien|aucun)\b",
    )
]

#: Every denial pattern contains one of these strings (a quick test before running them).
_DENIAL_CUES = ("ce ", "il ", "aucun", "pas ", "sans ", "jamais ", "peu ", "rien")

@dataclass(frozen=True)
class Analysed:
    """One answer after :func:`analyse`.

    Attributes
    ----------
    tokens, lemmas : tuple of str
        Lower-case, accent-free, elisions expanded; punctuation tokens kept as written.
    scope : tuple of str
        ``plain``, ``neg`` or ``den`` per token.
    vector : ndarray
        Mean word vector of content words outside denials (zeros when none).
    n_words : int
        Alphabetic tokens.
    """

    tokens: tuple[str, ...]
    lemmas: tuple[str, ...]
    scope: tuple[str, ...]
    vector: np.ndarray
    n_words: int
    word_vectors: np.ndarray | None = None


def _scopes(tokens: Sequence[str]) -> list[str]:
    scope = ["plain"] * len(tokens)
    left = 0
    for i, tok in enumerate(tokens):
        if not tok[:1].isalnum() or tok in _SCOPE_END:
            left = 0
        elif left:
            scope[i] = "neg"
            left -= 1
        if tok in NEGATION_CUES:
            left = _SCOPE_LEN
    text = " ".join(tokens)
    if not any(cue in text for cue in _DENIAL_CUES):
        return scope
    starts, pos = [], 0
    for tok in tokens:  # character offsets of tokens in the joined string
        starts.append(pos)
        pos += len(tok) + 1
    for pattern in _DENIAL:
        for m in pattern.finditer(text):
            # the denial covers its cue and what follows up to the end of the scope
            first = next(i for i, s in enumerate(starts) if s + len(tokens[i]) > m.start())
            i, n = first, 0
            while i < len(tokens) and n < _SCOPE_LEN + 4:
                tok = tokens[i]
                if i > first and (not tok[:1].isalnum() or tok in _SCOPE_END) and starts[i] >= m.end():
                    break
                scope[i] = "den"
                i += 1
                n += starts[i - 1] >= m.end()
    return scope


#: Per-process cache of the token facts :func:`analyse` needs, by spaCy ``orth`` id (they depend on the
#: word form only): ``None`` for a space, else (token, lemma, vector or None, unit vector or None).
_LEXEMES: dict[int, tuple | None] = {}
_LEXEMES_MAX = 500_000


def _lexeme(vocab, orth: int, table) -> tuple | None:
    lex = vocab[orth]
    if lex.is_space:
        return None
    low = lex.lower_
    lemma = ELISIONS.get(low) or table.get(low, low)
    vector = unit = None
    if lex.is_alpha and not lex.is_stop and lex.has_vector:
        vector = np.array(lex.vector, dtype=np.float32)
        norm = np.linalg.norm(vector.reshape(1, -1), axis=1, keepdims=True)
        unit = np.divide(vector.reshape(1, -1), norm, out=np.zeros((1, len(vector)), np.float32), where=norm > 0)[0]
    return strip_accents(ELISIONS.get(low, low)), strip_accents(lemma.lower()), vector, unit


def analyse(texts: Sequence[object], *, batch_size: int = 1000) -> list[Analysed]:
    """Tokenise, lemmatise, mark negation scopes and average word vectors, one spaCy pass per text.

    Redaction placeholders (``[NOM]``) are dropped. Only spaCy's tokenizer runs (its vectors and
    lemma table are lookups, cached per word form for the process), so thousands of answers take
    about a second.
    """
    nlp = load_nlp()
    table = lemma_table()
    vocab = nlp.vocab
    dim = vocab.vectors.shape[1]
    if len(_LEXEMES) > _LEXEMES_MAX:
        _LEXEMES.clear()
    clean = [_PLACEHOLDER.sub(" ", normalise(t)) for t in texts]
    out = []
    for doc in nlp.tokenizer.pipe(clean, batch_size=batch_size):
        entries = []
        for orth in doc.to_array("ORTH").tolist():
            try:
                entry = _LEXEMES[orth]
            except KeyError:
                entry = _LEXEMES[orth] = _lexeme(vocab, orth, table)
            if entry is not None:
                entries.append(entry)
        tokens = tuple(e[0] for e in entries)
        scope = _scopes(tokens)
        sel = [e for e, s in zip(entries, scope) if e[2] is not None and s != "den"]
        if sel:
            vector = np.mean([e[2] for e in sel], axis=0).astype(np.float32)
            words = np.array([e[3] for e in sel], dtype=np.float32)
        else:
            vector = np.zeros(dim, dtype=np.float32)
            words = np.zeros((0, dim), dtype=np.float32)
        n_words = sum(t.isalpha() for t in tokens)
        out.append(Analysed(tokens, tuple(e[1] for e in entries), tuple(scope), vector, n_words, words))
    return out


def marked_terms(a: Analysed) -> list[str]:
    """Words for the TF-IDF block: lemma and surface form, ``neg_``/``den_``-prefixed in scope.

    A negated word keeps its plain form too (``pas assez de réunions`` still mentions meetings); a
    denied word loses it (``pas une question de moyens`` does not mention means).
    """
    terms = []
    for tok, lem, sc in zip(a.tokens, a.lemmas, a.scope):
        if not tok[:1].isalnum() or len(tok) < 2 and not tok.isdigit():
            continue
        forms = (lem,) if lem == tok else (lem, tok)  # ordered: a set's order changes with the process
        if sc == "den":
            terms.extend(f"den_{f}" for f in forms)
        elif sc == "neg":
            terms.extend(forms)
            terms.extend(f"neg_{f}" for f in forms)
        else:
            terms.extend(forms)
    return terms


def rule_text(a: Analysed) -> str:
    """The string codebook patterns run on, denied words left out.

    Lemmas then surface words, both lower case and accent-free, joined by ``" | "`` (the syntax of
    the codebook's ``motifs``).
    """
    keep = [i for i, (t, s) in enumerate(zip(a.tokens, a.scope)) if s != "den" and t[:1].isalnum()]
    lemma_part = " ".join(a.lemmas[i] for i in keep)
    surface = " ".join(a.tokens[i] for i in keep)
    return f"{lemma_part} | {surface}"


def _length_bins(n_words: np.ndarray) -> np.ndarray:
    edges = np.array([4, 10, 25, 60])
    return (n_words[:, None] <= edges[None, :]).astype(np.float64)


class FeatureSpace:
    """Fitted feature extractor of the coder (vocabularies, IDF weights, block weights).

    Parameters
    ----------
    themes : sequence of Theme
        Codebook themes whose rules give one binary feature each.
    weights : dict, optional
        Multipliers of the blocks ``word``, ``char``, ``vector``, ``rule``, ``length``.
    """

    BLOCKS = ("word", "char", "vector", "rule", "length", "proto")

    def __init__(self, themes, weights: dict[str, float] | None = None, *, min_df: int = 2) -> None:
        self.themes = tuple(themes)
        self.weights = {"word": 1.0, "char": 1.0, "vector": 0.6, "rule": 0.8, "length": 0.3,
                        "proto": 0.0} | (weights or {})
        self.min_df = min_df
        self.word = None
        self.char = None
        self._char_words: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.prototypes = self._prototypes()

    def _prototypes(self) -> np.ndarray:
        """Unit mean word vector of each theme's label, definition and inclusion guidelines."""
        texts = [" ".join([t.libelle, t.definition, *getattr(t, "inclusion", ())]) for t in self.themes]
        if not texts or self.weights.get("proto", 0) == 0:
            return np.zeros((len(texts), 300), dtype=np.float32)
        protos = np.vstack([a.vector for a in analyse(texts)])
        norms = np.linalg.norm(protos, axis=1, keepdims=True)
        return np.divide(protos, norms, out=np.zeros_like(protos), where=norms > 0)

    def proto_scores(self, analysed: Sequence[Analysed]) -> np.ndarray:
        """Per theme: the best and the mean of the three best cosines of a word with the theme's prototype."""
        k = len(self.themes)
        out = np.zeros((len(analysed), 2 * k))
        for i, a in enumerate(analysed):
            if a.word_vectors is None or not len(a.word_vectors):
                continue
            sims = a.word_vectors @ self.prototypes.T  # words × themes
            top = -np.sort(-sims, axis=0)[:3]
            out[i, :k] = top[0]
            out[i, k:] = top.mean(axis=0)
        return out

    # --- fitting -------------------------------------------------------------------------------
    def _word_vec(self):
        from sklearn.feature_extraction.text import TfidfVectorizer

        return TfidfVectorizer(analyzer=lambda d: d, min_df=self.min_df, sublinear_tf=True, dtype=np.float64)

    def _char_vec(self):
        from sklearn.feature_extraction.text import TfidfVectorizer

        return TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=self.min_df, sublinear_tf=True,
                               max_features=30_000, dtype=np.float64)

    @staticmethod
    def _word_docs(analysed: Sequence[Analysed]) -> list[list[str]]:
        docs = []
        for a in analysed:
            terms = marked_terms(a)
            words = [lem for tok, lem, sc in zip(a.tokens, a.lemmas, a.scope)
                     if sc != "den" and tok[:1].isalnum() and (len(tok) >= 2 or tok.isdigit())]
            bigrams = [f"{x}_{y}" for x, y in zip(words, words[1:])]
            docs.append(terms + bigrams)
        return docs

    @staticmethod
    def _char_docs(analysed: Sequence[Analysed]) -> list[str]:
        return [" ".join(t for t, s in zip(a.tokens, a.scope) if s != "den" and t[:1].isalnum()) for a in analysed]

    def fit(self, analysed: Sequence[Analysed]) -> FeatureSpace:
        self.word = self._word_vec().fit(self._word_docs(analysed))
        self.char = self._char_vec().fit(self._char_docs(analysed))
        self._char_words = {}
        return self

    def char_tfidf(self, analysed: Sequence[Analysed]) -> sp.csr_matrix:
        """The character n-gram block, equal to ``self.char.transform(self._char_docs(analysed))``.

        ``char_wb`` n-grams never cross a word boundary, so a document's counts are the sum of its
        words' counts: each distinct word is analysed once per fitted space (cached), then the
        counts get the vectorizer's sublinear TF, IDF weights and L2 norm.
        """
        from sklearn.preprocessing import normalize

        analyzer, vocab, cache = None, self.char.vocabulary_, self._char_words
        if len(cache) > 500_000:
            cache.clear()
        indices, counts, indptr = [], [], [0]
        for a in analysed:
            n = 0
            for t, sc in zip(a.tokens, a.scope):
                if sc == "den" or not t[:1].isalnum():
                    continue
                entry = cache.get(t)
                if entry is None:
                    analyzer = analyzer or self.char.build_analyzer()
                    grams: dict[int, int] = {}
                    for g in analyzer(t):
                        j = vocab.get(g)
                        if j is not None:
                            grams[j] = grams.get(j, 0) + 1
                    entry = cache[t] = (np.fromiter(grams, np.int64, len(grams)),
                                        np.fromiter(grams.values(), np.float64, len(grams)))
                indices.append(entry[0])
                counts.append(entry[1])
                n += len(entry[0])
            indptr.append(indptr[-1] + n)
        x = sp.csr_matrix((np.concatenate(counts) if counts else np.zeros(0),
                           np.concatenate(indices) if indices else np.zeros(0, np.int64), np.array(indptr)),
                          shape=(len(analysed), len(vocab)))
        x.sum_duplicates()
        if self.char.sublinear_tf:
            np.log(x.data, x.data)
            x.data += 1.0
        x.data *= self.char.idf_[x.indices]
        return normalize(x, norm="l2", copy=False)

    # --- transforming --------------------------------------------------------------------------
    def rule_hits(self, analysed: Sequence[Analysed]) -> np.ndarray:
        """Binary matrix (answers × themes): the codebook rules match outside denials."""
        out = np.zeros((len(analysed), len(self.themes)), dtype=np.float64)
        for i, a in enumerate(analysed):
            prepared = rule_text(a)
            for j, theme in enumerate(self.themes):
                out[i, j] = theme.matches(prepared)
        return out

    def transform(self, analysed: Sequence[Analysed]) -> sp.csr_matrix:
        w = self.weights
        vec = np.vstack([a.vector for a in analysed]) if analysed else np.zeros((0, 300))
        norms = np.linalg.norm(vec, axis=1, keepdims=True)
        vec = np.divide(vec, norms, out=np.zeros_like(vec), where=norms > 0)
        n_words = np.array([a.n_words for a in analysed], dtype=np.float64)
        blocks = [
            self.word.transform(self._word_docs(analysed)) * w["word"],
            self.char_tfidf(analysed) * w["char"],
            sp.csr_matrix(vec.astype(np.float64) * w["vector"]),
            sp.csr_matrix(self.rule_hits(analysed) * w["rule"]),
            sp.csr_matrix(_length_bins(n_words) * w["length"]),
        ]
        if w.get("proto", 0):
            blocks.append(sp.csr_matrix(self.proto_scores(analysed) * w["proto"]))
        return sp.hstack(blocks, format="csr")

    # --- saving --------------------------------------------------------------------------------
    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """JSON-able settings and arrays (vocabularies in column order, IDF weights)."""
        word_vocab = sorted(self.word.vocabulary_, key=self.word.vocabulary_.get)
        char_vocab = sorted(self.char.vocabulary_, key=self.char.vocabulary_.get)
        meta = {"weights": self.weights, "min_df": self.min_df, "word_vocabulary": word_vocab,
                "char_vocabulary": char_vocab}
        return meta, {"word_idf": self.word.idf_, "char_idf": self.char.idf_}

    @classmethod
    def from_state(cls, themes, meta: dict, arrays: dict[str, np.ndarray]) -> FeatureSpace:
        space = cls(themes, meta["weights"], min_df=meta["min_df"])
        space.word = space._word_vec()
        space.word.vocabulary_ = {t: i for i, t in enumerate(meta["word_vocabulary"])}
        space.word.idf_ = np.asarray(arrays["word_idf"], dtype=np.float64)
        space.char = space._char_vec()
        space.char.vocabulary_ = {t: i for i, t in enumerate(meta["char_vocabulary"])}
        space.char.idf_ = np.asarray(arrays["char_idf"], dtype=np.float64)
        return space

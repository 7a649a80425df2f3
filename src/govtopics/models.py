"""Topic models with scikit-learn conventions: gensim LDA, scikit-learn NMF, and a principled K scan.

Both estimators take token lists (the ``tokens`` column of :meth:`Tokenizer.tokenize_corpus`),
follow ``fit``/``transform`` with fitted attributes ending in ``_``, and give the same tidy tables:
:meth:`topic_words` (topic, label, rank, word, weight) and :func:`unit_topics` (one row per unit).
"""

from __future__ import annotations

import itertools
import math
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.stats import rankdata
from sklearn.base import BaseEstimator, TransformerMixin

from .registry import Registry

__all__ = [
    "MODELS",
    "make_model",
    "LdaTopics",
    "NmfTopics",
    "coherence",
    "exclusivity",
    "frex",
    "topic_diversity",
    "stability",
    "match_topics",
    "scan_k",
    "recommend_k",
    "unit_topics",
]

Tokens = Sequence[Sequence[str]]

# Topic models by name: ``[model] name`` in the config, the K scan and the CLI pick from here.
MODELS = Registry("model")


class _TopicTables:
    """Tables shared by the topic models; needs ``topic_word_`` (K x V, rows sum to 1) and ``vocabulary_``."""

    topic_word_: np.ndarray
    vocabulary_: list[str]
    labels_: list[str]

    def top_words(self, n: int = 10) -> list[list[str]]:
        """The ``n`` heaviest words of each topic (ties broken by vocabulary order)."""
        order = np.argsort(-self.topic_word_, axis=1, kind="stable")[:, :n]
        return [[self.vocabulary_[i] for i in row] for row in order]

    def frex_words(self, n: int = 10) -> list[list[str]]:
        """The ``n`` words of each topic with the highest FREX score (frequent *and* exclusive), as stm's labelTopics."""
        order = np.argsort(-frex(self.topic_word_), axis=1, kind="stable")[:, :n]
        return [[self.vocabulary_[i] for i in row] for row in order]

    def _auto_labels(self, n: int = 3) -> list[str]:
        """Labels from the top FREX words: words shared by many topics (法治) do not name them all."""
        return ["·".join(words) for words in self.frex_words(n)]

    def set_labels(self, labels: dict[int, str] | Sequence[str]) -> _TopicTables:
        """Rename topics: a full list, or ``{topic: label}`` for some of them."""
        items = labels.items() if isinstance(labels, dict) else enumerate(labels)
        for topic, label in items:
            self.labels_[topic] = label
        return self

    def topic_words(self, n: int = 10) -> pd.DataFrame:
        """Tidy top words: one row per (topic, rank) with the word's weight in the topic."""
        rows = []
        for topic, words in enumerate(self.top_words(n)):
            for rank, word in enumerate(words, start=1):
                weight = self.topic_word_[topic, self.vocabulary_.index(word)]
                rows.append((topic, self.labels_[topic], rank, word, float(weight)))
        return pd.DataFrame(rows, columns=["topic", "label", "rank", "word", "weight"])


@MODELS.register("lda")
class LdaTopics(BaseEstimator, TransformerMixin, _TopicTables):
    """gensim ``LdaModel`` as a scikit-learn estimator on token lists.

    Defaults suit a corpus of a few hundred short units and scale up: chunks of at most 2,000
    units, and ``passes="auto"`` gives about 100,000 unit updates in all, between 2 and 50
    passes (50 for a few hundred units, 2 for half a million), so gensim's "too few updates"
    warning (passes x chunks < 10) never applies; a symmetric ``alpha``; ``random_state``
    fixed, so the same data give the identical model. ``multicore=True`` uses ``LdaMulticore`` for large corpora: it is not
    bit-reproducible and rejects ``alpha="auto"`` (then "asymmetric" is used).

    Fitted attributes: ``dictionary_`` (gensim Dictionary after ``no_below``/``no_above``),
    ``vocabulary_``, ``model_``, ``topic_word_`` (K x V), ``gamma_`` (variational Dirichlet
    parameters of the training units), ``labels_``.

    >>> docs = [["执法", "培训", "队伍"], ["普法", "宣传", "宪法"], ["执法", "队伍", "规范"], ["宣传", "普法", "群众"]] * 5
    >>> lda = LdaTopics(num_topics=2, no_below=1, no_above=1.0).fit(docs)
    >>> lda.transform(docs).shape, len(lda.labels_)
    ((20, 2), 2)
    """

    def __init__(
        self,
        num_topics: int = 8,
        passes: int | str = "auto",
        iterations: int = 400,
        alpha: str | float = "symmetric",
        eta: str | float | None = None,
        random_state: int = 20240601,
        no_below: int = 2,
        no_above: float = 0.5,
        chunksize: int | None = None,
        multicore: bool = False,
        workers: int | None = None,
    ):
        self.num_topics = num_topics
        self.passes = passes
        self.iterations = iterations
        self.alpha = alpha
        self.eta = eta
        self.random_state = random_state
        self.no_below = no_below
        self.no_above = no_above
        self.chunksize = chunksize
        self.multicore = multicore
        self.workers = workers

    def _bow(self, docs: Tokens) -> _BowStream:
        return _BowStream(docs, self.dictionary_)

    def fit(self, docs: Tokens, y: Any = None) -> LdaTopics:
        """Build the vocabulary and fit the model on token lists."""
        import logging

        from gensim.corpora import Dictionary
        from gensim.models import LdaModel, LdaMulticore

        logging.getLogger("gensim").setLevel(logging.WARNING)
        self.dictionary_ = Dictionary(docs)
        self.dictionary_.filter_extremes(no_below=self.no_below, no_above=self.no_above, keep_n=None)
        self.dictionary_.compactify()
        if len(self.dictionary_) < self.num_topics:
            raise ValueError(
                f"only {len(self.dictionary_)} words survive the vocabulary filter; "
                f"fewer than num_topics={self.num_topics}"
            )
        docs = docs if isinstance(docs, Sequence) else list(docs)
        bow = self._bow(docs)
        common = dict(
            corpus=bow,
            id2word=self.dictionary_,
            num_topics=self.num_topics,
            chunksize=self.chunksize or min(max(len(bow), 1), 2000),
            passes=auto_passes(len(bow)) if self.passes == "auto" else self.passes,
            iterations=self.iterations,
            eta=self.eta,
            random_state=self.random_state,
            eval_every=None,
            minimum_probability=0.0,
            dtype=np.float64,
        )
        if self.multicore:
            alpha = "asymmetric" if self.alpha == "auto" else self.alpha
            self.model_ = LdaMulticore(alpha=alpha, workers=self.workers, **common)
        else:
            self.model_ = LdaModel(alpha=self.alpha, **common)
        self.vocabulary_ = [self.dictionary_[i] for i in range(len(self.dictionary_))]
        self.topic_word_ = self.model_.get_topics()
        self.gamma_ = self.gamma(docs)
        self.labels_ = self._auto_labels()
        return self

    def gamma(self, docs: Tokens) -> np.ndarray:
        """Variational Dirichlet parameters (n x K) of each unit's topic proportions."""
        if not len(docs):
            return np.zeros((0, self.num_topics))
        state = self.model_.random_state
        self.model_.random_state = np.random.RandomState(self.random_state)  # inference starts from random gamma
        try:
            # In chunks, so the bag-of-words of a large corpus is never whole in memory; the random
            # starting points are drawn in the same order as in one call, so the result is the same.
            chunks = [self.model_.inference([self.dictionary_.doc2bow(list(d)) for d in docs[i:i + 2000]])[0]
                      for i in range(0, len(docs), 2000)]
        finally:
            self.model_.random_state = state
        return np.asarray(np.concatenate(chunks), dtype=np.float64)

    def transform(self, docs: Tokens) -> np.ndarray:
        """Topic proportions (n x K, rows sum to 1): the posterior mean of each unit's proportions."""
        gamma = self.gamma(docs)
        return gamma / gamma.sum(axis=1, keepdims=True)

    def save(self, path: str | Path) -> Path:
        """Save the fitted estimator, its model and dictionary, to one file (pickle)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL))
        return path

    @staticmethod
    def load(path: str | Path) -> LdaTopics:
        """Load an estimator saved with :meth:`save` (only load files you trust: pickle)."""
        return pickle.loads(Path(path).read_bytes())


class _BowStream:
    """A re-iterable bag-of-words view of token lists for gensim: converted as it is read, never stored."""

    def __init__(self, docs: Tokens, dictionary: Any):
        self.docs, self.dictionary = docs, dictionary

    def __len__(self) -> int:
        return len(self.docs)

    def __iter__(self):
        return (self.dictionary.doc2bow(list(doc)) for doc in self.docs)


def auto_passes(n_units: int) -> int:
    """Passes for about 100,000 unit updates, between 2 and 50.

    >>> auto_passes(300), auto_passes(20_000), auto_passes(500_000)
    (50, 5, 2)
    """
    return min(50, max(2, math.ceil(100_000 / max(n_units, 1))))


@MODELS.register("nmf")
class NmfTopics(BaseEstimator, TransformerMixin, _TopicTables):
    """scikit-learn NMF on TF-IDF of the same token lists, with the same tables as :class:`LdaTopics`.

    A second model on the same footing, so a theme can be checked not to be an artefact of LDA.

    >>> docs = [["执法", "培训", "队伍"], ["普法", "宣传", "宪法"]] * 5
    >>> NmfTopics(num_topics=2, no_below=1, no_above=1.0).fit(docs).transform(docs).shape
    (10, 2)
    """

    def __init__(self, num_topics: int = 8, random_state: int = 20240601, no_below: int = 2,
                 no_above: float = 0.5, max_iter: int = 1000, init: str = "nndsvda"):
        self.num_topics = num_topics
        self.random_state = random_state
        self.no_below = no_below
        self.no_above = no_above
        self.max_iter = max_iter
        self.init = init

    def fit(self, docs: Tokens, y: Any = None) -> NmfTopics:
        """Fit TF-IDF (vocabulary filtered like :class:`LdaTopics`) and NMF."""
        from sklearn.decomposition import NMF
        from sklearn.feature_extraction.text import TfidfVectorizer

        n = len(docs)
        self.vectorizer_ = TfidfVectorizer(
            analyzer=list, lowercase=False, min_df=self.no_below, max_df=self.no_above if n else 1.0,
            sublinear_tf=True,
        )
        X = self.vectorizer_.fit_transform(docs)
        self.vocabulary_ = list(self.vectorizer_.get_feature_names_out())
        self.model_ = NMF(self.num_topics, init=self.init, random_state=self.random_state, max_iter=self.max_iter)
        self.unit_weight_ = self.model_.fit_transform(X)
        components = self.model_.components_
        self.topic_word_ = components / np.maximum(components.sum(axis=1, keepdims=True), 1e-12)
        self.labels_ = self._auto_labels()
        return self

    def transform(self, docs: Tokens) -> np.ndarray:
        """Topic shares (n x K, rows sum to 1; a unit with no known word gets equal shares)."""
        weights = self.model_.transform(self.vectorizer_.transform(docs))
        totals = weights.sum(axis=1, keepdims=True)
        uniform = np.full_like(weights, 1.0 / self.num_topics)
        return np.where(totals > 0, weights / np.where(totals > 0, totals, 1), uniform)


def unit_topics(units: pd.DataFrame, model: _TopicTables, docs: Tokens | None = None,
                theta: np.ndarray | None = None) -> pd.DataFrame:
    """One row per unit: its metadata columns (not text or tokens), token count and topic proportions ``topic_0``…

    ``theta`` gives the proportions when they are known already (``LdaTopics.gamma_`` normalised
    for the training units), instead of inferring them again.
    """
    docs = list(units["tokens"]) if docs is None else docs
    theta = model.transform(docs) if theta is None else theta
    meta = units.drop(columns=[c for c in ("text", "tokens") if c in units.columns]).reset_index(drop=True)
    meta["n_tokens"] = [len(d) for d in docs]
    topics = pd.DataFrame(theta, columns=[f"topic_{k}" for k in range(theta.shape[1])])
    return pd.concat([meta, topics], axis=1)


# -- quality measures -------------------------------------------------------------------------


def coherence(top_words: list[list[str]], docs: Tokens, measure: str = "c_npmi", topn: int = 10) -> list[float]:
    """Per-topic coherence with gensim ``CoherenceModel`` on the units (``c_npmi``; ``c_v`` only for reference).

    Single process, so the value does not depend on the machine's cores.
    """
    from gensim.corpora import Dictionary
    from gensim.models import CoherenceModel

    dictionary = Dictionary(docs)
    model = CoherenceModel(topics=[w[:topn] for w in top_words], texts=[list(d) for d in docs],
                           dictionary=dictionary, coherence=measure, topn=topn, processes=1)
    return [float(x) for x in model.get_coherence_per_topic()]


def frex(topic_word: np.ndarray, weight: float = 0.7) -> np.ndarray:
    """FREX scores (K x V) as R stm computes them: the weighted harmonic mean of a word's within-topic
    ECDF rank of exclusivity (its weight in the topic relative to all topics) and of frequency.

    >>> frex(np.array([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]])).round(3).tolist()[0]
    [0.943, 0.709, 0.333]
    """
    word_topic = topic_word.T  # V x K
    shares = word_topic / np.maximum(word_topic.sum(axis=1, keepdims=True), 1e-300)
    v = word_topic.shape[0]
    ex = np.column_stack([rankdata(shares[:, k]) for k in range(shares.shape[1])]) / v
    fr = np.column_stack([rankdata(word_topic[:, k]) for k in range(word_topic.shape[1])]) / v
    return (1.0 / (weight / ex + (1 - weight) / fr)).T


def exclusivity(topic_word: np.ndarray, n: int = 10, frex_weight: float = 0.7) -> np.ndarray:
    """Per-topic exclusivity as R stm's ``exclusivity()`` (used by ``searchK``): the sum of the
    :func:`frex` scores of the topic's ``n`` most probable words.

    >>> exclusivity(np.array([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]]), n=2).round(3).tolist()
    [1.653, 1.653]
    """
    scores = frex(topic_word, frex_weight)
    top = np.argsort(-topic_word, axis=1, kind="stable")[:, :n]
    return np.take_along_axis(scores, top, axis=1).sum(axis=1)


def topic_diversity(top_words: list[list[str]], n: int = 10) -> float:
    """Unique words among all topics' top ``n`` over ``n`` x K (OCTIS's topic diversity).

    >>> topic_diversity([["a", "b"], ["b", "c"]], n=2)
    0.75
    """
    words = [w for topic in top_words for w in topic[:n]]
    return len(set(words)) / (n * len(top_words)) if top_words else 0.0


def match_topics(a: list[list[str]], b: list[list[str]], n: int = 10) -> pd.DataFrame:
    """Pair the topics of two models one-to-one by the Jaccard similarity of their top ``n`` words
    (Hungarian algorithm): columns topic_a, topic_b, jaccard, shared (the words in common).

    >>> match_topics([["执法", "培训"], ["普法", "宣传"]], [["宣传", "普法"], ["执法", "队伍"]], n=2).values.tolist()
    [[0, 1, 0.3333333333333333, '执法'], [1, 0, 1.0, '普法 宣传']]
    """
    sim = np.array([[len(set(x[:n]) & set(y[:n])) / len(set(x[:n]) | set(y[:n])) for y in b] for x in a])
    rows, cols = linear_sum_assignment(-sim)
    shared = [" ".join(w for w in a[i][:n] if w in set(b[j][:n])) for i, j in zip(rows, cols)]
    return pd.DataFrame({"topic_a": rows, "topic_b": cols, "jaccard": sim[rows, cols], "shared": shared})


def stability(top_words_by_seed: list[list[list[str]]], n: int = 10) -> float:
    """Mean best-match Jaccard of the top ``n`` words between models fitted with different seeds:
    topics of each pair of models are matched with :func:`match_topics`; the score is the mean
    over matched topics and pairs.

    >>> stability([[["a", "b"], ["c", "d"]], [["c", "d"], ["a", "x"]]], n=2)
    0.6666666666666666
    """
    scores = [match_topics(a, b, n)["jaccard"].mean() for a, b in itertools.combinations(top_words_by_seed, 2)]
    return float(np.mean(scores)) if scores else 1.0


# -- choosing K ---------------------------------------------------------------------------------

K_RULE = (
    "highest mean rank across K of c_npmi, exclusivity, diversity and stability "
    "(ties go to the smaller K); c_v is shown for reference only"
)


def scan_k(docs: Tokens, ks: Sequence[int], seeds: Sequence[int] = (1, 2, 3, 4, 5),
           model: str = "lda", fitted: dict[tuple[int, int], Any] | None = None, **params: Any) -> pd.DataFrame:
    """Fit each K with each seed and measure it: one row per K.

    Columns: k, c_npmi, c_v, exclusivity, diversity, stability (means over the seeds; stability
    across them), n_units, n_words. ``params`` go to the estimator; a ``fitted`` dict receives
    every model under ``(k, seed)``, so the chosen one need not be fitted again.
    """
    rows = []
    for k in ks:
        fitted_k = [_make(model, k, seed, params).fit(docs) for seed in seeds]
        if fitted is not None:
            fitted.update({(k, seed): m for seed, m in zip(seeds, fitted_k)})
        tops = [m.top_words(10) for m in fitted_k]
        rows.append(
            {
                "k": k,
                "c_npmi": float(np.mean([np.mean(coherence(t, docs, "c_npmi")) for t in tops])),
                "c_v": float(np.mean([np.mean(coherence(t, docs, "c_v")) for t in tops])),
                "exclusivity": float(np.mean([exclusivity(m.topic_word_).mean() for m in fitted_k])),
                "diversity": float(np.mean([topic_diversity(t) for t in tops])),
                "stability": stability(tops),
                "n_units": len(docs),
                "n_words": len(fitted_k[0].vocabulary_),
            }
        )
    return pd.DataFrame(rows)


def recommend_k(scan: pd.DataFrame) -> tuple[int, str]:
    """The K that :data:`K_RULE` picks from a :func:`scan_k` table, and the rule.

    >>> recommend_k(pd.DataFrame({"k": [3, 4, 5], "c_npmi": [0.1, 0.2, 0.1], "exclusivity": [8, 9, 9.5],
    ...                           "diversity": [0.9, 0.9, 0.8], "stability": [0.8, 0.7, 0.5]}))[0]
    4
    """
    metrics = ["c_npmi", "exclusivity", "diversity", "stability"]
    score = scan[metrics].rank(method="average").mean(axis=1)
    best = scan.loc[score == score.max(), "k"].min()
    return int(best), K_RULE


def make_model(name: str, **params: Any) -> Any:
    """A registered topic model (:data:`MODELS`) with its parameters.

    >>> make_model("nmf", num_topics=3).num_topics
    3
    """
    return MODELS.get_or_raise(name)(**params)


def _make(model: str, k: int, seed: int, params: dict[str, Any]) -> Any:
    return make_model(model, num_topics=k, random_state=seed, **params)

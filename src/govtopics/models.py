"""Topic models with scikit-learn conventions: LDA (tomotopy or gensim), scikit-learn NMF, and a K scan.

The estimators take token lists (the ``tokens`` column of :meth:`Tokenizer.tokenize_corpus`),
follow ``fit``/``transform`` with fitted attributes ending in ``_``, and give the same tidy tables:
:meth:`topic_words` (topic, label, rank, word, weight) and :func:`unit_topics` (one row per unit).
Defaults follow the corpus: the vocabulary filter (:func:`default_no_below`) and the K range
(:func:`default_k_range`) scale with the number of units; fitting stops when the likelihood has
converged. :func:`fit_topics` is the one call a pipeline needs: a fixed K fits one model, ``"auto"``
scans K (:func:`scan_k`, in parallel processes with a progress bar) and chooses it (:func:`recommend_k`).
"""

from __future__ import annotations

import itertools
import math
import sys
import time
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.stats import rankdata
from sklearn.base import BaseEstimator, TransformerMixin

from .coherence import CoOccurrence
from .executor import usable_cores
from .registry import Registry

__all__ = [
    "MODELS",
    "ENGINES",
    "make_model",
    "LdaTopics",
    "NmfTopics",
    "TopicFit",
    "KRangeWarning",
    "coherence",
    "exclusivity",
    "frex",
    "topic_diversity",
    "stability",
    "match_topics",
    "default_no_below",
    "default_k_range",
    "scan_k",
    "k_scores",
    "recommend_k",
    "fit_topics",
    "unit_topics",
]

Tokens = Sequence[Sequence[str]]

# Topic models by name: ``[model] name`` in the config, the K scan and the CLI pick from here.
MODELS = Registry("model")
# LDA engines (``LdaTopics(engine=...)``): the first is the default.
ENGINES = ("tomotopy", "gensim")


class KRangeWarning(UserWarning):
    """The chosen K is at the edge of the scanned range: the best K may lie outside it."""


# -- corpus-following defaults --------------------------------------------------------------------


def default_no_below(n_units: int, share: float = 0.001, floor: int = 5) -> int:
    """The vocabulary's document-frequency floor: a word must occur in 0.1% of the units, and in at least 5.

    A word seen in a handful of units cannot shape a topic but costs every fit time and, on top of
    a topic, coherence; as the corpus grows, the floor grows with it.

    >>> default_no_below(300), default_no_below(7_000), default_no_below(400_000)
    (5, 7, 400)
    """
    return max(floor, math.ceil(share * n_units))


def default_k_range(n_units: int, n_values: int = 6) -> list[int]:
    """K values to scan for a corpus of ``n_units`` units: at most ``n_values``, spaced evenly on a log
    scale, from about a fifth of the largest K (at least 3) to the largest, which grows as the cube root
    of the units (8 for a few hundred units, about 20 for 7,000, 50 for half a million).

    >>> default_k_range(300), default_k_range(7_000), default_k_range(400_000)
    ([3, 4, 5, 6, 7, 8], [5, 7, 9, 12, 17, 23], [10, 14, 19, 26, 36, 50])
    """
    hi = int(min(50, max(8, round(1.2 * n_units ** (1 / 3)))))
    lo = max(3, round(hi / 5))
    if hi - lo < n_values:
        return list(range(lo, hi + 1))
    return sorted({int(round(k)) for k in np.geomspace(lo, hi, n_values)})


def _resolve_no_below(no_below: int | float | str, n_units: int) -> int:
    if no_below == "auto":
        return default_no_below(n_units)
    if isinstance(no_below, float) and 0 < no_below < 1:
        return max(1, math.ceil(no_below * n_units))
    return int(no_below)


# -- shared tables ---------------------------------------------------------------------------------


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
        index = {w: i for i, w in enumerate(self.vocabulary_)}
        for topic, words in enumerate(self.top_words(n)):
            for rank, word in enumerate(words, start=1):
                rows.append((topic, self.labels_[topic], rank, word, float(self.topic_word_[topic, index[word]])))
        return pd.DataFrame(rows, columns=["topic", "label", "rank", "word", "weight"])


# -- the vocabulary, once per corpus -------------------------------------------------------------


@dataclass
class _Prepared:
    """Token lists reduced to the filtered vocabulary: what every fit on the same corpus shares."""

    vocabulary: list[str]
    dfs: np.ndarray  # units each word occurs in
    ids: list[np.ndarray]  # per unit, its tokens as vocabulary ids (in order)
    no_below: int

    @property
    def n_units(self) -> int:
        return len(self.ids)

    def words(self, i: int) -> list[str]:
        return [self.vocabulary[j] for j in self.ids[i]]


def _prepare(docs: Tokens, no_below: int | float | str, no_above: float) -> _Prepared:
    """The vocabulary (words in at least ``no_below`` units and at most a ``no_above`` share of them),
    ordered by document frequency (then by the word), and each unit as vocabulary ids."""
    n = len(docs)
    floor = _resolve_no_below(no_below, n)
    df = Counter(w for doc in docs for w in set(doc))
    ceiling = no_above * n
    kept = sorted((w for w, c in df.items() if floor <= c <= ceiling), key=lambda w: (-df[w], w))
    index = {w: i for i, w in enumerate(kept)}
    ids = [np.fromiter((index[w] for w in doc if w in index), dtype=np.int32) for doc in docs]
    return _Prepared(kept, np.array([df[w] for w in kept], dtype=np.int64), ids, floor)


# -- LDA ----------------------------------------------------------------------------------------------


@MODELS.register("lda")
class LdaTopics(BaseEstimator, TransformerMixin, _TopicTables):
    """Latent Dirichlet allocation as a scikit-learn estimator on token lists, with two engines.

    ``engine="tomotopy"`` (the default) is collapsed Gibbs sampling in C++ (tomotopy ``LDAModel``);
    ``engine="gensim"`` is gensim's online variational Bayes (``LdaModel``). Both give the same
    fitted attributes and tables, and the identical model from the same data and ``random_state``
    (tomotopy with ``workers=1``, its one-thread sampler: the default; results also depend on the
    SIMD instruction set tomotopy picks, recorded in ``engine_info_``).

    Parameters:

    - ``alpha``: unit-topic prior. ``"auto"`` learns an asymmetric prior from the data (tomotopy:
      Minka's fixed-point update every 10 sweeps; gensim: ``alpha="auto"``); ``"symmetric"`` is 1/K;
      ``"asymmetric"`` is gensim's fixed 1/(k + sqrt K), normalised; a number is a symmetric prior.
    - ``eta``: topic-word prior (a number; ``None`` for 1/K). Small values give sparser, more
      distinct topics.
    - ``no_below``: a word must occur in at least this many units (an int), in this share of them
      (a float below 1), or ``"auto"``: :func:`default_no_below`. ``no_above``: at most this share.
    - ``max_iter``: the cap on passes (gensim) or Gibbs sweeps (tomotopy); ``"auto"`` is 50 passes or
      1,000 sweeps. ``tol``: fitting stops when the per-word log likelihood (tomotopy: mean of the
      last 50 sweeps against the 50 before; gensim: variational bound of up to 1,000 units after each
      pass) improves by less than this share. ``tol=0`` runs ``max_iter`` in full.
    - ``inference_iterations``: gensim's cap on each unit's E-step; tomotopy's sweeps when
      :meth:`transform` infers new units. ``chunksize``: gensim's units per online update.
    - ``workers``: threads (tomotopy) or processes (gensim ``LdaMulticore``) of one fit; above 1 the
      fit is faster on a large corpus but no longer guaranteed identical from run to run.

    Fitted attributes: ``vocabulary_``, ``topic_word_`` (K x V), ``gamma_`` (n x K: the Dirichlet
    parameters of each training unit's topic proportions, topic counts plus alpha for tomotopy,
    variational parameters for gensim), ``labels_``, ``alpha_`` (K), ``eta_`` (scalar or V),
    ``no_below_``, ``n_iter_`` (passes or sweeps run), ``converged_``, ``log_likelihood_`` (per word,
    at the end), ``engine_info_`` (engine, version, settings to record), ``model_`` (the engine's model).

    >>> docs = [["执法", "培训", "队伍"], ["普法", "宣传", "宪法"], ["执法", "队伍", "规范"], ["宣传", "普法", "群众"]] * 5
    >>> lda = LdaTopics(num_topics=2, no_below=1, no_above=1.0).fit(docs)
    >>> lda.transform(docs).shape, len(lda.labels_), lda.gamma_.shape
    ((20, 2), 2, (20, 2))
    """

    def __init__(
        self,
        num_topics: int = 8,
        engine: str = "tomotopy",
        alpha: str | float = "auto",
        eta: float | None = 0.01,
        no_below: int | float | str = "auto",
        no_above: float = 0.5,
        max_iter: int | str = "auto",
        tol: float = 1e-3,
        inference_iterations: int = 100,
        chunksize: int = 2000,
        workers: int = 1,
        random_state: int = 20240601,
    ):
        self.num_topics = num_topics
        self.engine = engine
        self.alpha = alpha
        self.eta = eta
        self.no_below = no_below
        self.no_above = no_above
        self.max_iter = max_iter
        self.tol = tol
        self.inference_iterations = inference_iterations
        self.chunksize = chunksize
        self.workers = workers
        self.random_state = random_state

    # -- fitting -------------------------------------------------------------------------------
    def fit(self, docs: Tokens, y: Any = None) -> LdaTopics:
        """Build the vocabulary and fit the model on token lists."""
        docs = docs if isinstance(docs, Sequence) else list(docs)
        return self._fit_prepared(_prepare(docs, self.no_below, self.no_above))

    def _fit_prepared(self, prepared: _Prepared) -> LdaTopics:
        if self.engine not in ENGINES:
            raise ValueError(f"unknown LDA engine {self.engine!r}; choose from: {', '.join(ENGINES)}")
        if len(prepared.vocabulary) < self.num_topics:
            raise ValueError(
                f"only {len(prepared.vocabulary)} words survive the vocabulary filter (no_below="
                f"{prepared.no_below}, no_above={self.no_above}); fewer than num_topics={self.num_topics}"
            )
        self.vocabulary_ = list(prepared.vocabulary)
        self.no_below_ = prepared.no_below
        self._index = {w: i for i, w in enumerate(self.vocabulary_)}
        start = time.perf_counter()
        (self._fit_tomotopy if self.engine == "tomotopy" else self._fit_gensim)(prepared)
        self.fit_seconds_ = time.perf_counter() - start
        self.labels_ = self._auto_labels()
        return self

    def _max_iter(self) -> int:
        if self.max_iter == "auto":
            return 1000 if self.engine == "tomotopy" else 50
        return int(self.max_iter)

    def _alpha_vector(self) -> np.ndarray | float:
        k = self.num_topics
        if self.alpha in ("auto", "symmetric"):
            return 1.0 / k
        if self.alpha == "asymmetric":
            raw = 1.0 / (np.arange(k) + math.sqrt(k))
            return raw / raw.sum()
        return float(self.alpha)

    def _fit_tomotopy(self, prepared: _Prepared) -> None:
        import tomotopy as tp

        k = self.num_topics
        alpha = self._alpha_vector()
        eta = 1.0 / k if self.eta is None else float(self.eta)
        model = tp.LDAModel(k=k, alpha=alpha if np.isscalar(alpha) else [float(a) for a in alpha], eta=eta,
                            seed=int(self.random_state))
        model.optim_interval = 10 if self.alpha == "auto" else 0
        self._tp_rows = np.full(prepared.n_units, -1, dtype=np.int64)  # unit -> document of the model
        n_added = 0
        for i in range(prepared.n_units):
            if len(prepared.ids[i]):
                self._tp_rows[i] = n_added
                model.add_doc(prepared.words(i))
                n_added += 1
        if not n_added:
            raise ValueError("no unit has a word of the vocabulary")
        self._set_word_priors(model, eta)
        cap, step, window = self._max_iter(), 10, 5
        parallel = tp.ParallelScheme.PARTITION if self.workers > 1 else tp.ParallelScheme.DEFAULT
        trace: list[float] = []
        converged = False
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The training result may differ")
            while model.global_step < cap:
                model.train(min(step, cap - model.global_step), workers=self.workers, parallel=parallel)
                trace.append(model.ll_per_word)
                if self.tol > 0 and len(trace) >= 2 * window:
                    before, now = np.mean(trace[-2 * window:-window]), np.mean(trace[-window:])
                    if (now - before) / abs(before) < self.tol:
                        converged = True
                        break
        self.model_ = model
        self.n_iter_ = int(model.global_step)
        self.converged_ = converged
        self.log_likelihood_ = float(model.ll_per_word)
        self.likelihood_trace_ = np.asarray(trace)
        order = self._tomotopy_order()
        self.topic_word_ = np.array([model.get_topic_word_dist(t) for t in range(k)], dtype=np.float64)[:, order]
        self.alpha_ = np.asarray(model.alpha, dtype=np.float64).reshape(-1) * np.ones(k)
        self.eta_ = np.float64(model.eta)
        gamma = np.tile(self.alpha_, (prepared.n_units, 1))
        rows = np.flatnonzero(self._tp_rows >= 0)
        trained = list(model.docs)  # (indexing model.docs beyond 0 fails in tomotopy 0.14: iterate)
        gamma[rows] = [trained[int(self._tp_rows[i])].get_topic_dist(normalize=False) for i in rows]
        self.gamma_ = gamma
        self.engine_info_ = {"engine": "tomotopy", "version": tp.__version__, "isa": tp.isa, "workers": self.workers,
                             "step": step, "window": window}

    def _set_word_priors(self, model: Any, eta: float) -> None:
        """Topic-word priors of single words before training (none here; see :class:`~govtopics.seeded.SeededTopics`)."""

    def _tomotopy_order(self) -> np.ndarray:
        """Column order taking tomotopy's word ids to ``vocabulary_``."""
        position = {w: i for i, w in enumerate(self.model_.used_vocabs)}
        return np.array([position[w] for w in self.vocabulary_])

    def _fit_gensim(self, prepared: _Prepared) -> None:
        import logging

        from gensim.models import LdaModel, LdaMulticore

        logging.getLogger("gensim").setLevel(logging.WARNING)
        self.dictionary_ = _gensim_dictionary(prepared)
        bow = _BowStream(prepared.ids)
        alpha = self._alpha_vector() if self.alpha != "auto" else "auto"
        common = dict(id2word=self.dictionary_, num_topics=self.num_topics, chunksize=min(self.chunksize, len(bow)),
                      passes=1, iterations=self.inference_iterations, eta=self.eta, random_state=self.random_state,
                      eval_every=None, minimum_probability=0.0, dtype=np.float64)
        if self.workers > 1:
            alpha = "asymmetric" if alpha == "auto" else alpha  # LdaMulticore cannot learn alpha
            model = LdaMulticore(alpha=alpha, workers=self.workers, **common)
        else:
            model = LdaModel(alpha=alpha, **common)
        # Convergence is read on a fixed sample of units, so checking costs at most 1,000 units' E-step.
        pick = np.random.RandomState(self.random_state).permutation(prepared.n_units)[:1000]
        sample = [bow.bow(i) for i in sorted(pick)]
        words = sum(c for doc in sample for _, c in doc) or 1
        trace: list[float] = []
        converged = False
        for _ in range(self._max_iter()):
            model.update(bow)  # one pass; the step size decays with every update (Hoffman et al. 2010)
            with _fixed_state(model, self.random_state):
                trace.append(model.bound(sample) / words)
            if self.tol > 0 and len(trace) >= 2 and (trace[-1] - trace[-2]) / abs(trace[-2]) < self.tol:
                converged = True
                break
        self.model_ = model
        self.n_iter_ = len(trace)
        self.converged_ = converged
        self.log_likelihood_ = float(trace[-1])
        self.likelihood_trace_ = np.asarray(trace)
        self.topic_word_ = model.get_topics().astype(np.float64)
        self.alpha_ = np.asarray(model.alpha, dtype=np.float64)
        self.eta_ = np.asarray(model.eta, dtype=np.float64)
        self.gamma_ = self._gensim_gamma(prepared.ids)
        import gensim

        self.engine_info_ = {"engine": "gensim", "version": gensim.__version__, "workers": self.workers,
                             "chunksize": common["chunksize"]}

    # -- inference -----------------------------------------------------------------------------
    def _ids(self, docs: Tokens) -> list[np.ndarray]:
        index = self._index
        return [np.fromiter((index[w] for w in doc if w in index), dtype=np.int32) for doc in docs]

    def gamma(self, docs: Tokens) -> np.ndarray:
        """Dirichlet parameters (n x K) of each unit's topic proportions, inferred with the topics fixed."""
        ids = self._ids(docs)
        if self.engine == "gensim":
            return self._gensim_gamma(ids)
        out = np.tile(self.alpha_, (len(ids), 1))
        for i, inferred in self._tomotopy_infer(ids):
            out[i] = inferred.get_topic_dist(normalize=False)
        return out

    def _tomotopy_infer(self, ids: list[np.ndarray]) -> list[tuple[int, Any]]:
        """(position, inferred tomotopy document) of every unit with a word of the vocabulary."""
        rows = [i for i, d in enumerate(ids) if len(d)]
        made = [self.model_.make_doc([self.vocabulary_[j] for j in ids[i]]) for i in rows]
        if made:
            self.model_.infer(made, iterations=self.inference_iterations, workers=1)
        return list(zip(rows, made))

    def _gensim_gamma(self, ids: list[np.ndarray]) -> np.ndarray:
        if not ids:
            return np.zeros((0, self.num_topics))
        bow = _BowStream(ids)
        with _fixed_state(self.model_, self.random_state):  # inference starts from random gamma
            # In chunks, so a large corpus's bag of words is never whole in memory; the random starting
            # points are drawn in the same order as in one call, so the result is the same.
            chunks = [self.model_.inference([bow.bow(i) for i in range(s, min(s + 2000, len(ids)))])[0]
                      for s in range(0, len(ids), 2000)]
        return np.asarray(np.concatenate(chunks), dtype=np.float64)

    def transform(self, docs: Tokens) -> np.ndarray:
        """Topic proportions (n x K, rows sum to 1): the posterior mean of each unit's proportions."""
        gamma = self.gamma(docs)
        return gamma / gamma.sum(axis=1, keepdims=True)

    def topic_word_counts(self, docs: Tokens) -> np.ndarray:
        """Expected number of the tokens of ``docs`` assigned to each topic, per word (K x V), topics fixed.

        Added to ``eta_`` and normalised, it gives the topics' words within a subset (a year) of the units.
        """
        ids = self._ids(docs)
        k, v = self.topic_word_.shape
        if self.engine == "gensim":
            with _fixed_state(self.model_, self.random_state):
                _, sstats = self.model_.inference([_bow(d) for d in ids], collect_sstats=True)
            return np.asarray(sstats, dtype=np.float64)
        counts = np.zeros((k, v))
        order = np.argsort(self._tomotopy_order())  # tomotopy word id -> vocabulary_ position
        for _, inferred in self._tomotopy_infer(ids):
            np.add.at(counts, (np.asarray(inferred.topics, dtype=np.int64), order[np.asarray(inferred.words)]), 1)
        return counts

    # -- persistence ---------------------------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        if self.engine == "tomotopy" and "model_" in state:
            state["model_"] = state["model_"].saves(full=False)  # tomotopy models are not picklable
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state.get("engine") == "tomotopy" and isinstance(state.get("model_"), bytes):
            import tomotopy as tp

            state["model_"] = tp.LDAModel.loads(state["model_"])
        self.__dict__.update(state)

    def save(self, path: str | Path) -> Path:
        """Save the fitted estimator, with its model, to one file of data (:mod:`govtopics.safestore`, not pickle).

        :meth:`load` runs no code from the file: a tomotopy model is kept as tomotopy's own bytes,
        a gensim one as its arrays, and a damaged or altered file is refused, never half-read.
        """
        from . import safestore

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(safestore.dumps(self))
        return path

    @staticmethod
    def load(path: str | Path) -> LdaTopics:
        """Load an estimator saved with :meth:`save` (:class:`~govtopics.safestore.DamagedEntry` for any other file)."""
        from . import safestore

        model = safestore.loads(Path(path).read_bytes())
        if not isinstance(model, LdaTopics):
            raise safestore.DamagedEntry(f"{path} holds a {type(model).__name__}, not an LdaTopics")
        return model


class _fixed_state:
    """Run gensim inference from the model's seed and leave the model's own random stream untouched."""

    def __init__(self, model: Any, seed: int):
        self.model, self.seed = model, seed

    def __enter__(self) -> None:
        self.saved = self.model.random_state
        self.model.random_state = np.random.RandomState(self.seed)

    def __exit__(self, *exc: Any) -> None:
        self.model.random_state = self.saved


def _bow(ids: np.ndarray) -> list[tuple[int, int]]:
    words, counts = np.unique(ids, return_counts=True)
    return list(zip(words.tolist(), counts.tolist()))


class _BowStream:
    """A re-iterable bag-of-words view of the units for gensim: converted as it is read, never stored."""

    def __init__(self, ids: list[np.ndarray]):
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    def bow(self, i: int) -> list[tuple[int, int]]:
        return _bow(self.ids[i])

    def __iter__(self):
        return (_bow(d) for d in self.ids)


def _gensim_dictionary(prepared: _Prepared) -> Any:
    """A gensim Dictionary whose ids are the vocabulary's positions, with its document frequencies."""
    from gensim.corpora import Dictionary

    dictionary = Dictionary()
    dictionary.token2id = {w: i for i, w in enumerate(prepared.vocabulary)}
    dictionary.dfs = {i: int(c) for i, c in enumerate(prepared.dfs)}
    dictionary.num_docs = prepared.n_units
    dictionary.num_pos = int(sum(len(d) for d in prepared.ids))
    return dictionary


# -- NMF ------------------------------------------------------------------------------------------------


@MODELS.register("nmf")
class NmfTopics(BaseEstimator, TransformerMixin, _TopicTables):
    """scikit-learn NMF on TF-IDF of the same token lists, with the same tables as :class:`LdaTopics`.

    A second model on the same footing, so a theme can be checked not to be an artefact of LDA.

    >>> docs = [["执法", "培训", "队伍"], ["普法", "宣传", "宪法"]] * 5
    >>> NmfTopics(num_topics=2, no_below=1, no_above=1.0).fit(docs).transform(docs).shape
    (10, 2)
    """

    def __init__(self, num_topics: int = 8, random_state: int = 20240601, no_below: int | float | str = "auto",
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
        self.no_below_ = _resolve_no_below(self.no_below, n)
        self.vectorizer_ = TfidfVectorizer(
            analyzer=list, lowercase=False, min_df=self.no_below_, max_df=self.no_above if n else 1.0,
            sublinear_tf=True,
        )
        X = self.vectorizer_.fit_transform(docs)
        self.vocabulary_ = list(self.vectorizer_.get_feature_names_out())
        self.model_ = NMF(self.num_topics, init=self.init, random_state=self.random_state, max_iter=self.max_iter)
        self.unit_weight_ = self.model_.fit_transform(X)
        self.n_iter_ = int(self.model_.n_iter_)
        components = self.model_.components_
        self.topic_word_ = components / np.maximum(components.sum(axis=1, keepdims=True), 1e-12)
        self.labels_ = self._auto_labels()
        return self

    def _fit_prepared(self, prepared: _Prepared) -> NmfTopics:
        return self.fit([prepared.words(i) for i in range(prepared.n_units)])

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
    """Per-topic coherence on the units: ``c_npmi`` is NPMI with each unit as one context
    (:mod:`govtopics.coherence`, fast); ``c_v`` is gensim's ``CoherenceModel`` (slow; for reference only)."""
    if measure == "c_npmi":
        return [float(x) for x in CoOccurrence.from_tokens(docs, {w for t in top_words for w in t[:topn]}).npmi(top_words, topn)]
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


def _pair_stabilities(top_words_by_seed: list[list[list[str]]], n: int = 10) -> list[float]:
    return [float(match_topics(a, b, n)["jaccard"].mean()) for a, b in itertools.combinations(top_words_by_seed, 2)]


def stability(top_words_by_seed: list[list[list[str]]], n: int = 10) -> float:
    """Mean best-match Jaccard of the top ``n`` words between models fitted with different seeds:
    topics of each pair of models are matched with :func:`match_topics`; the score is the mean
    over matched topics and pairs.

    >>> stability([[["a", "b"], ["c", "d"]], [["c", "d"], ["a", "x"]]], n=2)
    0.6666666666666666
    """
    scores = _pair_stabilities(top_words_by_seed, n)
    return float(np.mean(scores)) if scores else 1.0


# -- choosing K ---------------------------------------------------------------------------------

METRICS = ("c_npmi", "exclusivity", "diversity", "stability")
K_RULE = (
    "the K with the best score, the mean of c_npmi (on held-out units), exclusivity, diversity and stability, "
    "each standardised by its spread over all fits (across K and seeds); K values within one standard error "
    "of the best (pooled over K) are marked within_se; c_v, when measured, is shown for reference only"
)


class _ScanWorker:
    """What every fit of a scan shares (the prepared units, the held-out units' co-occurrence counts), set up once per process."""

    prepared: _Prepared | None = None
    cooccurrence: CoOccurrence | None = None
    docs: list[list[str]] | None = None


def _init_scan_worker(prepared: _Prepared, heldout: list[list[str]], with_docs: bool) -> None:
    _ScanWorker.prepared = prepared
    _ScanWorker.cooccurrence = CoOccurrence.from_tokens(heldout, prepared.vocabulary)
    _ScanWorker.docs = [prepared.words(i) for i in range(prepared.n_units)] if with_docs else None


def _scan_fit(task: tuple[str, int, int, dict[str, Any], bool, bool]) -> dict[str, Any]:
    """One fit of the scan and its measures (runs in a worker process, or in-process for ``n_jobs=1``)."""
    name, k, seed, params, c_v, keep = task
    start = time.perf_counter()
    model = make_model(name, num_topics=k, random_state=seed, **params)._fit_prepared(_ScanWorker.prepared)
    tops = model.top_words(10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a topic none of whose words the held-out units have
        npmi = float(np.nanmean(_ScanWorker.cooccurrence.npmi(tops)))
    row = {
        "k": k,
        "seed": seed,
        "c_npmi": npmi,
        "exclusivity": float(exclusivity(model.topic_word_).mean()),
        "diversity": topic_diversity(tops),
        "n_iter": getattr(model, "n_iter_", np.nan),
        "seconds": time.perf_counter() - start,
        "top_words": tops,
    }
    if c_v:
        row["c_v"] = float(np.mean(coherence(tops, _ScanWorker.docs, "c_v")))
    if keep:
        row["model"] = model
    return row


def _split(n: int, groups: Sequence[Any] | None, holdout: float, max_units: int | None,
           seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the units to fit and of the held-out units (whole groups held out when given)."""
    rng = np.random.default_rng(seed)
    units = np.arange(n)
    if max_units is not None and n > max_units:
        units = np.sort(rng.choice(n, max_units, replace=False))
    if not holdout > 0:
        return units, units
    if groups is None:
        held = rng.random(len(units)) < holdout
    else:
        labels = np.asarray(groups, dtype=object)[units]
        names = sorted(set(labels), key=str)
        chosen = set(rng.choice(len(names), max(1, round(holdout * len(names))), replace=False)) if len(names) > 1 else set()
        held = np.array([names.index(x) in chosen for x in labels]) if chosen else rng.random(len(units)) < holdout
    return units[~held], units[held]


PARALLEL_MIN_UNITS = 1000  # a scan fits in worker processes (n_jobs=-1) from this many units on


def scan_k(docs: Tokens, ks: Sequence[int] | None = None, seeds: Sequence[int] = (1, 2, 3), model: str = "lda",
           fitted: dict[tuple[int, int], Any] | None = None, *, groups: Sequence[Any] | None = None,
           holdout: float = 0.2, n_jobs: int = -1, stability_seeds: int | None = None, c_v: bool = False,
           max_units: int | None = 20_000, progress: bool = True, sample_seed: int = 0,
           fit_seconds: list[float] | None = None, **params: Any) -> pd.DataFrame:
    """Fit each K with each seed and measure it: one row per K.

    Columns: k, c_npmi (NPMI of the top words over *held-out* units, each unit one context),
    exclusivity, diversity, stability (means over the seeds; stability is the mean Jaccard of matched
    top words over pairs of seeds), each with its standard error across seeds (``*_se``), c_v (only
    with ``c_v=True``: gensim's CoherenceModel on the fitted units, slow), n_iter (mean passes or
    sweeps), n_units (units fitted), n_heldout, n_words, n_seeds. The table is the same from run to
    run (no timings: the fits' seconds go to ``fit_seconds`` when a list is given).

    - ``ks``: the K values; ``None`` for :func:`default_k_range` of the number of units.
    - ``holdout``: the share of units (of ``groups``, e.g. reports, when given) left out of the fits and
      used to measure coherence: on the units a model was fitted to, coherence keeps rising with K as
      topics learn the co-occurrences of a few reports; on unseen reports it does not.
    - ``max_units``: fit the scan on a random sample of at most this many units (K is chosen on the
      sample, the final model is fitted on all units; ``None``: all units).
    - ``n_jobs``: worker processes for the fits; each fit is seeded, so the table does not depend on
      it. -1 (the default): one per core the process may use, when the scan fits at least
      :data:`PARALLEL_MIN_UNITS` units (a smaller scan runs in this process: starting a worker, which
      imports the engines and receives the units, costs more than its fits save). A tqdm bar on
      stderr ticks once per fit (``progress=False``: none).
    - ``stability_seeds``: measure stability on the fits of only the first n seeds (all by default).
    - ``fitted``: a dict that receives every model under ``(k, seed)`` when the scan fitted all units
      (``holdout=0``, no sampling), so the chosen one need not be fitted again.
    - ``params`` go to the estimator (``make_model(model, ...)``); ``sample_seed`` seeds the split.
    """
    from tqdm.auto import tqdm

    docs = docs if isinstance(docs, Sequence) else list(docs)
    ks = list(default_k_range(len(docs)) if ks is None else ks)
    seeds = list(seeds)
    fit_rows, held_rows = _split(len(docs), groups, holdout, max_units, sample_seed)
    estimator = make_model(model, **params)
    prepared = _prepare([docs[i] for i in fit_rows], estimator.no_below, estimator.no_above)
    heldout = [docs[i] for i in held_rows]
    keep = fitted is not None and len(fit_rows) == len(docs)  # only models of all the units are worth reusing
    tasks = [(model, k, seed, params, c_v, keep) for k in ks for seed in seeds]
    if n_jobs < 0:
        n_jobs = usable_cores() if len(fit_rows) >= PARALLEL_MIN_UNITS else 1
    n_jobs = max(1, min(n_jobs, len(tasks)))
    bar = tqdm(total=len(tasks), desc="choosing K", unit="fit", disable=not progress, file=sys.stderr)
    try:
        if n_jobs == 1:
            _init_scan_worker(prepared, heldout, c_v)
            results = []
            for task in tasks:
                results.append(_scan_fit(task))
                bar.update()
        else:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor, as_completed

            # Spawned workers (not forked: the engines' threads do not survive a fork), each given the units once.
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(n_jobs, mp_context=context, initializer=_init_scan_worker,
                                     initargs=(prepared, heldout, c_v)) as pool:
                futures = [pool.submit(_scan_fit, task) for task in tasks]
                for future in as_completed(futures):
                    future.result()
                    bar.update()
                results = [f.result() for f in futures]
    finally:
        bar.close()
        _ScanWorker.prepared = _ScanWorker.cooccurrence = _ScanWorker.docs = None
    if keep:
        fitted.update({(r["k"], r["seed"]): r.pop("model") for r in results})
    if fit_seconds is not None:
        fit_seconds.extend(r["seconds"] for r in results)
    table = _scan_table(results, ks, stability_seeds, c_v, prepared)
    table.insert(table.columns.get_loc("n_words"), "n_heldout", len(heldout) if holdout > 0 else 0)
    return table


def _se(values: Sequence[float]) -> float:
    values = np.asarray(values, dtype=float)
    return float(values.std(ddof=1) / math.sqrt(len(values))) if len(values) > 1 else 0.0


def _scan_table(results: list[dict[str, Any]], ks: list[int], stability_seeds: int | None, c_v: bool,
                prepared: _Prepared) -> pd.DataFrame:
    rows = []
    for k in ks:
        fits = [r for r in results if r["k"] == k]
        pairs = _pair_stabilities([r["top_words"] for r in fits[: stability_seeds or len(fits)]])
        row: dict[str, Any] = {"k": k}
        for metric in ("c_npmi", "exclusivity", "diversity"):
            row[metric] = float(np.mean([r[metric] for r in fits]))
            row[f"{metric}_se"] = _se([r[metric] for r in fits])
        row["stability"] = float(np.mean(pairs)) if pairs else np.nan
        row["stability_se"] = _se(pairs) if pairs else np.nan
        if c_v:
            row["c_v"] = float(np.mean([r["c_v"] for r in fits]))
        row |= {"n_iter": float(np.mean([r["n_iter"] for r in fits])), "n_units": prepared.n_units,
                "n_words": len(prepared.vocabulary), "n_seeds": len(fits)}
        rows.append(row)
    return pd.DataFrame(rows)


def k_scores(scan: pd.DataFrame) -> pd.DataFrame:
    """The K rule's score per K: columns k, score, score_se and within_se.

    Each measure is standardised by its total spread over all fits of the scan: the variance of its
    means across K plus its variance across seeds within K (``se**2 * n_seeds``; 0 where the table has
    no standard errors). A measure whose differences across K are mostly seed noise thus gets small
    scores, one whose differences are large against its noise gets large ones. The score is the mean
    of the standardised measures; score_se comes from their standard errors, scaled the same way and
    pooled across K (with three seeds a single K's standard error rests on two degrees of freedom;
    pooled over the K values it is far steadier). within_se marks the K whose score is within one
    standard error of the best. A measure that is the same at every K is left out.

    >>> k_scores(pd.DataFrame({"k": [3, 4], "c_npmi": [0.1, 0.3], "exclusivity": [9, 9]})).round(3).values.tolist()
    [[3, -0.707, 0.0, False], [4, 0.707, 0.0, True]]
    """
    metrics = [m for m in METRICS if m in scan.columns and scan[m].notna().all()]
    n_seeds = scan["n_seeds"] if "n_seeds" in scan.columns else pd.Series(1, index=scan.index)
    z, var = [], []
    for m in metrics:
        se = scan[f"{m}_se"].fillna(0) if f"{m}_se" in scan.columns else pd.Series(0.0, index=scan.index)
        spread = math.sqrt(scan[m].var(ddof=1) + float((se**2 * n_seeds).mean()))
        if not spread > 0 or not scan[m].std(ddof=1) > 0:
            continue  # the same at every K: says nothing about K
        z.append((scan[m] - scan[m].mean()) / spread)
        var.append(float((se**2).mean()) / spread**2)
    score = sum(z) / len(z) if z else pd.Series(0.0, index=scan.index)
    score_se = math.sqrt(sum(var)) / len(z) if z else 0.0
    return pd.DataFrame({"k": scan["k"], "score": score, "score_se": score_se,
                         "within_se": score >= score.max() - score_se})


def recommend_k(scan: pd.DataFrame, warn: bool = True) -> tuple[int, str]:
    """The K that :data:`K_RULE` picks from a :func:`scan_k` table, and the rule.

    The measures are put on one scale (:func:`k_scores`: each standardised by its spread over all
    fits, so a measure counts by how large its differences across K are against its own variability,
    and differences that are mostly seed noise count little) and averaged into one score; the K with
    the best score is chosen (ties: the smaller K). Ranks would ignore how large the differences are;
    "the smallest K within one standard error" would, with three seeds and measures that pull in
    opposite directions as K grows (exclusivity up, diversity and stability down), mostly return the
    smallest K scanned, and fewer topics are no safer here: coherence on held-out units already
    guards against topics that only fit the units they were learnt from. How sure the choice is
    shows in ``within_se`` (:func:`k_scores`). A :class:`KRangeWarning` says when the choice is the
    smallest or largest K scanned.

    >>> table = pd.DataFrame({"k": [3, 4, 5, 6], "c_npmi": [0.05, 0.10, 0.11, 0.08], "c_npmi_se": [0.01] * 4,
    ...                       "diversity": [0.9, 0.92, 0.9, 0.85], "diversity_se": [0.01] * 4})
    >>> recommend_k(table)[0]
    4
    """
    scores = k_scores(scan)
    chosen = int(scores.loc[scores["score"] == scores["score"].max(), "k"].min())
    ks = sorted(scan["k"])
    if warn and len(ks) >= 3 and chosen in (ks[0], ks[-1]):
        edge = "smallest" if chosen == ks[0] else "largest"
        warnings.warn(f"K = {chosen} is the {edge} K scanned ({ks[0]}-{ks[-1]}) and scores best: the best K may lie "
                      f"outside the range; scan {'smaller' if edge == 'smallest' else 'larger'} K to be sure",
                      KRangeWarning, stacklevel=2)
    return chosen, K_RULE


@dataclass
class TopicFit:
    """What :func:`fit_topics` gives: the model, the K scan (None for a fixed K), the K and how it was chosen."""

    model: Any
    k_table: pd.DataFrame | None
    k: int
    rule: str


def fit_topics(docs: Tokens, k: int | str = "auto", ks: Sequence[int] | None = None, seeds: Sequence[int] = (1, 2, 3),
               random_state: int | None = None, model: str = "lda", *, groups: Sequence[Any] | None = None,
               holdout: float = 0.2, n_jobs: int = -1, stability_seeds: int | None = None, c_v: bool = False,
               max_units: int | None = 20_000, progress: bool = True, sample_seed: int = 0,
               **params: Any) -> TopicFit:
    """The topic model of a corpus: a fixed ``k`` fits exactly one model; ``k="auto"`` scans ``ks``
    (:func:`scan_k`, all options passed on; ``groups`` are the units' reports) and fits the
    recommended K on all units with ``random_state`` (the estimator's own default when None; taken
    from the scan when it fitted that seed on all units, i.e. with ``holdout=0`` and no sampling).

    >>> docs = [["执法", "培训", "队伍"], ["普法", "宣传", "宪法"]] * 10
    >>> result = fit_topics(docs, k=2, no_below=1, no_above=1.0)
    >>> result.k, result.k_table is None, result.model.num_topics
    (2, True, 2)
    """
    if random_state is None:
        random_state = make_model(model, **params).random_state
    if k != "auto":
        k = int(k)
        fitted = make_model(model, num_topics=k, random_state=random_state, **params).fit(docs)
        return TopicFit(fitted, None, k, f"K = {k} was given")
    fits: dict[tuple[int, int], Any] = {}
    table = scan_k(docs, ks, seeds, model, fits, groups=groups, holdout=holdout, n_jobs=n_jobs,
                   stability_seeds=stability_seeds, c_v=c_v, max_units=max_units, progress=progress,
                   sample_seed=sample_seed, **params)
    chosen, rule = recommend_k(table)
    table = pd.concat([table, k_scores(table).drop(columns="k")], axis=1)
    table["recommended"] = table["k"] == chosen
    chosen_model = fits.get((chosen, random_state))
    if chosen_model is None:
        chosen_model = make_model(model, num_topics=chosen, random_state=random_state, **params).fit(docs)
    return TopicFit(chosen_model, table, chosen, rule)


def make_model(name: str, **params: Any) -> Any:
    """A registered topic model (:data:`MODELS`) with its parameters.

    >>> make_model("nmf", num_topics=3).num_topics
    3
    """
    return MODELS.get_or_raise(name)(**params)


# The keyword-seeded LDA (govtopics.seeded) registers itself here as "seeded".
from . import seeded as _seeded  # noqa: E402,F401

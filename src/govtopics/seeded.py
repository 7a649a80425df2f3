"""Keyword-seeded LDA: topics named in advance by a codebook's seed words, plus free topics.

:class:`SeededTopics` is :class:`~govtopics.models.LdaTopics` (tomotopy engine) whose first topics
are the concepts of a codebook: each concept's seed words get a larger topic-word prior in its
topic (tomotopy's ``set_word_prior``), so the sampler gathers the words that co-occur with them
there, as keyATM (Eshima, Imai and Sasaki 2024) does with its keyword topics; the remaining topics
are free, for what the codebook does not name. It has the same fitted attributes and tables as
``LdaTopics`` (the seeded topics keep the concepts' names as labels), so trends, effects,
passages, the explorer and the figures work unchanged, and it adds the keyword diagnostics
(``keyword_diagnostics_``) and each concept's keyword rate (:meth:`SeededTopics.concept_table`).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .codebook import Codebook, Concept, SeedWordWarning, keyword_diagnostics, kept_seeds
from .models import MODELS, LdaTopics, Tokens, _prepare, _Prepared

__all__ = ["SeededTopics"]


@MODELS.register("seeded")
class SeededTopics(LdaTopics):
    """LDA whose first topics are seeded by a codebook's concepts (``seed_words``), the rest free.

    - ``seed_words``: ``{concept: [seed words]}`` in topic order (``Codebook.seed_words``); topic
      ``i`` is the ``i``-th concept that keeps a seed word in the corpus; ``num_topics`` counts the
      concepts and the free topics (``Codebook.n_topics``).
    - ``seed_prior``: the topic-word prior of a seed word in its concept's topic: a pseudo-count of one
      token by default (``eta`` is a hundredth of that), which the data then outweigh.
    - ``exclusive``: seed words are assigned only to their concepts' topics (their prior is 0 in the
      others: topic-in-set knowledge, Andrzejewski and Zhu 2009). This is what anchors a concept: with
      ``False`` a seed word keeps ``eta`` elsewhere, and seeded topics hold less well
      (``benchmarks/seeded_real.py --not-exclusive``, ``government_work`` codebook, 5 seeds: on 53 State
      Council reports, keyword rate 0.07 against 0.13 and Jaccard of a concept's top words across seeds
      0.56 against 0.73; on 31 provincial reports 0.12 against 0.17 and 0.75 against 0.80).

    Other parameters are :class:`~govtopics.models.LdaTopics`'; the engine is tomotopy. Seed words
    that do not survive the vocabulary filter (``no_below``, ``no_above``) are dropped with a
    :class:`~govtopics.codebook.SeedWordWarning`; a concept with no seed left becomes a free topic.

    Fitted, besides ``LdaTopics``' attributes: ``concepts_`` (the seeded concepts, topics
    ``0..len(concepts_)-1``), ``seed_words_`` (the seeds used), ``keyword_diagnostics_``
    (:func:`~govtopics.codebook.keyword_diagnostics` of the training units), ``topic_tokens_``
    (tokens assigned to each topic) and ``keyword_rate_`` (per concept: the share of its topic's
    tokens that are its seed words).

    >>> docs = [["执法", "处罚", "队伍"], ["普法", "宣传", "宪法"], ["执法", "检查", "队伍"], ["宣传", "普法", "群众"]] * 5
    >>> model = SeededTopics(num_topics=3, seed_words={"执法": ["执法"], "普法": ["普法", "缺席"]},
    ...                      no_below=1, no_above=1.0)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = model.fit(docs)
    >>> model.labels_[:2], model.concepts_, [str(w.message) for w in caught if w.category is SeedWordWarning]
    (['执法', '普法'], ['执法', '普法'], ['1 seed word(s) dropped: 普法: 缺席 (absent)'])
    """

    def __init__(
        self,
        num_topics: int = 8,
        seed_words: Mapping[str, Sequence[str]] | None = None,
        seed_prior: float = 1.0,
        exclusive: bool = True,
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
        super().__init__(num_topics=num_topics, engine=engine, alpha=alpha, eta=eta, no_below=no_below,
                         no_above=no_above, max_iter=max_iter, tol=tol, inference_iterations=inference_iterations,
                         chunksize=chunksize, workers=workers, random_state=random_state)
        self.seed_words = seed_words
        self.seed_prior = seed_prior
        self.exclusive = exclusive

    def _codebook(self) -> Codebook:
        concepts = tuple(Concept(name, tuple(words)) for name, words in (self.seed_words or {}).items())
        return Codebook(concepts, max(0, self.num_topics - len(concepts)))

    def fit(self, docs: Tokens, y: Any = None) -> SeededTopics:
        """Check the seed words on the units (``keyword_diagnostics_``), then fit as ``LdaTopics``."""
        docs = docs if isinstance(docs, Sequence) else list(docs)
        prepared = _prepare(docs, self.no_below, self.no_above)
        self.keyword_diagnostics_ = keyword_diagnostics(self._codebook(), docs, prepared.no_below, self.no_above)
        kept = kept_seeds(self.keyword_diagnostics_, warn=True)
        return self._fit_seeded(prepared, kept)

    def _fit_prepared(self, prepared: _Prepared) -> SeededTopics:
        vocabulary = set(prepared.vocabulary)
        kept = {c: [w for w in words if w in vocabulary] for c, words in (self.seed_words or {}).items()}
        return self._fit_seeded(prepared, {c: words for c, words in kept.items() if words})

    def _fit_seeded(self, prepared: _Prepared, kept: dict[str, list[str]]) -> SeededTopics:
        if self.engine != "tomotopy":
            raise ValueError(f"SeededTopics fits with the tomotopy engine (word priors), not engine={self.engine!r}")
        if len(kept) > self.num_topics:
            raise ValueError(f"num_topics={self.num_topics} is fewer than the {len(kept)} seeded concepts")
        if not self.seed_prior > 0:
            raise ValueError(f"seed_prior must be > 0, not {self.seed_prior!r}")
        self.concepts_ = list(kept)
        self.seed_words_ = kept
        super()._fit_prepared(prepared)
        self.engine_info_ = {**self.engine_info_, "seed_prior": float(self.seed_prior), "exclusive": bool(self.exclusive)}
        self._count_topic_tokens()
        labels = list(self.labels_)
        labels[: len(self.concepts_)] = self.concepts_
        self.labels_ = labels
        return self

    def _set_word_priors(self, model: Any, eta: float) -> None:
        topics: dict[str, list[int]] = {}
        for topic, words in enumerate(self.seed_words_.values()):
            for word in words:
                topics.setdefault(word, []).append(topic)
        for word, seeded in topics.items():
            other = 0.0 if self.exclusive else eta
            model.set_word_prior(word, [float(self.seed_prior) if t in seeded else other for t in range(self.num_topics)])

    def _count_topic_tokens(self) -> None:
        """Tokens per topic and each concept's keyword rate, from the sampler's final assignments."""
        k = self.num_topics
        index = {w: i for i, w in enumerate(self.model_.used_vocabs)}
        seed_ids = [np.array([index[w] for w in words], dtype=np.int64) for words in self.seed_words_.values()]
        counts = np.zeros((k, len(index)), dtype=np.int64)
        for doc in self.model_.docs:
            np.add.at(counts, (np.asarray(doc.topics, dtype=np.int64), np.asarray(doc.words, dtype=np.int64)), 1)
        self.topic_tokens_ = counts.sum(axis=1)
        seed_tokens = np.array([counts[t, ids].sum() for t, ids in enumerate(seed_ids)], dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.keyword_rate_ = seed_tokens / self.topic_tokens_[: len(seed_ids)]
            # Of all occurrences of a concept's seed words, the share assigned to the concept's topic.
            self.seeds_in_topic_ = seed_tokens / np.array([counts[:, ids].sum() for ids in seed_ids], dtype=np.float64)

    def concept_table(self, n: int = 10) -> pd.DataFrame:
        """One row per concept of ``seed_words`` (seeded or not) and per free topic.

        Columns: topic, label, kind (seeded, free: a concept without seed words in the corpus is
        fitted as a free topic, and its row says so), n_seeds (in the codebook), n_kept (used),
        keyword_rate (share of the topic's tokens that are its seed words), seeds_in_topic (share of
        the seed words' tokens assigned to the topic), token_share (the topic's share of all tokens)
        and top_words.
        """
        tops = [" ".join(words) for words in self.top_words(n)]
        share = self.topic_tokens_ / max(1, self.topic_tokens_.sum())
        rows = []
        for i, concept in enumerate(self.concepts_):
            rows.append({"topic": i, "label": concept, "kind": "seeded",
                         "n_seeds": len((self.seed_words or {})[concept]), "n_kept": len(self.seed_words_[concept]),
                         "keyword_rate": float(self.keyword_rate_[i]), "seeds_in_topic": float(self.seeds_in_topic_[i]),
                         "token_share": float(share[i]), "top_words": tops[i]})
        for concept, words in (self.seed_words or {}).items():
            if concept not in self.seed_words_:
                rows.append({"topic": pd.NA, "label": concept, "kind": "no seed word in the corpus: fitted as a free topic",
                             "n_seeds": len(words), "n_kept": 0, "keyword_rate": np.nan, "seeds_in_topic": np.nan,
                             "token_share": np.nan, "top_words": ""})
        for t in range(len(self.concepts_), self.num_topics):
            rows.append({"topic": t, "label": self.labels_[t], "kind": "free", "n_seeds": 0, "n_kept": 0,
                         "keyword_rate": np.nan, "seeds_in_topic": np.nan, "token_share": float(share[t]),
                         "top_words": tops[t]})
        table = pd.DataFrame(rows)
        table["topic"] = table["topic"].astype("Int64")
        return table


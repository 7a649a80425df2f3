"""Year-over-year trends: topic prevalence with honest intervals, topic vocabulary by year, term trends.

Prevalence of topic k in a year is the share of the year's text about it: unit topic
proportions weighted by unit length (tokens). Its 95% interval comes from a two-stage cluster
bootstrap that resamples *reports* within the year (units of one report are not independent),
then units within the drawn reports; a year with a single report rests on its units alone and
is marked ``single_report``, one with fewer than five reports ``few_reports``. Inside each replicate every unit's proportions are drawn from its
variational posterior Dirichlet(gamma), which carries the model's own uncertainty as R stm's
``estimateEffect(uncertainty="Global")`` does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FEW_REPORTS", "topic_prevalence", "topic_words_by_year", "term_trends"]

# Below this many reports a year's interval says more about the towns than about the year.
FEW_REPORTS = 5


def _group_replicates(
    doc_ids: np.ndarray, weights: np.ndarray, gamma: np.ndarray, n_boot: int, rng: np.random.Generator,
    model_uncertainty: bool,
) -> np.ndarray:
    """Bootstrap replicates (n_boot x K) of the weighted topic shares of one group of units.

    Two stages: reports are drawn with replacement, then units within each drawn report (a
    Poisson bootstrap: a unit of a report drawn c times gets weight ~ Poisson(c)). With one
    report the first stage is trivial and the units carry the spread; with a few reports the
    second stage keeps the interval from resting on a handful of distinct resamples.
    """
    _, report_index = np.unique(doc_ids, return_inverse=True)
    n_reports = report_index.max() + 1
    mean = gamma / gamma.sum(axis=1, keepdims=True)
    gamma32 = gamma.astype(np.float32)
    out = np.empty((n_boot, gamma.shape[1]))
    for b in range(n_boot):
        if model_uncertainty:
            draws = rng.standard_gamma(gamma32, dtype=np.float32)  # single precision: twice as fast, ample for shares
            theta = draws / draws.sum(axis=1, keepdims=True)
        else:
            theta = mean
        picks = np.bincount(rng.integers(0, n_reports, n_reports), minlength=n_reports)
        w = weights * rng.poisson(picks[report_index])
        total = w.sum()
        out[b] = (w @ theta) / total if total > 0 else mean.mean(axis=0)
    return out


def topic_prevalence(
    units: pd.DataFrame,
    gamma: np.ndarray,
    labels: Sequence[str] | None = None,
    by: str | Sequence[str] = "year",
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 20240601,
    model_uncertainty: bool = True,
) -> pd.DataFrame:
    """Topic prevalence per group (default: per year) with bootstrap intervals.

    ``units`` needs ``doc_id``, ``n_tokens`` and the ``by`` columns (as :func:`unit_topics`
    gives); ``gamma`` holds each unit's Dirichlet parameters (``LdaTopics.gamma_``), or its
    proportions when ``model_uncertainty=False`` (e.g. for NMF). Units without tokens weigh nothing.
    Columns: topic, label, the ``by`` columns, prevalence, ci_low, ci_high, n_reports, n_units,
    single_report, few_reports. Prevalence sums to 1 over topics within a group.

    >>> units = pd.DataFrame({"doc_id": ["a", "a", "b", "c"], "year": [2022, 2022, 2022, 2023], "n_tokens": [10, 30, 20, 10]})
    >>> gamma = np.array([[9.0, 1.0], [1.0, 9.0], [5.0, 5.0], [2.0, 8.0]])
    >>> prev = topic_prevalence(units, gamma, n_boot=200)
    >>> prev[["topic", "year", "prevalence", "n_reports", "single_report"]].round(3).values.tolist()
    [[0, 2022, 0.367, 2, False], [0, 2023, 0.2, 1, True], [1, 2022, 0.633, 2, False], [1, 2023, 0.8, 1, True]]
    """
    by = [by] if isinstance(by, str) else list(by)
    gamma = np.asarray(gamma, dtype=float)
    k = gamma.shape[1]
    labels = list(labels) if labels is not None else [f"topic {i}" for i in range(k)]
    weights = units["n_tokens"].to_numpy(dtype=float)
    alpha = (1 - level) / 2
    rows = []
    for key, idx in units.groupby(by, sort=True).indices.items():
        key = key if isinstance(key, tuple) else (key,)
        w, g = weights[idx], gamma[idx]
        theta = g / g.sum(axis=1, keepdims=True)
        point = (w @ theta) / w.sum() if w.sum() > 0 else theta.mean(axis=0)
        # Each group its own stream: a year's interval does not depend on which other years are present.
        rng = np.random.default_rng([seed, *hashlib.sha256(repr(key).encode()).digest()[:8]])
        reps = _group_replicates(units["doc_id"].to_numpy()[idx], w, g, n_boot, rng, model_uncertainty)
        low, high = np.quantile(reps, [alpha, 1 - alpha], axis=0)
        n_reports = units["doc_id"].iloc[idx].nunique()
        for topic in range(k):
            rows.append((topic, labels[topic], *key, point[topic], low[topic], high[topic], n_reports, len(idx),
                         n_reports == 1, n_reports < FEW_REPORTS))
    columns = ["topic", "label", *by, "prevalence", "ci_low", "ci_high", "n_reports", "n_units", "single_report",
               "few_reports"]
    return pd.DataFrame(rows, columns=columns).sort_values(["topic", *by], ignore_index=True)


def topic_words_by_year(model, units: pd.DataFrame, n: int = 10, by: str = "year") -> pd.DataFrame:
    """Each topic's top words re-estimated from one year's units, topic identity fixed by the global model.

    For the units of a year, the model's inference with its topics fixed gives the expected count of
    every word assigned to every topic (``model.topic_word_counts``); adding the model's ``eta_`` and
    normalising gives that year's topic-word weights. Columns: topic, label, year, rank, word, weight, count
    (the expected number of the word's tokens assigned to the topic that year).
    """
    rows = []
    eta = np.broadcast_to(np.asarray(model.eta_, dtype=float), model.topic_word_.shape)
    for year, frame in units.groupby(by, sort=True):
        sstats = model.topic_word_counts(list(frame["tokens"]))  # each year from the model's seed
        weights = (sstats + eta) / (sstats + eta).sum(axis=1, keepdims=True)
        for topic in range(weights.shape[0]):
            order = np.argsort(-sstats[topic], kind="stable")[:n]
            for rank, word in enumerate(order, start=1):
                if sstats[topic, word] <= 0:
                    break
                rows.append((topic, model.labels_[topic], year, rank, model.vocabulary_[word],
                             float(weights[topic, word]), float(sstats[topic, word])))
    return pd.DataFrame(rows, columns=["topic", "label", by, "rank", "word", "weight", "count"])


def term_trends(units: pd.DataFrame, terms: Sequence[str], by: str = "year", client: Any = None) -> pd.DataFrame:
    """Relative frequency of chosen terms per year: columns year, term, count, tokens, per_10k, n_reports.

    Counts come from :func:`govtopics.features.term_counts` (on a dask ``client``'s workers if given).

    >>> units = pd.DataFrame({"doc_id": ["a", "b"], "year": [2022, 2023], "tokens": [["普法", "执法"], ["普法", "普法", "调解", "宣传"]]})
    >>> print(term_trends(units, ["普法"])[["year", "count", "per_10k"]].to_string(index=False))
     year  count  per_10k
     2022      1   5000.0
     2023      2   5000.0
    """
    from .features import term_counts

    counts = term_counts(units, by=by, client=client)
    totals = counts.groupby(by)["count"].sum()
    reports = units.groupby(by)["doc_id"].nunique()
    index = pd.MultiIndex.from_product([sorted(reports.index), list(terms)], names=[by, "term"])
    table = counts.set_index([by, "term"])["count"].reindex(index, fill_value=0).reset_index()
    table["tokens"] = table[by].map(totals).fillna(0).astype(int)
    table["per_10k"] = np.where(table["tokens"] > 0, 1e4 * table["count"] / table["tokens"].clip(lower=1), 0.0)
    table["n_reports"] = table[by].map(reports)
    return table

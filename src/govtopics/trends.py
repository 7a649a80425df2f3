"""Trends: topic prevalence by year or any metadata column with honest intervals, topic vocabulary by year, term trends.

**Weighting.** By default (``weight="report"``) every report counts once in its group: a
report's prevalence is the mean of its units' topic proportions weighted by their tokens, and a
group's prevalence is the mean over its reports. So ten township reports outweigh one long city
report in their year, as a reader of "what do governments write about" expects. With
``weight="tokens"`` the group's prevalence is the share of the group's text (units weighted by
tokens across reports): long reports weigh more. Every table says which (column ``weighting``).

**Intervals.** A two-stage cluster bootstrap within each group: reports are drawn with
replacement (units of one report are not independent), then units within the drawn reports get
Gamma(c) multipliers, c the times their report was drawn (mean c and variance c, as the Poisson
bootstrap's, but never zero, so a drawn report always keeps its units). Inside each replicate
every unit's proportions are drawn from its variational posterior Dirichlet(gamma), which
carries the model's own uncertainty as R stm's ``estimateEffect(uncertainty="Global")`` does. A
group with a single report rests on its units alone and is marked ``single_report``, one with
fewer than :data:`FEW_REPORTS` reports ``few_reports``.

**Exclusions.** Units lacking a grouping value (a report without a year) or tokens take no part;
:func:`exclusions` lists the reports left out entirely, with the reason, and the prevalence
table carries the same list in ``attrs["excluded"]``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "FEW_REPORTS", "WEIGHTINGS", "exclusions", "integer_years", "term_trends", "topic_prevalence",
    "topic_words_by_year",
]

# Below this many reports a group's interval says more about the towns than about the year.
FEW_REPORTS = 5
WEIGHTINGS = ("report", "tokens")


def integer_years(years: pd.Series | Sequence[Any]) -> pd.Series:
    """Years as pandas ``Int64``: whole numbers, ``<NA>`` where a year is missing (never 2014.0).

    >>> integer_years(pd.Series([2014.0, None, 2016])).tolist()
    [2014, <NA>, 2016]
    >>> integer_years(pd.Series([2014.5]))
    Traceback (most recent call last):
    ...
    ValueError: years must be whole numbers; got 2014.5
    """
    series = years if isinstance(years, pd.Series) else pd.Series(list(years), dtype=object)
    if isinstance(series.dtype, pd.Int64Dtype):
        return series
    numbers = pd.to_numeric(series, errors="raise")
    values = numbers.to_numpy(dtype=float, na_value=np.nan)
    odd = values[~np.isnan(values) & (values != np.round(values))]
    if len(odd):
        raise ValueError(f"years must be whole numbers; got {odd[0]:g}")
    return numbers.astype("Int64")


def _with_integer_years(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    if "year" in columns and "year" in frame.columns and not isinstance(frame["year"].dtype, pd.Int64Dtype):
        frame = frame.assign(year=integer_years(frame["year"]))
    return frame


def _reason(column: str) -> str:
    return f"no {column}"


def exclusions(units: pd.DataFrame, by: str | Sequence[str] = "year") -> pd.DataFrame:
    """Reports that take no part in trends grouped ``by`` these columns, with the reason: columns doc_id, reason.

    A report is left out when none of its units has a value in every ``by`` column (reason
    ``"no year"``, naming the first column missing) or, having them, none has a token
    (``"no tokens"``; needs ``n_tokens`` or ``tokens``). The build lists these in its manifest.

    >>> units = pd.DataFrame({"doc_id": ["a", "a", "b", "c"], "year": [2022, 2022, None, 2023],
    ...                       "n_tokens": [10, 5, 8, 0]})
    >>> exclusions(units).values.tolist()
    [['b', 'no year'], ['c', 'no tokens']]
    """
    by = [by] if isinstance(by, str) else list(by)
    tokens = _token_counts(units)
    reasons: dict[Any, str] = {}
    present = pd.Series(True, index=units.index)
    for column in by:
        has = units[column].notna()
        lacking = set(units.loc[present, "doc_id"]) - set(units.loc[present & has, "doc_id"])
        reasons.update((doc, _reason(column)) for doc in lacking)
        present &= has
    empty = set(units.loc[present, "doc_id"]) - set(units.loc[present & (tokens > 0), "doc_id"])
    reasons.update((doc, "no tokens") for doc in empty)
    order = list(dict.fromkeys(units["doc_id"]))
    return pd.DataFrame([(doc, reasons[doc]) for doc in order if doc in reasons], columns=["doc_id", "reason"])


def _token_counts(units: pd.DataFrame) -> pd.Series:
    if "n_tokens" in units.columns:
        return units["n_tokens"].fillna(0)
    if "tokens" in units.columns:
        return units["tokens"].map(len)
    raise ValueError("the units frame needs n_tokens (as unit_topics gives) or tokens")


def _stream(seed: int, key: tuple[Any, ...]) -> np.random.Generator:
    """A random stream of its own for each group: a year's interval does not depend on which other years are present."""
    plain = tuple(value.item() if isinstance(value, np.generic) else value for value in key)
    return np.random.default_rng([seed, *hashlib.sha256(repr(plain).encode()).digest()[:8]])


def _group_replicates(
    report: np.ndarray, tokens: np.ndarray, gamma: np.ndarray, weight: str, n_boot: int, rng: np.random.Generator,
    model_uncertainty: bool,
) -> np.ndarray:
    """Bootstrap replicates (n_boot x K) of one group's prevalence; units sorted by ``report`` (codes 0..R-1)."""
    starts = np.flatnonzero(np.r_[True, report[1:] != report[:-1]])
    n_reports = len(starts)
    mean = gamma / gamma.sum(axis=1, keepdims=True)
    gamma32 = gamma.astype(np.float32)
    out = np.empty((n_boot, gamma.shape[1]))
    for b in range(n_boot):
        if model_uncertainty:
            draws = rng.standard_gamma(gamma32, dtype=np.float32)  # single precision: twice as fast, ample for shares
            theta = draws / draws.sum(axis=1, keepdims=True)
        else:
            theta = mean
        picks = np.bincount(rng.integers(0, n_reports, n_reports), minlength=n_reports).astype(float)
        w = tokens * rng.standard_gamma(picks[report])  # Gamma(0) = 0: units of reports not drawn weigh nothing
        numerator = np.add.reduceat(w[:, None] * theta, starts)  # per report
        if weight == "tokens":
            out[b] = numerator.sum(axis=0) / w.sum()
        else:
            drawn = picks > 0
            shares = numerator[drawn] / np.add.reduceat(w, starts)[drawn, None]
            out[b] = picks[drawn] @ shares / picks.sum()
    return out


def topic_prevalence(
    units: pd.DataFrame,
    gamma: np.ndarray,
    labels: Sequence[str] | None = None,
    by: str | Sequence[str] = "year",
    weight: str = "report",
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 20240601,
    model_uncertainty: bool = True,
) -> pd.DataFrame:
    """Topic prevalence per group (default: per year; any metadata columns, e.g. ``["year", "level"]``) with intervals.

    ``units`` needs ``doc_id``, ``n_tokens`` and the ``by`` columns (as :func:`unit_topics`
    gives); ``gamma`` holds each unit's Dirichlet parameters (``LdaTopics.gamma_``), or its
    proportions when ``model_uncertainty=False`` (e.g. for NMF). ``weight``: ``"report"`` (each
    report counts once in its group) or ``"tokens"`` (each token counts once); see the module
    docstring. Columns: topic, label, the ``by`` columns (``year`` as ``Int64``), prevalence,
    ci_low, ci_high, n_reports, n_units (units with tokens), single_report, few_reports,
    weighting. Prevalence sums to 1 over topics within a group. ``attrs`` hold ``weighting``,
    ``level``, ``by`` and ``excluded`` (records of :func:`exclusions`).

    >>> units = pd.DataFrame({"doc_id": ["a", "a", "b", "c"], "year": [2022, 2022, 2022, 2023],
    ...                       "n_tokens": [10, 30, 20, 10]})
    >>> gamma = np.array([[9.0, 1.0], [1.0, 9.0], [5.0, 5.0], [2.0, 8.0]])
    >>> prev = topic_prevalence(units, gamma, n_boot=200)
    >>> prev[["topic", "year", "prevalence", "n_reports", "single_report"]].round(3).values.tolist()
    [[0, 2022, 0.4, 2, False], [0, 2023, 0.2, 1, True], [1, 2022, 0.6, 2, False], [1, 2023, 0.8, 1, True]]
    >>> topic_prevalence(units, gamma, weight="tokens", n_boot=200)["prevalence"].round(3).tolist()[:2]
    [0.367, 0.2]
    """
    if weight not in WEIGHTINGS:
        raise ValueError(f"unknown weight {weight!r}; choose from {WEIGHTINGS}")
    by = [by] if isinstance(by, str) else list(by)
    missing = [column for column in ("doc_id", "n_tokens", *by) if column not in units.columns]
    if missing:
        raise ValueError(f"the units frame lacks columns {missing}")
    gamma = np.asarray(gamma, dtype=float)
    if gamma.shape[0] != len(units):
        raise ValueError(f"gamma has {gamma.shape[0]} rows for {len(units)} units")
    k = gamma.shape[1]
    labels = list(labels) if labels is not None else [f"topic {i}" for i in range(k)]
    units = _with_integer_years(units.reset_index(drop=True), by)
    excluded = exclusions(units, by)
    keep = units[by].notna().all(axis=1).to_numpy() & (units["n_tokens"].fillna(0).to_numpy() > 0)
    kept = units[keep].reset_index(drop=True)
    gamma = gamma[keep]
    report_codes = pd.factorize(kept["doc_id"])[0]
    tokens = kept["n_tokens"].to_numpy(dtype=float)
    alpha = (1 - level) / 2
    rows = []
    for key, idx in kept.groupby(by, sort=True).indices.items():
        key = key if isinstance(key, tuple) else (key,)
        idx = idx[np.argsort(report_codes[idx], kind="stable")]  # units of a report together
        report, w, g = report_codes[idx], tokens[idx], gamma[idx]
        theta = g / g.sum(axis=1, keepdims=True)
        if weight == "report":
            w_report = np.bincount(report, weights=w)[report]  # each report's tokens in this group
            point = (w / w_report) @ theta / len(np.unique(report))
        else:
            point = w @ theta / w.sum()
        reps = _group_replicates(pd.factorize(report)[0], w, g, weight, n_boot, _stream(seed, key),
                                 model_uncertainty)
        low, high = np.quantile(reps, [alpha, 1 - alpha], axis=0)
        n_reports = len(np.unique(report))
        for topic in range(k):
            rows.append((topic, labels[topic], *key, point[topic], low[topic], high[topic], n_reports, len(idx),
                         n_reports == 1, n_reports < FEW_REPORTS, weight))
    columns = ["topic", "label", *by, "prevalence", "ci_low", "ci_high", "n_reports", "n_units", "single_report",
               "few_reports", "weighting"]
    table = pd.DataFrame(rows, columns=columns).sort_values(["topic", *by], ignore_index=True)
    table = _with_integer_years(table, by)
    table.attrs.update(weighting=weight, level=level, by=by, excluded=excluded.to_dict("records"))
    return table


def topic_words_by_year(model, units: pd.DataFrame, n: int = 10, by: str = "year") -> pd.DataFrame:
    """Each topic's top words re-estimated from one year's units, topic identity fixed by the global model.

    For the units of a year, the model's inference with its topics fixed gives the expected count of
    every word assigned to every topic (``model.topic_word_counts``); adding the model's ``eta_`` and
    normalising gives that year's topic-word weights. Columns: topic, label, year, rank, word, weight, count
    (the expected number of the word's tokens assigned to the topic that year). Units without a
    year take no part.
    """
    rows = []
    eta = np.broadcast_to(np.asarray(model.eta_, dtype=float), model.topic_word_.shape)
    units = _with_integer_years(units, [by])
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
    table = pd.DataFrame(rows, columns=["topic", "label", by, "rank", "word", "weight", "count"])
    return _with_integer_years(table, [by])


def term_trends(units: pd.DataFrame, terms: Sequence[str], by: str = "year", client: Any = None) -> pd.DataFrame:
    """Relative frequency of chosen terms per year: columns year, term, count, tokens, per_10k, n_reports.

    Counts come from :func:`govtopics.features.term_counts` (on a dask ``client``'s workers if given).
    Units without a year take no part; years are ``Int64``.

    >>> units = pd.DataFrame({"doc_id": ["a", "b", "c"], "year": [2022, 2023, None],
    ...                       "tokens": [["普法", "执法"], ["普法", "普法", "调解", "宣传"], ["普法"]]})
    >>> print(term_trends(units, ["普法"])[["year", "count", "per_10k"]].to_string(index=False))
     year  count  per_10k
     2022      1   5000.0
     2023      2   5000.0
    """
    from .features import term_counts

    units = _with_integer_years(units, [by])
    units = units[units[by].notna()]
    counts = term_counts(units, by=by, client=client)
    totals = counts.groupby(by)["count"].sum()
    reports = units.groupby(by)["doc_id"].nunique()
    index = pd.MultiIndex.from_product([sorted(reports.index), list(terms)], names=[by, "term"])
    table = counts.set_index([by, "term"])["count"].reindex(index, fill_value=0).reset_index()
    table["tokens"] = table[by].map(totals).fillna(0).astype(int)
    table["per_10k"] = np.where(table["tokens"] > 0, 1e4 * table["count"] / table["tokens"].clip(lower=1), 0.0)
    table["n_reports"] = table[by].map(reports)
    return _with_integer_years(table, [by])

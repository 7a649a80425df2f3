"""Features: TF-IDF keywords per document or group, and keyness between two groups of units.

Both read the ``tokens`` column of the units frame (:meth:`Tokenizer.tokenize_corpus`) and
return tidy frames with deterministic order: ties are always broken by term.

Keyness follows R quanteda's ``textstat_keyness`` (quanteda.textstats, ``src/keyness.cpp``):
for each term the 2x2 table ``[[a, b], [c, d]]``, ``a``/``b`` its count in the target/reference
group, ``c``/``d`` the rest of each group's tokens.
"""

from __future__ import annotations

from collections.abc import Hashable
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import xlogy
from scipy.stats import chi2 as chi2_distribution
from sklearn.feature_extraction.text import TfidfVectorizer

from .trends import _with_integer_years

__all__ = [
    "CORRECTIONS", "MEASURES", "consecutive_keyness", "keyness", "term_counts", "tfidf_keywords", "trend_terms",
    "year_keyness",
]

CORRECTIONS = ("default", "yates", "williams", "none")
MEASURES = ("g2", "chi2")


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def tfidf_keywords(
    units: pd.DataFrame,
    by: str | None = None,
    top: int = 20,
    min_df: int | float = 1,
    max_df: int | float = 1.0,
    sublinear_tf: bool = True,
) -> pd.DataFrame:
    """Top TF-IDF terms of each document (``by=None``) or of each group of units (``by="year"``, ``"part"``...).

    The units of a document or group are joined into one pseudo-document; scikit-learn's
    ``TfidfVectorizer`` (smooth idf, l2 norm) is fitted across them on the ready tokens.
    Columns ``[by or "doc_id", "rank", "term", "score"]``, sorted by group then rank; terms a
    group lacks are never listed, so a group may have fewer than ``top`` rows. Units without a
    value of ``by`` (a report without a year) take no part; years come out as ``Int64``.

    >>> units = pd.DataFrame({"doc_id": ["a", "a", "b"], "part": ["plans", "problems", "plans"],
    ...                       "tokens": [["普法", "宣传"], ["普法", "短板"], ["宣传", "宪法"]]})
    >>> tfidf_keywords(units, top=2).round(3).values.tolist()
    [['a', 1, '普法', 0.81], ['a', 2, '短板', 0.478], ['b', 1, '宪法', 0.815], ['b', 2, '宣传', 0.58]]
    >>> tfidf_keywords(units, by="part", top=1)[["part", "term"]].values.tolist()
    [['plans', '宣传'], ['problems', '短板']]
    """
    key = by or "doc_id"
    if by is not None:
        units = _with_integer_years(units[units[by].notna()], [by])
    # Sorted tokens: the same bag of words gives bit-identical scores whatever the row order.
    groups = {name: sorted(chain.from_iterable(tokens)) for name, tokens in units.groupby(key, dropna=False)["tokens"]}
    # analyzer=callable: the token lists are used as they are (no lowercasing, no regex); the
    # fitted vocabulary is sorted, so column order does not depend on input order either.
    vectorizer = TfidfVectorizer(analyzer=_identity, min_df=min_df, max_df=max_df, sublinear_tf=sublinear_tf)
    matrix = vectorizer.fit_transform(list(groups.values())).tocoo()
    frame = pd.DataFrame({
        key: pd.Index(list(groups)).take(matrix.row),
        "term": vectorizer.get_feature_names_out()[matrix.col],
        "score": matrix.data,
    })
    frame = frame.sort_values([key, "score", "term"], ascending=[True, False, True], kind="stable", ignore_index=True)
    frame["rank"] = frame.groupby(key, dropna=False).cumcount() + 1
    frame = frame.loc[frame["rank"] <= top, [key, "rank", "term", "score"]].reset_index(drop=True)
    return _with_integer_years(frame, [key])


def term_counts(units: pd.DataFrame, by: str = "year", client: Any = None) -> pd.DataFrame:
    """How often each term occurs in each group: columns ``[by, "term", "count"]``, by group, then count, then term.

    With a ``dask.distributed`` Client the counting runs on its workers (``dask.bag``
    frequencies); the table is the same.

    >>> units = pd.DataFrame({"year": [2022, 2022, 2023], "tokens": [["普法", "宣传"], ["普法"], ["宪法"]]})
    >>> term_counts(units).values.tolist()
    [[2022, '普法', 2], [2022, '宣传', 1], [2023, '宪法', 1]]
    """
    if client is None:
        exploded = units[[by, "tokens"]].explode("tokens").dropna(subset=["tokens"])
        counts = exploded.groupby([by, "tokens"]).size().reset_index()
    else:
        import dask.bag

        pairs = list(zip(units[by].tolist(), units["tokens"]))
        workers = len(client.scheduler_info()["workers"])
        bag = dask.bag.from_sequence(pairs, npartitions=max(1, min(len(pairs) // 100, 8 * workers)))
        frequencies = client.compute(bag.map(_group_terms).flatten().frequencies(), sync=True)
        counts = pd.DataFrame([(group, term, n) for (group, term), n in frequencies])
        counts[0] = counts[0].astype(units[by].dtype)  # e.g. the nullable Int64 of Corpus.units_frame's year
    counts.columns = [by, "term", "count"]
    counts["count"] = counts["count"].astype(int)
    return counts.sort_values([by, "count", "term"], ascending=[True, False, True], ignore_index=True)


def _group_terms(row: tuple[Any, list[str]]) -> list[tuple[Any, str]]:
    return [(row[0], term) for term in row[1]]


def _select(units: pd.DataFrame, by: str, value: Any) -> np.ndarray:
    """Row mask: a boolean array as given, a list of values of ``units[by]``, or one value (a missing value
    matches nothing: a report without a year is in no year)."""
    if isinstance(value, (pd.Series, np.ndarray, list, tuple)):
        array = np.asarray(value)
        return array if array.dtype == bool else units[by].isin(array).fillna(False).to_numpy(dtype=bool)
    return (units[by] == value).fillna(False).to_numpy(dtype=bool)


def _counts(tokens: pd.Series) -> pd.Series:
    return tokens.explode().dropna().value_counts()


def _statistics(
    a: np.ndarray, b: np.ndarray, target_total: float, reference_total: float, correction: str
) -> tuple[np.ndarray, np.ndarray]:
    """Signed G2 and chi2 of the tables ``[[a, b], [target_total - a, reference_total - b]]``, per term."""
    c, d = target_total - a, reference_total - b
    n = a + b + c + d
    cells = np.stack([a, b, c, d])
    expected = np.stack([(a + b) * (a + c), (a + b) * (b + d), (c + d) * (a + c), (c + d) * (b + d)]) / n
    sign = np.where(a > expected[0], 1.0, -1.0)
    diff = a * d - b * c
    delta = np.zeros_like(a)
    if correction in ("default", "yates"):
        delta = np.where((np.abs(diff) >= n / 2) & (expected.min(axis=0) < 5), 0.5, 0.0)
    chi2 = n * (np.abs(diff) - n * delta) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d))
    # Yates for G2: every cell moves 0.5 towards its expected count (the margins stay the same).
    adjusted = cells + np.where(diff > 0, -delta, delta) * np.array([[1.0], [-1.0], [-1.0], [1.0]])
    g2 = 2 * xlogy(adjusted, adjusted / expected).sum(axis=0)
    if correction == "williams":
        q = 1 + (n / (a + b) + n / (c + d) - 1) * (n / (a + c) + n / (b + d) - 1) / (6 * n)
        q = np.where(a * b * c * d == 0, 1.0, q)
        g2, chi2 = g2 / q, chi2 / q
    return g2 * sign + 0.0, chi2 * sign + 0.0  # + 0.0 turns -0.0 into 0.0


def keyness(
    units: pd.DataFrame,
    target: Any,
    reference: Any = None,
    by: str = "year",
    min_count: int = 5,
    measure: str = "g2",
    correction: str = "default",
) -> pd.DataFrame:
    """Terms over- or under-used in the target units compared with the reference units.

    ``target`` and ``reference`` are values of ``units[by]`` (one, or a list), or boolean row
    masks; ``reference=None`` means every unit outside the target. Terms seen fewer than
    ``min_count`` times in both groups together are left out (the totals still count them).

    Statistics, as quanteda's ``textstat_keyness`` computes them: ``g2`` (Dunning's
    log-likelihood, its ``"lr"``) and ``chi2`` (Pearson), both signed ``+`` when the term is
    relatively more frequent in the target (``a`` above its expected count). ``correction``:

    - ``"default"`` and ``"yates"`` (the same, as in quanteda's code): Yates' continuity
      correction, for both statistics, only for a table where ``|ad - bc| >= N/2`` and some
      expected count is below 5; the G2 cells move 0.5 towards their expected counts.
      quanteda's documentation says the default is Williams for G2; its code does this.
    - ``"williams"``: both statistics divided by Williams' ``q = 1 + (N/R1 + N/R2 - 1)
      (N/C1 + N/C2 - 1) / 6N``; ``q = 1`` for a table with a zero cell (quanteda's rule).
    - ``"none"``.

    quanteda adds 1e-9 inside the logarithm; here ``0 log 0 = 0`` exactly. ``p`` is the
    chi-squared (1 df) tail probability of ``measure`` (``"g2"`` or ``"chi2"``), which also
    orders the rows (descending, so target terms first; ties by term). ``log_ratio`` is
    Hardie's Log Ratio, the binary log of the ratio of relative frequencies (target over
    reference), a zero count taken as 0.5. ``direction`` is ``"target"`` for a term relatively
    more frequent in the target, else ``"reference"``.

    >>> units = pd.DataFrame({"year": [2022, 2025], "tokens": [["普法"] * 2 + ["宣传"] * 8, ["普法"] * 9 + ["宣传"] * 3]})
    >>> keyness(units, 2025, min_count=1)[["term", "direction", "count_target", "count_reference"]].values.tolist()
    [['普法', 'target', 9, 2], ['宣传', 'reference', 3, 8]]
    >>> keyness(units, 2025, min_count=1, correction="none")[["g2", "chi2", "log_ratio"]].round(2).values.tolist()
    [[6.99, 6.6, 1.91], [-6.99, -6.6, -1.68]]
    """
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; choose from {MEASURES}")
    if correction not in CORRECTIONS:
        raise ValueError(f"unknown correction {correction!r}; choose from {CORRECTIONS}")
    in_target = _select(units, by, target)
    in_reference = ~in_target if reference is None else _select(units, by, reference)
    counts = pd.concat(
        {"a": _counts(units.loc[in_target, "tokens"]), "b": _counts(units.loc[in_reference, "tokens"])}, axis=1
    ).fillna(0)
    target_total, reference_total = counts["a"].sum(), counts["b"].sum()
    if not target_total or not reference_total:
        raise ValueError(f"no tokens in the {'target' if not target_total else 'reference'} units")
    counts = counts[counts["a"] + counts["b"] >= min_count]
    a, b = counts["a"].to_numpy(float), counts["b"].to_numpy(float)
    g2, chi2 = _statistics(a, b, target_total, reference_total, correction)
    stat = g2 if measure == "g2" else chi2
    log_ratio = np.log2(np.where(a == 0, 0.5, a) / target_total) - np.log2(np.where(b == 0, 0.5, b) / reference_total)
    frame = pd.DataFrame({
        "term": counts.index.astype(str),
        "direction": np.where(a * reference_total > b * target_total, "target", "reference"),
        "g2": g2,
        "chi2": chi2,
        "p": chi2_distribution.sf(np.abs(stat), 1),
        "log_ratio": log_ratio,
        "count_target": a.astype(int),
        "count_reference": b.astype(int),
    })
    return frame.sort_values([measure, "term"], ascending=[False, True], kind="stable", ignore_index=True)


def year_keyness(units: pd.DataFrame, from_year: Hashable, to_year: Hashable, min_count: int = 5) -> pd.DataFrame:
    """G2 keyness of ``to_year`` (target) against ``from_year`` (reference), rising terms first.

    Columns ``from, to, term, direction, g2, count_from, count_to, log_ratio, p``; ``direction``
    is ``"rising"`` for a term relatively more frequent in ``to_year``, else ``"falling"``.

    >>> units = pd.DataFrame({"year": [2022, 2025], "tokens": [["普法"] * 2 + ["宣传"] * 8, ["普法"] * 9 + ["宣传"] * 3]})
    >>> year_keyness(units, 2022, 2025, min_count=1)[["from", "to", "term", "direction", "count_from", "count_to"]].values.tolist()
    [[2022, 2025, '普法', 'rising', 2, 9], [2022, 2025, '宣传', 'falling', 8, 3]]
    """
    frame = keyness(units, to_year, from_year, by="year", min_count=min_count)
    return pd.DataFrame({
        "from": from_year,
        "to": to_year,
        "term": frame["term"],
        "direction": frame["direction"].map({"target": "rising", "reference": "falling"}),
        "g2": frame["g2"],
        "count_from": frame["count_reference"],
        "count_to": frame["count_target"],
        "log_ratio": frame["log_ratio"],
        "p": frame["p"],
    })


def consecutive_keyness(units: pd.DataFrame, min_count: int = 5, top: int = 20) -> pd.DataFrame:
    """:func:`year_keyness` for each pair of consecutive years present: per pair the ``top``
    rising terms, then the ``top`` falling ones, each strongest first (ties by term).

    >>> units = pd.DataFrame({"year": [2022, 2023, 2024], "tokens": [["普法"] * 6, ["普法", "宪法"] * 3, ["宪法"] * 6]})
    >>> consecutive_keyness(units, min_count=1, top=1)[["from", "to", "term", "direction"]].values.tolist()
    [[2022, 2023, '宪法', 'rising'], [2022, 2023, '普法', 'falling'], [2023, 2024, '宪法', 'rising'], [2023, 2024, '普法', 'falling']]
    """
    units = _with_integer_years(units, ["year"])
    years = [int(year) for year in sorted(units["year"].dropna().unique())]
    frames = []
    for earlier, later in zip(years, years[1:]):
        pair = year_keyness(units, earlier, later, min_count=min_count)
        falling = pair[pair["direction"] == "falling"].sort_values(["g2", "term"], kind="stable")
        frames += [pair[pair["direction"] == "rising"].head(top), falling.head(top)]
    columns = ["from", "to", "term", "direction", "g2", "count_from", "count_to", "log_ratio", "p"]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    return table.astype({"from": "Int64", "to": "Int64"})


def trend_terms(keywords_by_year: pd.DataFrame, n: int = 8) -> list[str]:
    """Terms worth following over the years: each year's two top TF-IDF terms when they are at most ``n``;
    otherwise the ``n`` terms that are among the years' top terms in the most years (ties: the larger total
    score), in the order of the year they first appear in (then as ranked), so that a figure of fifty years
    stays readable.

    >>> kw = pd.DataFrame({"year": [2024, 2024, 2024, 2025, 2025, 2025], "rank": [1, 2, 3] * 2,
    ...                    "term": ["普法", "执法", "复议", "营商环境", "复议", "普法"], "score": [.5, .4, .3, .6, .5, .1]})
    >>> trend_terms(kw)
    ['普法', '执法', '营商环境', '复议']
    >>> trend_terms(kw, n=2)
    ['复议', '普法']
    """
    firsts = list(keywords_by_year.loc[keywords_by_year["rank"] <= 2, "term"].drop_duplicates())
    if len(firsts) <= n:
        return firsts
    ranked = (keywords_by_year.groupby("term", sort=True)
              .agg(years=("year", "nunique"), score=("score", "sum"), first=("year", "min"))
              .sort_values(["years", "score"], ascending=False, kind="stable").head(n))
    return list(ranked.sort_values("first", kind="stable").index)

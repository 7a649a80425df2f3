"""Topic effects: run time on a real corpus against a statsmodels baseline, and coverage of the intervals.

Speed: loads a corpus (default: the seeds), tokenizes it (rjieba), fits LDA and times
``estimate_effects`` with ``--draws`` posterior draws. The baseline, measured in the same run,
is the same method of composition with one statsmodels ``OLS(...).fit(cov_type="cluster")`` per
topic and draw (timed on a few draws and scaled); the ratio is what the vectorised sandwich
saves. Medians of ``--repeats`` runs; the machine is shared, so read the ratios.

Coverage: ``--datasets`` synthetic corpora (40 governments x 4 years, one report a year, units
drawn around the report's shares) in which counties write 10 points more about topic 0, a
null covariate changes nothing and each government has a lasting lean: the share of 95%
intervals that contain the truth, clustered by government and, for contrast, HC1.

    python benchmarks/bench_effects.py [CORPUS] [--k 10] [--draws 1000] [--formula "year_spline"]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm

from govtopics import Tokenizer, load_corpus
from govtopics.effects import estimate_effects
from govtopics.models import LdaTopics, unit_topics

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def baseline_seconds_per_draw(fit, units: pd.DataFrame, gamma: np.ndarray, draws: int, seed: int = 1) -> float:
    """The method of composition with statsmodels fits, one per topic and draw: seconds per draw."""
    rng = np.random.default_rng(seed)
    kept = units[units["doc_id"].isin(fit.reports["doc_id"])]
    gamma = gamma[kept.index.to_numpy()]
    x = np.asarray(fit.spec.get_model_matrix(fit.reports), dtype=float)
    order = pd.Index(fit.reports["doc_id"])
    codes = order.get_indexer(kept["doc_id"])
    groups = fit.groups
    tokens = kept["n_tokens"].to_numpy(float)
    start = time.perf_counter()
    for _ in range(draws):
        sample = rng.standard_gamma(gamma)
        theta = sample / sample.sum(axis=1, keepdims=True)
        y = np.zeros((len(order), theta.shape[1]))
        np.add.at(y, codes, tokens[:, None] * theta)
        y /= np.bincount(codes, weights=tokens)[:, None]
        for k in range(theta.shape[1]):
            result = sm.OLS(y[:, k], x).fit(cov_type="cluster", cov_kwds={"groups": groups})
            rng.multivariate_normal(result.params, result.cov_params(), check_valid="ignore")
    return (time.perf_counter() - start) / draws


def speed(corpus: Path, k: int, draws: int, formula: str, repeats: int) -> None:
    units = Tokenizer(backend="rjieba").tokenize_corpus(load_corpus(corpus))
    lda = LdaTopics(num_topics=k, random_state=1).fit(list(units["tokens"]))
    table = unit_topics(units, lda, theta=lda.gamma_ / lda.gamma_.sum(axis=1, keepdims=True))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fit = estimate_effects(table, lda.gamma_, formula, labels=lda.labels_, n_draws=draws)
        times.append(time.perf_counter() - start)
    ours = statistics.median(times)
    base = statistics.median(baseline_seconds_per_draw(fit, table, lda.gamma_, 20, seed) for seed in range(repeats))
    print(f"corpus {corpus}: {len(fit.reports)} reports, {len(table)} units, K={k}, formula {formula!r}, "
          f"{len(fit.terms)} terms, {fit.cov_type}, excluded {len(fit.excluded)}")
    print(f"estimate_effects, {draws} draws: {ours:.2f} s (median of {repeats})")
    print(f"statsmodels fit per topic and draw: {base * draws:.2f} s for {draws} draws (scaled from 20)")
    print(f"ratio: {base * draws / ours:.1f} x faster")


def synthetic(rng: np.random.Generator, n_govs: int = 40, years: range = range(2019, 2023)):
    county = rng.permutation(np.arange(n_govs) % 2 == 0)
    null = rng.random(n_govs) < 0.5
    lean = rng.normal(0, 0.04, n_govs)
    rows, gamma = [], []
    for gov in range(n_govs):
        for year in years:
            shares = np.array([0.3 + 0.1 * county[gov] + lean[gov], 0.3, 0.0]) + rng.normal(0, 0.03, 3) * [1, 1, 0]
            shares[2] = 1 - shares[:2].sum()
            for _ in range(6):
                rows.append({"doc_id": f"{gov}-{year}", "year": year, "unit": gov, "n_tokens": 40,
                             "level": "county" if county[gov] else "city", "flag": bool(null[gov])})
                gamma.append(400 * rng.dirichlet(60 * shares) + 0.1)
    return pd.DataFrame(rows), np.array(gamma)


def coverage(datasets: int) -> None:
    rng = np.random.default_rng(20240601)
    hits = {("cluster", "level"): 0, ("cluster", "flag"): 0, ("HC1", "level"): 0, ("HC1", "flag"): 0}
    for _ in range(datasets):
        units, gamma = synthetic(rng)
        for name, cluster in (("cluster", "unit"), ("HC1", None)):
            table = estimate_effects(units, gamma, "year_spline + level + flag", cluster=cluster,
                                     n_draws=200).coefficients().query("topic == 0").set_index("term")
            for term, truth, key in (("level[T.county]", 0.1, "level"), ("flag", 0.0, "flag")):
                hits[(name, key)] += table.loc[term, "ci_low"] <= truth <= table.loc[term, "ci_high"]
    for (name, term), hit in hits.items():
        print(f"coverage of the 95% interval, {name:7s} {term:5s}: {hit / datasets:.3f} ({datasets} data sets)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=SEEDS)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--formula", default="year_spline")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--datasets", type=int, default=200)
    args = parser.parse_args()
    speed(args.corpus, args.k, args.draws, args.formula, args.repeats)
    if args.datasets:
        coverage(args.datasets)


if __name__ == "__main__":
    main()

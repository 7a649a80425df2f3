from collections import Counter

import numpy as np
import pandas as pd
import pytest

from govtopics import Tokenizer
from govtopics.models import LdaTopics, unit_topics
from govtopics.trends import term_trends, topic_prevalence, topic_words_by_year


@pytest.fixture(scope="module")
def fitted(seed_corpus):
    units = Tokenizer(cache=False).tokenize_corpus(seed_corpus)
    lda = LdaTopics(num_topics=4).fit(list(units["tokens"]))
    # The training units' proportions are their Dirichlet parameters normalised, as the build takes them.
    return units, lda, unit_topics(units, lda, theta=lda.gamma_ / lda.gamma_.sum(axis=1, keepdims=True))


@pytest.fixture(scope="module")
def prevalence(fitted):
    _, lda, table = fitted
    return topic_prevalence(table, lda.gamma_, lda.labels_, n_boot=300)


def test_prevalence_sums_to_one_per_year(prevalence):
    assert prevalence.groupby("year")["prevalence"].sum().round(10).eq(1).all()
    assert sorted(prevalence["year"].unique()) == [2022, 2023, 2024, 2025]


def test_intervals_contain_their_point(prevalence):
    assert (prevalence["ci_low"] <= prevalence["prevalence"]).all()
    assert (prevalence["prevalence"] <= prevalence["ci_high"]).all()
    assert (prevalence["ci_high"] - prevalence["ci_low"] > 0).all()


def test_reports_units_and_single_report_years(prevalence, fitted):
    units = fitted[0]
    per_year = prevalence.drop_duplicates("year").set_index("year")
    assert per_year["n_reports"].to_dict() == {2022: 1, 2023: 1, 2024: 1, 2025: 2}
    assert per_year["n_units"].to_dict() == units.groupby("year").size().to_dict()
    assert per_year["single_report"].to_dict() == {2022: True, 2023: True, 2024: True, 2025: False}
    assert per_year["few_reports"].all()


def test_point_is_the_length_weighted_share(prevalence, fitted):
    _, lda, table = fitted
    rows = table[table["year"] == 2025]
    theta = rows.filter(like="topic_").to_numpy()
    expected = (rows["n_tokens"].to_numpy() @ theta) / rows["n_tokens"].sum()
    got = prevalence[prevalence["year"] == 2025].sort_values("topic")["prevalence"].to_numpy()
    assert np.allclose(got, expected)


def test_deterministic(fitted, prevalence):
    _, lda, table = fitted
    again = topic_prevalence(table, lda.gamma_, lda.labels_, n_boot=300)
    assert again.equals(prevalence)
    fixed = topic_prevalence(table, lda.gamma_, lda.labels_, n_boot=300, model_uncertainty=False)
    assert np.allclose(fixed["prevalence"], prevalence["prevalence"])


def test_model_uncertainty_widens_intervals_when_units_are_uncertain():
    units = pd.DataFrame({"doc_id": list("aabbcc"), "year": [2024] * 6, "n_tokens": [5] * 6})
    gamma = np.array([[1.2, 1.2]] * 6)  # identical short units: flat posteriors, no sampling spread
    with_model = topic_prevalence(units, gamma, n_boot=2000)
    without = topic_prevalence(units, gamma, n_boot=2000, model_uncertainty=False)
    assert (without["ci_high"] - without["ci_low"]).max() < 1e-12  # identical reports: no sampling spread
    assert (with_model["ci_high"] - with_model["ci_low"]).min() > 0.2


def test_prevalence_by_part_and_year(fitted):
    _, lda, table = fitted
    by_part = topic_prevalence(table, lda.gamma_, lda.labels_, by=["part", "year"], n_boot=100)
    assert {"part", "year"} <= set(by_part.columns)
    assert by_part.groupby(["part", "year"])["prevalence"].sum().round(10).eq(1).all()
    assert set(by_part["part"]) == set(table["part"])


def test_topic_words_by_year_counts(fitted):
    units, lda, _ = fitted
    words = topic_words_by_year(lda, units, n=len(lda.vocabulary_))
    for year, frame in units.groupby("year"):
        in_vocab = sum(1 for ts in frame["tokens"] for t in ts if t in set(lda.vocabulary_))
        assert words[words["year"] == year]["count"].sum() == pytest.approx(in_vocab, rel=1e-6)
    top = words[words["rank"] == 1]
    assert set(top["topic"]) == set(range(4))


def test_term_trends_match_direct_counts(fitted):
    units = fitted[0]
    trends = term_trends(units, ["普法", "矛盾纠纷"])
    for year, frame in units.groupby("year"):
        counts = Counter(t for ts in frame["tokens"] for t in ts)
        row = trends[(trends["year"] == year) & (trends["term"] == "普法")].iloc[0]
        assert row["count"] == counts["普法"] and row["tokens"] == sum(counts.values())


def test_a_years_interval_does_not_depend_on_other_years(fitted, prevalence):
    _, lda, table = fitted
    keep = (table["year"] != 2022).to_numpy()
    without_2022 = topic_prevalence(table[keep].reset_index(drop=True), lda.gamma_[keep], lda.labels_, n_boot=300)
    later = prevalence[prevalence["year"] > 2022].reset_index(drop=True)
    assert without_2022.equals(later)


def test_topic_words_by_year_is_deterministic(fitted):
    units, lda, _ = fitted
    assert topic_words_by_year(lda, units).equals(topic_words_by_year(lda, units))

from collections import Counter

import numpy as np
import pandas as pd
import pytest

from govtopics import Tokenizer
from govtopics.models import LdaTopics, unit_topics
from govtopics.trends import exclusions, integer_years, term_trends, topic_prevalence, topic_words_by_year

# Four units of three reports; their proportions are gamma normalised: (0.9, 0.1), (0.1, 0.9), (0.5, 0.5), (0.2, 0.8).
SMALL = pd.DataFrame({"doc_id": ["a", "a", "b", "c"], "year": [2022, 2022, 2022, 2023],
                      "level": ["city", "city", "county", "city"], "n_tokens": [10, 30, 20, 10]})
SMALL_GAMMA = np.array([[9.0, 1.0], [1.0, 9.0], [5.0, 5.0], [2.0, 8.0]])


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
    assert str(prevalence["year"].dtype) == "Int64"
    assert (prevalence["weighting"] == "report").all() and prevalence.attrs["weighting"] == "report"


def test_intervals_contain_their_point(prevalence):
    assert (prevalence["ci_low"] <= prevalence["prevalence"]).all()
    assert (prevalence["prevalence"] <= prevalence["ci_high"]).all()
    assert (prevalence["ci_high"] - prevalence["ci_low"] > 0).all()


def test_reports_units_and_single_report_years(prevalence, fitted):
    units = fitted[0]
    per_year = prevalence.drop_duplicates("year").set_index("year")
    assert per_year["n_reports"].to_dict() == {2022: 1, 2023: 1, 2024: 1, 2025: 2}
    with_tokens = units[units["tokens"].map(len) > 0]
    assert per_year["n_units"].to_dict() == with_tokens.groupby("year").size().to_dict()
    assert per_year["single_report"].to_dict() == {2022: True, 2023: True, 2024: True, 2025: False}
    assert per_year["few_reports"].all()


def test_report_weighting_against_a_hand_computation():
    prev = topic_prevalence(SMALL, SMALL_GAMMA, n_boot=50).set_index(["topic", "year"])["prevalence"]
    # report a: (10*0.9 + 30*0.1) / 40 = 0.3; report b: 0.5; each counts once in 2022 -> 0.4
    assert prev[(0, 2022)] == pytest.approx(0.4) and prev[(1, 2022)] == pytest.approx(0.6)
    assert prev[(0, 2023)] == pytest.approx(0.2)
    tokens = topic_prevalence(SMALL, SMALL_GAMMA, weight="tokens", n_boot=50).set_index(["topic", "year"])
    assert tokens.loc[(0, 2022), "prevalence"] == pytest.approx(22 / 60)  # (9 + 3 + 10) / 60 tokens
    assert (tokens["weighting"] == "tokens").all()


def test_a_long_report_does_not_outweigh_ten_short_ones():
    units = pd.DataFrame({"doc_id": [f"town{i}" for i in range(10)] + ["city"], "year": 2024,
                          "n_tokens": [10] * 10 + [1000]})
    gamma = np.array([[8.0, 2.0]] * 10 + [[1.0, 9.0]])
    by_report = topic_prevalence(units, gamma, n_boot=50)
    by_tokens = topic_prevalence(units, gamma, weight="tokens", n_boot=50)
    assert by_report["prevalence"].iloc[0] == pytest.approx((10 * 0.8 + 0.1) / 11)
    assert by_tokens["prevalence"].iloc[0] == pytest.approx((100 * 0.8 + 1000 * 0.1) / 1100)


def test_report_weighted_interval_is_the_standard_error_of_a_mean():
    # 400 one-unit reports, no model uncertainty: the bootstrap interval of a mean of report shares
    # is about +-1.96 sd / sqrt(n) (units of other lengths weigh the same).
    rng = np.random.default_rng(3)
    shares = rng.beta(2, 5, 400)
    units = pd.DataFrame({"doc_id": np.arange(400), "year": 2024, "n_tokens": rng.integers(5, 500, 400)})
    prev = topic_prevalence(units, np.c_[shares, 1 - shares], n_boot=2000, model_uncertainty=False)
    row = prev.iloc[0]
    half = (row["ci_high"] - row["ci_low"]) / 2
    assert row["prevalence"] == pytest.approx(shares.mean())
    assert half == pytest.approx(1.96 * shares.std(ddof=1) / np.sqrt(400), rel=0.1)


def test_prevalence_by_year_and_level_per_cell():
    prev = topic_prevalence(SMALL, SMALL_GAMMA, by=["year", "level"], n_boot=100)
    cells = prev[prev["topic"] == 0].set_index(["year", "level"])
    assert cells["prevalence"].round(10).to_dict() == {(2022, "city"): 0.3, (2022, "county"): 0.5, (2023, "city"): 0.2}
    assert cells["n_reports"].tolist() == [1, 1, 1] and cells["single_report"].all()
    assert list(prev.columns[:4]) == ["topic", "label", "year", "level"]


def test_prevalence_by_a_metadata_column_without_year():
    units = SMALL.assign(province=["四川省", "四川省", "广东省", "广东省"])
    prev = topic_prevalence(units, SMALL_GAMMA, by="province", n_boot=100)
    got = prev[prev["topic"] == 0].set_index("province")["prevalence"].round(10).to_dict()
    assert got == {"四川省": 0.3, "广东省": (0.5 + 0.2) / 2}
    assert "year" not in prev.columns


def test_integer_years_survive_a_missing_year():
    units = SMALL.astype({"year": float})
    units.loc[3, "year"] = np.nan  # report c has no year: the column turns float
    prev = topic_prevalence(units, SMALL_GAMMA, n_boot=50)
    assert str(prev["year"].dtype) == "Int64" and prev["year"].tolist() == [2022, 2022]
    assert prev.attrs["excluded"] == [{"doc_id": "c", "reason": "no year"}]
    assert exclusions(units).values.tolist() == [["c", "no year"]]
    assert integer_years(units["year"]).tolist()[2:] == [2022, pd.NA]
    trends = term_trends(units.assign(tokens=[["普法"], ["普法", "宣传"], ["宣传"], ["普法"]]), ["普法"])
    assert trends["year"].tolist() == [2022] and str(trends["year"].dtype) == "Int64"
    assert trends["count"].tolist() == [2]


def test_reports_without_tokens_are_excluded_with_their_reason():
    units = SMALL.assign(n_tokens=[10, 30, 0, 10])
    prev = topic_prevalence(units, SMALL_GAMMA, n_boot=50)
    assert prev.attrs["excluded"] == [{"doc_id": "b", "reason": "no tokens"}]
    assert prev.set_index(["topic", "year"]).loc[(0, 2022), "prevalence"] == pytest.approx(0.3)


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

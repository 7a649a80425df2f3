import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from govtopics import Tokenizer
from govtopics.features import consecutive_keyness, keyness, tfidf_keywords, trend_terms, year_keyness
from govtopics.structure import PARTS


@pytest.fixture(scope="module")
def units(seed_corpus):
    return Tokenizer(cache=False, progress=False).tokenize_corpus(seed_corpus)


def token_counts(units, mask):
    return Counter(t for tokens in units.loc[mask, "tokens"] for t in tokens)


def table_units(a, b, c, d):
    """Units whose term "x" has the keyness table [[a, b], [c, d]] (target year 1, reference year 2)."""
    return pd.DataFrame({"year": [1, 2], "tokens": [["x"] * a + ["y"] * c, ["x"] * b + ["y"] * d]})


def row(frame, term):
    return frame.set_index("term").loc[term]


# -- keyness on the seeds ---------------------------------------------------------------


def test_keyness_counts_are_the_token_counts_of_the_two_years(units):
    c25, c22 = token_counts(units, units["year"] == 2025), token_counts(units, units["year"] == 2022)
    got = keyness(units, 2025, 2022, min_count=1).set_index("term")
    assert set(got.index) == set(c25) | set(c22)  # 2023 and 2024 units play no part
    for term in ["普法", "法治", "群体", "司法", "法律顾问", "宣传", "行政复议"]:
        assert (got.loc[term, "count_target"], got.loc[term, "count_reference"]) == (c25[term], c22[term])
    assert (got["count_target"] == [c25[t] for t in got.index]).all()
    assert (got["count_reference"] == [c22[t] for t in got.index]).all()


def test_reference_defaults_to_every_other_unit(units):
    others = token_counts(units, units["year"] != 2025)
    got = keyness(units, 2025, min_count=1).set_index("term")
    assert got.loc["宪法", "count_reference"] == others["宪法"] > 0
    assert (got["count_reference"] == [others[t] for t in got.index]).all()


def test_min_count_filters_on_both_groups_together(units):
    c25, c22 = token_counts(units, units["year"] == 2025), token_counts(units, units["year"] == 2022)
    got = keyness(units, 2025, 2022, min_count=5)
    assert set(got["term"]) == {t for t in set(c25) | set(c22) if c25[t] + c22[t] >= 5}
    assert (got["count_target"] + got["count_reference"] >= 5).all()
    assert "行政复议" not in set(got["term"])  # 3 occurrences only


def test_signs_directions_and_order(units):
    c25, c22 = token_counts(units, units["year"] == 2025), token_counts(units, units["year"] == 2022)
    got = keyness(units, 2025, 2022)
    only_2025 = [t for t, n in c25.items() if n >= 5 and not c22[t]]
    assert set(only_2025) >= {"群体", "基层治理"}
    assert (row(got, only_2025)["g2"] > 0).all() and (row(got, only_2025)["direction"] == "target").all()
    assert row(got, "司法")["g2"] < 0 and row(got, "司法")["direction"] == "reference"  # 2022 only
    assert got["g2"].is_monotonic_decreasing
    assert (np.sign(got["g2"]) == np.sign(got["log_ratio"])).all()
    ties = got[got.duplicated("g2", keep=False)]
    assert len(ties) and all(g["term"].is_monotonic_increasing for _, g in ties.groupby("g2"))
    swapped = keyness(units, 2022, 2025).set_index("term")
    assert np.allclose(swapped.loc[got["term"], "g2"], -got["g2"])


def test_measure_chi2_orders_by_chi2_and_gives_its_p(units):
    got = keyness(units, 2025, 2022, measure="chi2")
    assert got["chi2"].is_monotonic_decreasing
    totals = [sum(token_counts(units, units["year"] == year).values()) for year in (2025, 2022)]
    top = got.iloc[0]
    table = [[top["count_target"], top["count_reference"]],
             [totals[0] - top["count_target"], totals[1] - top["count_reference"]]]
    assert top["p"] == pytest.approx(chi2_contingency(table, correction=False)[1])  # expected counts >= 5: no Yates


def test_year_keyness_and_consecutive_pairs(units):
    got = year_keyness(units, 2022, 2025)
    assert list(got.columns) == ["from", "to", "term", "direction", "g2", "count_from", "count_to", "log_ratio", "p"]
    plain = keyness(units, 2025, 2022)
    assert (got["from"] == 2022).all() and (got["to"] == 2025).all()
    assert got["term"].equals(plain["term"]) and got["g2"].equals(plain["g2"])
    assert got["count_from"].equals(plain["count_reference"]) and got["count_to"].equals(plain["count_target"])
    assert (got["direction"] == np.where(got["g2"] > 0, "rising", "falling")).all()
    assert row(got, "普法")["direction"] == "rising"  # 26 uses in 2025, 3 in 2022
    pairs = consecutive_keyness(units, top=3)
    assert list(dict.fromkeys(zip(pairs["from"], pairs["to"]))) == [(2022, 2023), (2023, 2024), (2024, 2025)]
    for _, pair in pairs.groupby(["from", "to"]):
        rising, falling = pair[pair["direction"] == "rising"], pair[pair["direction"] == "falling"]
        assert len(rising) == len(falling) == 3
        assert (rising["g2"] > 0).all() and rising["g2"].is_monotonic_decreasing
        assert (falling["g2"] < 0).all() and falling["g2"].is_monotonic_increasing
    last = pairs[(pairs["from"] == 2024) & (pairs["direction"] == "falling")]
    assert last["term"].iloc[0] == year_keyness(units, 2024, 2025)["term"].iloc[-1]


# -- keyness statistics on hand-made tables ----------------------------------------------


def test_g2_and_chi2_of_a_small_table_with_yates():
    # [[1, 9], [30, 25]]: an expected count below 5 and |ad - bc| >= N/2, so "default" applies Yates.
    table = [[1, 9], [30, 25]]
    got = row(keyness(table_units(1, 9, 30, 25), 1, min_count=0), "x")
    yates_g2 = chi2_contingency(table, correction=True, lambda_="log-likelihood")[0]
    yates_chi2 = chi2_contingency(table, correction=True)[0]
    assert got["g2"] == pytest.approx(-yates_g2) and got["chi2"] == pytest.approx(-yates_chi2)
    assert got["g2"] == pytest.approx(-5.5614172005) and got["chi2"] == pytest.approx(-5.0632331378)
    assert got["direction"] == "reference"
    assert got["p"] == pytest.approx(chi2_contingency(table, correction=True, lambda_="log-likelihood")[1])
    assert got["log_ratio"] == pytest.approx(math.log2((1 / 31) / (9 / 34)))
    none = row(keyness(table_units(1, 9, 30, 25), 1, min_count=0, correction="none"), "x")
    # textbook G2 = 2 sum O ln(O / E), E from the margins
    expected = np.outer([10, 55], [31, 34]) / 65
    assert none["g2"] == pytest.approx(-2 * np.sum(np.array(table) * np.log(np.array(table) / expected)))
    assert none["chi2"] == pytest.approx(-chi2_contingency(table, correction=False)[0])


def test_default_correction_leaves_large_tables_alone():
    table = [[40, 20], [60, 80]]  # every expected count >= 5
    for correction in ("default", "yates", "none"):
        got = row(keyness(table_units(40, 20, 60, 80), 1, min_count=0, correction=correction), "x")
        assert got["g2"] == pytest.approx(chi2_contingency(table, correction=False, lambda_="log-likelihood")[0])
        assert got["chi2"] == pytest.approx(9.5238095238)


def test_williams_correction():
    q = 1 + (100 / 30 + 100 / 70 - 1) * (100 / 40 + 100 / 60 - 1) / (6 * 100)
    assert q == pytest.approx(1.0198544974)
    none = row(keyness(table_units(10, 20, 30, 40), 1, min_count=0, correction="none"), "x")
    williams = row(keyness(table_units(10, 20, 30, 40), 1, min_count=0, correction="williams"), "x")
    assert williams["g2"] == pytest.approx(none["g2"] / q) == pytest.approx(-0.8043486461 / q)
    assert williams["chi2"] == pytest.approx(none["chi2"] / q)
    # a zero cell: quanteda's q = 1
    zero = [row(keyness(table_units(0, 20, 30, 40), 1, min_count=0, correction=c), "x")["g2"] for c in ("none", "williams")]
    assert zero[0] == zero[1] < 0


def test_keyness_rejects_bad_arguments(units):
    with pytest.raises(ValueError, match="measure"):
        keyness(units, 2025, measure="pmi")
    with pytest.raises(ValueError, match="correction"):
        keyness(units, 2025, correction="holm")
    with pytest.raises(ValueError, match="target"):
        keyness(units, 1999)
    mask = (units["part"] == "plans").to_numpy()
    assert keyness(units, mask, by="part", min_count=1).equals(keyness(units, "plans", by="part", min_count=1))


# -- TF-IDF keywords -----------------------------------------------------------------------


@pytest.mark.parametrize("by, groups", [
    (None, ["000_d150b2aa907695eb", "001_d6ab253036f6199f", "002_182556944e2e6830", "003_be480a6cdcfd52da",
            "004_0c84c42b5ba5c4eb"]),
    ("year", [2022, 2023, 2024, 2025]),
    ("part", sorted(PARTS)),
])
def test_tfidf_keywords_shape_and_order(units, by, groups):
    key = by or "doc_id"
    got = tfidf_keywords(units, by=by, top=20)
    assert list(got.columns) == [key, "rank", "term", "score"]
    assert list(dict.fromkeys(got[key])) == groups
    for _, group in got.groupby(key):
        assert list(group["rank"]) == list(range(1, 21))
        assert group["score"].is_monotonic_decreasing and (group["score"] > 0).all()
        assert all(g["term"].is_monotonic_increasing for _, g in group.groupby("score"))
    assert got.equals(tfidf_keywords(units, by=by, top=20))
    assert got.equals(tfidf_keywords(units.sample(frac=1, random_state=0), by=by, top=20))


def test_tfidf_keywords_find_what_is_specific(units):
    per_doc = tfidf_keywords(units)
    qingmuguan = set(per_doc.loc[per_doc["doc_id"].str.startswith("001"), "term"])
    assert {"行政复议", "司法", "合同文书"} <= qingmuguan  # only or mostly in the 2022 report of 青木关镇
    by_year = tfidf_keywords(units, by="year", top=5)
    assert "宪法" in set(by_year.loc[by_year["year"] == 2024, "term"])  # 10 of its 12 uses are in 2024
    assert tfidf_keywords(units, by="year", top=3).groupby("year").size().eq(3).all()


def test_tfidf_keywords_use_the_tokens_as_they_are():
    units = pd.DataFrame({"doc_id": ["a", "b"], "tokens": [["APP", "一", "APP"], ["法治"]]})
    assert tfidf_keywords(units)["term"].tolist() == ["APP", "一", "法治"]


# -- a report without a year ---------------------------------------------------------------


def test_a_report_without_a_year_takes_no_part_and_years_stay_integers(units):
    missing = units.astype({"year": float})
    missing.loc[missing["doc_id"].str.startswith("001"), "year"] = np.nan  # the 2022 report loses its year
    with_int64 = missing.astype({"year": "Int64"})
    for frame in (missing, with_int64):
        by_year = tfidf_keywords(frame, by="year", top=3)
        assert str(by_year["year"].dtype) == "Int64" and list(dict.fromkeys(by_year["year"])) == [2023, 2024, 2025]
        pairs = consecutive_keyness(frame, top=2)
        assert str(pairs["from"].dtype) == "Int64"
        assert list(dict.fromkeys(zip(pairs["from"], pairs["to"]))) == [(2023, 2024), (2024, 2025)]
        c25 = token_counts(units, units["year"] == 2025)
        got = keyness(frame, 2025, 2024, min_count=1).set_index("term")
        assert got.loc["普法", "count_target"] == c25["普法"]


def test_trend_terms_keep_the_years_top_terms_or_the_most_persistent_ones():
    rows = [(2001, 1, "A", .9), (2001, 2, "B", .8), (2001, 3, "X", .1),
            (2002, 1, "C", .9), (2002, 2, "D", .8), (2002, 3, "X", .1),
            (2003, 1, "E", .9), (2003, 2, "A", .5), (2003, 3, "X", .1)]
    keywords = pd.DataFrame(rows, columns=["year", "rank", "term", "score"])
    # Five first-or-second terms fit under n = 5 and are kept in the order they come.
    assert trend_terms(keywords, n=5) == ["A", "B", "C", "D", "E"]
    # With n = 3: X is among the top terms in 3 years, A in 2, then C and E in one each with 0.9 (C first by
    # name); ordered by first year, ties as ranked: X and A (2001), then C (2002).
    assert trend_terms(keywords, n=3) == ["X", "A", "C"]

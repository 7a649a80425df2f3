"""Representative passages and keyword in context, on the seed reports and on hand-made units."""

import re

import numpy as np
import pandas as pd
import pytest
from _seedmodel import seed_fit, theta_of
from hypothesis import given, settings
from hypothesis import strategies as st

from govtopics import kwic, load_corpus, passages, representative_passages
from govtopics.cleaning import normalize_text
from govtopics.passages import canonical


@pytest.fixture(scope="module")
def fitted():
    return seed_fit()


def test_passages_are_the_units_with_the_highest_proportion(fitted):
    units, lda, table, _ = fitted
    theta = theta_of(table)
    passages = representative_passages(units, table, n=4, labels=lda.labels_)
    assert list(passages.columns[:4]) == ["topic", "label", "rank", "proportion"]
    for k in range(5):
        # highest proportion first; ties (units with the same tokens) by report id, then unit index
        expected = np.lexsort((table["unit_index"].to_numpy(), table["doc_id"].to_numpy(str), -theta[:, k]))[:4]
        got = passages[passages["topic"] == k]
        assert got["rank"].tolist() == [1, 2, 3, 4]
        assert got["proportion"].tolist() == theta[expected, k].tolist()
        ids = list(zip(table["doc_id"][expected], table["unit_index"][expected]))
        assert list(zip(got["doc_id"], got["unit_index"])) == ids
        assert got["text"].tolist() == units["text"].iloc[expected].tolist()
        assert (got["label"] == lda.labels_[k]).all()


def test_passages_per_year_rank_within_each_year(fitted):
    units, _, table, _ = fitted
    theta = theta_of(table)
    passages = representative_passages(units, table, n=2, by="year")
    assert sorted(passages["year"].unique()) == [2022, 2023, 2024, 2025]
    for year in (2022, 2025):
        rows = np.flatnonzero(units["year"].to_numpy() == year)
        for k in (0, 3):
            expected = rows[np.argsort(-theta[rows, k])[:2]]
            got = passages[(passages["topic"] == k) & (passages["year"] == year)]
            assert got["unit_index"].tolist() == units["unit_index"].iloc[expected].tolist()
            assert (got["year"] == year).all()


def test_short_units_are_left_out_with_min_tokens(fitted):
    units, _, table, _ = fitted
    theta = theta_of(table)
    passages = representative_passages(units, table, n=3, min_tokens=30)
    long = np.flatnonzero(table["n_tokens"].to_numpy() >= 30)
    assert (passages["n_tokens"] >= 30).all()
    expected = long[np.argsort(-theta[long, 2])[:3]]
    assert passages[passages["topic"] == 2]["unit_index"].tolist() == table["unit_index"].iloc[expected].tolist()


def test_units_and_topic_table_are_joined_by_report_and_unit_not_by_row(fitted):
    units, _, table, _ = fitted
    shuffled = units.sample(frac=1.0, random_state=3)
    straight = representative_passages(units, table, n=3)
    assert representative_passages(shuffled, table, n=3).equals(straight)
    array = representative_passages(units, theta_of(table), n=3)
    assert array.drop(columns="n_tokens").equals(straight.drop(columns="n_tokens"))


def test_ties_go_to_the_earlier_report_then_the_earlier_unit():
    units = pd.DataFrame({"doc_id": ["b", "a", "a", "c"], "unit_index": [0, 5, 2, 1], "year": [2023] * 4,
                          "text": ["乙", "甲五", "甲二", "丙"]})
    theta = np.array([[0.5, 0.5], [0.5, 0.5], [0.5, 0.5], [0.9, 0.1]])
    passages = representative_passages(units, theta, n=4)
    assert passages[passages["topic"] == 0]["text"].tolist() == ["丙", "甲二", "甲五", "乙"]
    assert passages[passages["topic"] == 1]["text"].tolist() == ["甲二", "甲五", "乙", "丙"]


def test_passages_refuse_what_they_cannot_do(fitted):
    units, _, table, _ = fitted
    with pytest.raises(ValueError, match="n must be at least 1"):
        representative_passages(units, table, n=0)
    with pytest.raises(ValueError, match="by \\['province'\\]"):
        representative_passages(units, table, by="province")
    with pytest.raises(ValueError, match="do not match"):
        representative_passages(units, theta_of(table)[:10])
    with pytest.raises(ValueError, match="text"):
        representative_passages(units.drop(columns="text"), table)


# -- keyword in context --------------------------------------------------------------------------


@pytest.mark.parametrize("term", ["营商环境", "普法", "矛盾纠纷", "宪法", "法治政府建设"])
def test_kwic_finds_every_occurrence_a_substring_count_finds(fitted, term):
    units = fitted[0]
    hits = kwic(units, term, window=10)
    expected = sum(normalize_text(text).count(term) for text in units["text"])
    assert expected > 0
    assert len(hits) == expected
    texts = dict(zip(zip(units["doc_id"], units["unit_index"]), units["text"]))
    for (doc_id, index), n in hits.groupby(["doc_id", "unit_index"]).size().items():
        assert texts[doc_id, index].count(term) == n
    for row in hits.itertuples():
        text = normalize_text(texts[row.doc_id, row.unit_index])
        assert row.keyword == term
        assert text[row.start:row.start + len(term)] == term
        assert row.left == text[max(row.start - 10, 0):row.start]
        assert row.right == text[row.start + len(term):row.start + len(term) + 10]


def test_kwic_carries_the_metadata_of_each_hit(seed_corpus):
    hits = kwic(seed_corpus, "营商环境", window=5)
    years = {doc.id: doc.year for doc in seed_corpus}
    units = {doc.id: doc.unit for doc in seed_corpus}
    assert list(hits.columns) == ["doc_id", "unit_index", "year", "unit", "level", "issuer", "genre", "period", "part",
                                  "heading", "start", "left", "keyword", "right"]
    assert len(hits) > 0
    assert all(hits["year"] == hits["doc_id"].map(years))
    assert all(hits["unit"] == hits["doc_id"].map(units))


def test_kwic_treats_full_and_half_width_forms_as_the_same():
    units = pd.DataFrame({"doc_id": ["a", "b"], "unit_index": [0, 0], "year": [2022, 2023],
                          "text": ["推行ＡＢ岗制度（试行），ＡＢ岗全覆盖", "推行AB岗制度(试行),AB岗"]})
    for keyword in ("AB岗", "ＡＢ岗"):
        hits = kwic(units, keyword, window=3)
        assert hits["doc_id"].tolist() == ["a", "a", "b", "b"]
        assert set(hits["keyword"]) == {"AB岗"}
    assert kwic(units, "制度（试行）", window=2)["right"].tolist() == [",A", ",A"]


def test_kwic_counts_overlapping_occurrences_as_str_count_does():
    units = pd.DataFrame({"doc_id": ["a"], "unit_index": [0], "text": ["哈哈哈哈哈"]})
    hits = kwic(units, "哈哈", window=1)
    assert len(hits) == "哈哈哈哈哈".count("哈哈") == 2
    assert hits["start"].tolist() == [0, 2]
    assert hits["left"].tolist() == ["", "哈"]


def test_kwic_with_a_regular_expression_and_its_errors():
    units = pd.DataFrame({"doc_id": ["a"], "unit_index": [0], "text": ["优化营商环境,打造法治化营商环境。"]})
    hits = kwic(units, "法治化营商环境|营商环境", window=2, regex=True)
    assert hits["keyword"].tolist() == ["营商环境", "法治化营商环境"]
    with pytest.raises(ValueError, match="empty"):
        kwic(units, "  ")
    with pytest.raises(ValueError, match="empty string"):
        kwic(units, "x*", regex=True)


def test_kwic_of_a_corpus_equals_kwic_of_its_units(seeds_dir):
    corpus = load_corpus(seeds_dir)
    assert kwic(corpus, "普法").equals(kwic(corpus.units_frame(), "普法"))


@given(st.text(alphabet=st.sampled_from(list("营商环境ＡＢab （）(),，。\n\r\t\u3000\u200b\u2014【】「 -")), max_size=30))
def test_the_fast_path_of_kwic_normalises_as_normalize_text_does(text):
    assert canonical(text) == normalize_text(text)


def test_the_characters_kwic_trusts_as_canonical_are_canonical():
    stable = [chr(c) for c in range(0x110000) if passages._UNSTABLE.fullmatch(chr(c)) is None]
    assert len(stable) > 20_000
    assert all(normalize_text(c) in (c, "") for c in stable)  # whitespace alone normalises to ""


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("营商环境ＡＢ (（,，\n\u3000\u200b")), max_size=12), max_size=600),
       st.sampled_from(["营商", "营商环境", "AB", "ＡＢ环境", "(营", "商环"]))
def test_kwic_finds_what_normalising_every_unit_finds(texts, term):
    units = pd.DataFrame({"doc_id": "a", "unit_index": range(len(texts)), "text": texts})
    expected = [(i, m.start()) for i, t in enumerate(texts)
                for m in re.finditer(re.escape(normalize_text(term)), normalize_text(t))]
    hits = kwic(units, term)
    assert list(zip(hits["unit_index"], hits["start"])) == expected

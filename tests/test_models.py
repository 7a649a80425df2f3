import numpy as np
import pandas as pd
import pytest

from govtopics import Tokenizer
from govtopics.models import (
    LdaTopics,
    NmfTopics,
    coherence,
    exclusivity,
    recommend_k,
    scan_k,
    stability,
    topic_diversity,
    unit_topics,
)
from govtopics.stopwords import layer_words

FAST = dict(passes=20, iterations=100)


@pytest.fixture(scope="module")
def units(seed_corpus):
    return Tokenizer(cache=False).tokenize_corpus(seed_corpus)


@pytest.fixture(scope="module")
def docs(units):
    return list(units["tokens"])


@pytest.fixture(scope="module")
def lda(docs):
    return LdaTopics(num_topics=5, **FAST).fit(docs)


def test_same_data_and_seed_give_the_identical_model(docs, lda):
    again = LdaTopics(num_topics=5, **FAST).fit(docs)
    assert np.array_equal(again.topic_word_, lda.topic_word_)
    assert np.array_equal(again.transform(docs), lda.transform(docs))
    other = LdaTopics(num_topics=5, random_state=7, **FAST).fit(docs)
    assert not np.array_equal(other.topic_word_, lda.topic_word_)


def test_fitted_attributes_and_transform(docs, lda):
    k, v = lda.topic_word_.shape
    assert (k, v) == (5, len(lda.vocabulary_)) == (5, len(lda.dictionary_))
    assert np.allclose(lda.topic_word_.sum(axis=1), 1)
    theta = lda.transform(docs)
    assert theta.shape == (len(docs), 5) and np.allclose(theta.sum(axis=1), 1)
    assert lda.gamma_.shape == theta.shape and (lda.gamma_ > 0).all()
    assert lda.get_params()["num_topics"] == 5  # scikit-learn conventions


def test_vocabulary_filter_is_applied(docs, lda):
    df = pd.Series([w for d in docs for w in set(d)]).value_counts()
    assert set(lda.vocabulary_) == set(df[(df >= 2) & (df <= 0.5 * len(docs))].index)


def test_topic_words_and_labels(lda):
    table = lda.topic_words(10)
    assert list(table.columns) == ["topic", "label", "rank", "word", "weight"]
    assert sorted(table["topic"].unique()) == [0, 1, 2, 3, 4]
    assert all(table.groupby("topic")["weight"].apply(lambda w: w.is_monotonic_decreasing))
    for topic, words in enumerate(lda.frex_words(3)):
        assert lda.labels_[topic] == "·".join(words)
    assert len(set(lda.labels_)) == 5
    old = list(lda.labels_)
    lda.set_labels({0: "执法规范"})
    assert lda.topic_words(3)["label"].iloc[0] == "执法规范"
    lda.set_labels(old)


def test_save_and_load(tmp_path, docs, lda):
    path = lda.save(tmp_path / "lda.pkl")
    loaded = LdaTopics.load(path)
    assert np.array_equal(loaded.transform(docs), lda.transform(docs))
    assert loaded.vocabulary_ == lda.vocabulary_ and loaded.labels_ == lda.labels_


def test_too_many_topics_for_the_vocabulary(docs):
    with pytest.raises(ValueError, match="num_topics"):
        LdaTopics(num_topics=5000, **FAST).fit(docs)


def test_unit_topics_has_one_row_per_unit(units, lda):
    table = unit_topics(units, lda)
    assert len(table) == len(units)
    assert {"doc_id", "year", "part", "n_tokens", "topic_0", "topic_4"} <= set(table.columns)
    assert "text" not in table.columns
    assert np.allclose(table.filter(like="topic_").sum(axis=1), 1)
    assert table["n_tokens"].tolist() == units["tokens"].map(len).tolist()


def test_nmf_gives_the_same_tables(docs, units):
    nmf = NmfTopics(num_topics=5).fit(docs)
    again = NmfTopics(num_topics=5).fit(docs)
    assert np.array_equal(nmf.topic_word_, again.topic_word_)
    assert list(nmf.topic_words(5).columns) == ["topic", "label", "rank", "word", "weight"]
    table = unit_topics(units, nmf)
    assert np.allclose(table.filter(like="topic_").sum(axis=1), 1)


def test_measures():
    assert topic_diversity([["a", "b", "c"], ["a", "b", "d"]], n=3) == pytest.approx(4 / 6)
    tops = [[["a", "b"], ["c", "d"]]] * 3
    assert stability(tops, n=2) == 1.0
    tw = np.array([[0.6, 0.3, 0.1, 0.0], [0.0, 0.1, 0.3, 0.6]])
    ex = exclusivity(tw, n=2)
    assert ex[0] == pytest.approx(ex[1]) and ex[0] > 1.5
    docs = [["法治", "宣传"], ["法治", "宣传"], ["执法", "队伍"], ["执法", "队伍"]]
    assert coherence([["法治", "宣传"]], docs, topn=2)[0] == pytest.approx(1.0)
    assert coherence([["法治", "队伍"]], docs, topn=2)[0] < -0.9  # never together: -1 up to gensim's epsilon


def test_k_scan_table_and_recommendation(docs):
    scan = scan_k(docs, [3, 4], seeds=(1, 2), **FAST)
    assert scan["k"].tolist() == [3, 4]
    for column in ["c_npmi", "c_v", "exclusivity", "diversity", "stability"]:
        assert scan[column].notna().all(), column
    assert scan["diversity"].between(0, 1).all() and scan["stability"].between(0, 1).all()
    k, rule = recommend_k(scan)
    assert k in (3, 4) and "c_npmi" in rule and "c_v" in rule


def test_multicore_is_an_opt_in_that_replaces_alpha_auto(docs):
    model = LdaTopics(num_topics=4, multicore=True, workers=2, alpha="auto", **FAST).fit(docs)
    assert model.model_.__class__.__name__ == "LdaMulticore"
    alpha = model.model_.alpha
    assert alpha[0] > alpha[-1]  # "asymmetric" stood in for "auto", which LdaMulticore rejects
    assert np.allclose(model.transform(docs).sum(axis=1), 1)


def test_no_topic_top_word_is_a_function_formulaic_or_scaffolding_word(docs):
    banned = layer_words("function") | layer_words("formulaic") | layer_words("scaffolding")
    for k in (5, 7):
        model = LdaTopics(num_topics=k, no_below=5).fit(docs)
        words = {w for topic in model.top_words(10) for w in topic}
        assert not words & banned, sorted(words & banned)
        assert {"普法", "执法", "矛盾纠纷"} <= words

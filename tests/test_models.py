import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from govtopics import Tokenizer
from govtopics import models as models_module
from govtopics.coherence import npmi
from govtopics.models import (
    ENGINES,
    KRangeWarning,
    LdaTopics,
    NmfTopics,
    coherence,
    default_k_range,
    default_no_below,
    exclusivity,
    fit_topics,
    k_scores,
    recommend_k,
    scan_k,
    stability,
    topic_diversity,
    unit_topics,
)
from govtopics.stopwords import layer_words

# Short fits for tests: a cap on passes/sweeps (convergence is tested separately).
FAST = {"tomotopy": dict(max_iter=200), "gensim": dict(max_iter=5)}


@pytest.fixture(scope="module")
def units(seed_corpus):
    return Tokenizer(cache=False, progress=False).tokenize_corpus(seed_corpus)


@pytest.fixture(scope="module")
def docs(units):
    return list(units["tokens"])


@pytest.fixture(scope="module", params=ENGINES)
def engine(request):
    return request.param


@pytest.fixture(scope="module")
def lda(docs, engine):
    return LdaTopics(num_topics=5, engine=engine, **FAST[engine]).fit(docs)


def test_the_library_defaults_are_these():
    # Spine builds the config from these (make_model("lda").get_params()): a change here must be deliberate.
    assert LdaTopics().get_params() == {
        "num_topics": 8, "engine": "tomotopy", "alpha": "auto", "eta": 0.01, "no_below": "auto", "no_above": 0.5,
        "max_iter": "auto", "tol": 1e-3, "inference_iterations": 100, "chunksize": 2000, "workers": 1,
        "random_state": 20240601,
    }
    assert ENGINES[0] == "tomotopy"


def test_same_data_and_seed_give_the_identical_model(docs, lda, engine):
    again = LdaTopics(num_topics=5, engine=engine, **FAST[engine]).fit(docs)
    assert np.array_equal(again.topic_word_, lda.topic_word_)
    assert np.array_equal(again.gamma_, lda.gamma_)
    assert np.array_equal(again.transform(docs), lda.transform(docs))
    assert again.n_iter_ == lda.n_iter_
    other = LdaTopics(num_topics=5, engine=engine, random_state=7, **FAST[engine]).fit(docs)
    assert not np.array_equal(other.topic_word_, lda.topic_word_)


def test_both_engines_give_tables_of_the_same_shape(docs):
    fits = {e: LdaTopics(num_topics=4, engine=e, **FAST[e]).fit(docs) for e in ENGINES}
    a, b = fits.values()
    assert a.vocabulary_ == b.vocabulary_  # one vocabulary filter, one word order
    assert a.topic_word_.shape == b.topic_word_.shape == (4, len(a.vocabulary_))
    assert a.gamma_.shape == b.gamma_.shape == (len(docs), 4)
    assert a.alpha_.shape == b.alpha_.shape == (4,)
    for model in (a, b):
        assert list(model.topic_words(5).columns) == ["topic", "label", "rank", "word", "weight"]
        assert len(model.topic_words(5)) == 20 and len(model.labels_) == 4
        assert model.transform(docs[:7]).shape == (7, 4)
        assert model.engine_info_["engine"] == model.engine


def test_fitted_attributes_and_transform(docs, lda):
    k, v = lda.topic_word_.shape
    assert (k, v) == (5, len(lda.vocabulary_))
    assert np.allclose(lda.topic_word_.sum(axis=1), 1)
    theta = lda.transform(docs)
    assert theta.shape == (len(docs), 5) and np.allclose(theta.sum(axis=1), 1)
    assert lda.gamma_.shape == theta.shape and (lda.gamma_ > 0).all()
    assert lda.get_params()["num_topics"] == 5  # scikit-learn conventions
    assert 0 < lda.n_iter_ <= FAST[lda.engine]["max_iter"]
    assert len(lda.likelihood_trace_) >= 1 and lda.log_likelihood_ == lda.likelihood_trace_[-1] < 0


def test_tomotopy_gamma_is_topic_counts_plus_alpha(docs):
    lda = LdaTopics(num_topics=5, engine="tomotopy", **FAST["tomotopy"]).fit(docs)
    known = set(lda.vocabulary_)
    in_vocabulary = np.array([sum(w in known for w in d) for d in docs])
    # Each unit's Dirichlet parameters: its tokens' topic counts plus the (learned) prior.
    assert np.allclose(lda.gamma_.sum(axis=1) - lda.alpha_.sum(), in_vocabulary, atol=1e-4)
    assert not np.allclose(lda.alpha_, 1 / 5)  # alpha="auto" learned an asymmetric prior


def test_a_unit_without_known_words_gets_the_prior(docs, lda):
    gamma = lda.gamma([["没有这个词"], []])
    assert np.allclose(gamma, lda.alpha_) if lda.engine == "tomotopy" else np.allclose(gamma[0], gamma[1])


def test_vocabulary_filter_follows_the_number_of_units(docs, lda):
    n = len(docs)
    df = pd.Series([w for d in docs for w in set(d)]).value_counts()
    floor = default_no_below(n)
    assert lda.no_below_ == floor == 5  # a few hundred units: the floor
    assert set(lda.vocabulary_) == set(df[(df >= floor) & (df <= 0.5 * n)].index)
    assert LdaTopics(num_topics=3, no_below=0.05, max_iter=20).fit(docs).no_below_ == int(np.ceil(0.05 * n))
    assert default_no_below(50_000) == 50 and default_no_below(10) == 5


def test_fitting_stops_when_the_likelihood_has_converged(docs):
    lda = LdaTopics(num_topics=5).fit(docs)
    assert lda.converged_ and lda.n_iter_ < 1000
    trace = lda.likelihood_trace_  # one entry per 10 sweeps; the rule compares the last 50 with the 50 before
    now, before = trace[-5:].mean(), trace[-10:-5].mean()
    assert (now - before) / abs(before) < 1e-3
    before_stop = trace[:-1]
    assert (before_stop[-5:].mean() - before_stop[-10:-5].mean()) / abs(before_stop[-10:-5].mean()) >= 1e-3
    full = LdaTopics(num_topics=5, tol=0, max_iter=40).fit(docs)
    assert full.n_iter_ == 40 and not full.converged_
    gensim = LdaTopics(num_topics=5, engine="gensim", tol=0, max_iter=3).fit(docs)
    assert gensim.n_iter_ == 3 and len(gensim.likelihood_trace_) == 3
    converged = LdaTopics(num_topics=5, engine="gensim", tol=1e-2).fit(docs)
    steps = np.diff(converged.likelihood_trace_) / np.abs(converged.likelihood_trace_[:-1])
    assert converged.converged_ and steps[-1] < 1e-2 and (steps[:-1] >= 1e-2).all()


def test_topic_word_counts_add_up_to_the_known_tokens(docs, lda):
    known = set(lda.vocabulary_)
    counts = lda.topic_word_counts(docs[:30])
    assert counts.shape == lda.topic_word_.shape
    assert counts.sum() == pytest.approx(sum(w in known for d in docs[:30] for w in d), rel=1e-6)
    word = Counter(w for d in docs[:30] for w in d if w in known).most_common(1)[0]
    assert counts[:, lda.vocabulary_.index(word[0])].sum() == pytest.approx(word[1], rel=1e-6)


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
    assert np.array_equal(loaded.gamma_, lda.gamma_) and np.array_equal(loaded.topic_word_, lda.topic_word_)
    assert loaded.vocabulary_ == lda.vocabulary_ and loaded.labels_ == lda.labels_


def test_too_many_topics_for_the_vocabulary(docs, engine):
    with pytest.raises(ValueError, match="num_topics"):
        LdaTopics(num_topics=5000, engine=engine).fit(docs)
    with pytest.raises(ValueError, match="engine"):
        LdaTopics(engine="mallet").fit(docs)


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
    assert coherence([["法治", "队伍"]], docs, topn=2)[0] == -1.0  # never together


def test_gensim_workers_use_ldamulticore(docs):
    model = LdaTopics(num_topics=4, engine="gensim", workers=2, alpha="auto", max_iter=3).fit(docs)
    assert model.model_.__class__.__name__ == "LdaMulticore"
    assert model.alpha_[0] > model.alpha_[-1]  # "asymmetric" stood in for "auto", which LdaMulticore rejects
    assert np.allclose(model.transform(docs).sum(axis=1), 1)


def test_no_topic_top_word_is_a_function_formulaic_or_scaffolding_word(docs):
    banned = layer_words("function") | layer_words("formulaic") | layer_words("scaffolding")
    for k in (5, 7):
        model = LdaTopics(num_topics=k).fit(docs)
        words = {w for topic in model.top_words(10) for w in topic}
        assert not words & banned, sorted(words & banned)
        assert {"普法", "执法", "矛盾纠纷"} <= words


# -- the K scan and the K rule ------------------------------------------------------------------------------


def test_k_scan_table_reports_progress_and_does_not_depend_on_n_jobs(docs, capsys):
    fitted = {}
    scan = scan_k(docs, [3, 4], seeds=(1, 2, 3), fitted=fitted, holdout=0, max_iter=100)
    bar = capsys.readouterr().err
    assert "choosing K" in bar and "6/6" in bar  # one tick per fit (2 K x 3 seeds), on stderr
    assert scan["k"].tolist() == [3, 4] and set(fitted) == {(k, s) for k in (3, 4) for s in (1, 2, 3)}
    for column in ["c_npmi", "exclusivity", "diversity", "stability", "c_npmi_se", "stability_se", "n_iter"]:
        assert scan[column].notna().all(), column
    assert "c_v" not in scan.columns  # off unless asked for
    assert scan["diversity"].between(0, 1).all() and scan["stability"].between(0, 1).all()
    assert (scan["n_units"] == len(docs)).all()
    # The measures are those of the fitted models (without a hold-out, coherence is over all units).
    threes = [fitted[(3, s)].top_words(10) for s in (1, 2, 3)]
    assert scan.loc[0, "stability"] == pytest.approx(stability(threes))
    assert scan.loc[0, "c_npmi"] == pytest.approx(np.mean([np.mean(coherence(t, docs)) for t in threes]))
    parallel = scan_k(docs, [3, 4], seeds=(1, 2, 3), n_jobs=2, holdout=0, progress=False, max_iter=100)
    pd.testing.assert_frame_equal(parallel, scan)  # no timings in the table: identical from run to run
    assert capsys.readouterr().err == ""


def test_coherence_is_measured_on_held_out_reports(units, docs):
    groups = list(units["doc_id"])
    fit, held = models_module._split(len(docs), groups, 0.2, None, 0)
    assert {groups[i] for i in fit}.isdisjoint({groups[i] for i in held}) and len(fit) + len(held) == len(docs)
    assert len({groups[i] for i in held}) == 1  # 20% of 5 reports
    fitted = {}
    scan = scan_k(docs, [4], seeds=(1, 2), fitted=fitted, groups=groups, progress=False, max_iter=100)
    assert scan.loc[0, "n_units"] == len(fit) and scan.loc[0, "n_heldout"] == len(held)
    assert fitted == {}  # models of part of the units are not handed out for reuse
    # Independently: the same fits on the units the scan kept, their NPMI over the held-out units.
    kept = [docs[i] for i in fit]
    tops = [LdaTopics(num_topics=4, random_state=s, max_iter=100).fit(kept).top_words(10) for s in (1, 2)]
    heldout = [docs[i] for i in held]
    assert scan.loc[0, "c_npmi"] == pytest.approx(np.mean([np.nanmean(npmi(t, heldout)) for t in tops]))


def test_stability_can_use_fewer_seeds_than_the_fits(docs):
    fitted = {}
    scan = scan_k(docs, [4], seeds=(1, 2, 3), fitted=fitted, stability_seeds=2, holdout=0, progress=False,
                  max_iter=100)
    assert scan.loc[0, "stability"] == pytest.approx(stability([fitted[(4, s)].top_words(10) for s in (1, 2)]))
    assert scan.loc[0, "n_seeds"] == 3


def test_the_scan_can_run_on_a_sample_of_units(docs):
    scan = scan_k(docs, [3], seeds=(1,), max_units=60, progress=False, max_iter=50)
    assert scan.loc[0, "n_units"] + scan.loc[0, "n_heldout"] == 60


def test_a_fixed_k_fits_one_model_and_does_not_scan(docs, monkeypatch):
    calls = []
    real = LdaTopics._fit_prepared
    monkeypatch.setattr(LdaTopics, "_fit_prepared", lambda self, p: calls.append(self.num_topics) or real(self, p))
    monkeypatch.setattr(models_module, "scan_k", lambda *a, **k: pytest.fail("a fixed K must not scan"))
    result = fit_topics(docs, k=4, max_iter=50)
    assert calls == [4] and result.k_table is None and result.model.num_topics == 4 and "given" in result.rule
    assert result.model.random_state == LdaTopics().random_state  # the estimator's default seed, not another


def test_automatic_k_scans_then_fits_the_chosen_k_on_all_units(docs, monkeypatch):
    calls = []
    real = LdaTopics._fit_prepared
    monkeypatch.setattr(LdaTopics, "_fit_prepared", lambda self, p: calls.append((self.num_topics, p.n_units))
                        or real(self, p))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KRangeWarning)
        result = fit_topics(docs, ks=[3, 4, 5], seeds=(1, 2), random_state=1, progress=False, max_iter=50)
        assert len(calls) == 7 and calls[-1] == (result.k, len(docs))  # 6 scan fits on 80%, the chosen K on all
        assert result.k_table["recommended"].sum() == 1
        assert result.k == result.k_table.loc[result.k_table["recommended"], "k"].item() == result.model.num_topics
        calls.clear()
        fit_topics(docs, ks=[3, 4, 5], seeds=(1, 2), random_state=1, holdout=0, progress=False, max_iter=50)
    assert len(calls) == 6  # without a hold-out the scan fitted the chosen K with seed 1 on all units already


def test_default_k_range_grows_with_the_corpus():
    small, mid, large = default_k_range(300), default_k_range(7_000), default_k_range(400_000)
    assert small[0] == 3 and small[-1] == 8
    assert max(small) < max(mid) < max(large) <= 50
    assert all(len(r) <= 8 and r == sorted(set(r)) for r in (small, mid, large))


def _table(k, **columns):
    return pd.DataFrame({"k": k, **columns})


def test_k_rule_scores_by_hand_and_marks_the_k_within_one_standard_error():
    # c_npmi alone, 3 seeds per K. By hand: means 0.02 .. 0.12 (mean 0.08, variance across K 0.00185),
    # within-K variance 0.03**2 * 3 = 0.0027, spread sqrt(0.00455) = 0.0675. Best K = 6 at
    # (0.12 - 0.08) / 0.0675 = 0.59, SE 0.03 / 0.0675 = 0.44: K = 5 (0.30) and 7 (0.44) are within it, 4 (-0.44) not.
    table = _table([3, 4, 5, 6, 7], c_npmi=[0.02, 0.05, 0.10, 0.12, 0.11], c_npmi_se=[0.03] * 5, n_seeds=3)
    scores = k_scores(table).set_index("k")
    spread = np.sqrt(0.00185 + 0.0027)
    assert scores.loc[6, "score"] == pytest.approx(0.04 / spread)
    assert scores["score_se"].eq(scores.loc[6, "score_se"]).all() and scores.loc[6, "score_se"] == pytest.approx(0.03 / spread)
    assert scores.index[scores["within_se"]].tolist() == [5, 6, 7]
    assert recommend_k(table)[0] == 6
    # Standard errors are pooled over K: one K measured noisily widens the band for all.
    noisy = table.assign(c_npmi_se=[0.03, 0.03, 0.03, 0.03, 0.09])
    assert k_scores(noisy)["score_se"].iloc[0] == pytest.approx(np.sqrt((4 * 0.03**2 + 0.09**2) / 5)
                                                               / np.sqrt(0.00185 + (4 * 0.03**2 + 0.09**2) / 5 * 3))


def test_k_rule_weighs_the_sizes_of_differences_not_ranks():
    # Ranks would tie K = 4 and K = 5 (each first on one measure). Diversity's lead at K = 4 (0.01) is
    # smaller than its seed noise (SE 0.01 over 3 seeds), c_npmi's at K = 5 is far larger than its own.
    table = _table([3, 4, 5, 6], c_npmi=[0.00, 0.01, 0.20, 0.02], c_npmi_se=[0.01] * 4,
                   diversity=[0.80, 0.81, 0.80, 0.80], diversity_se=[0.01] * 4, n_seeds=3)
    scores = k_scores(table)
    assert scores.loc[scores["score"].idxmax(), "k"] == 5
    assert recommend_k(table)[0] == 5
    # A measure that does not move across K is left out rather than divided by zero.
    flat = table.assign(exclusivity=9.0, exclusivity_se=0.0)
    assert recommend_k(flat)[0] == 5


def test_k_rule_warns_at_the_edge_of_the_range():
    rising = _table([3, 4, 5, 6], c_npmi=[0.01, 0.03, 0.06, 0.10], c_npmi_se=[0.005] * 4, n_seeds=3)
    with pytest.warns(KRangeWarning, match="largest K scanned"):
        assert recommend_k(rising)[0] == 6
    falling = rising.assign(c_npmi=rising["c_npmi"][::-1].to_numpy())
    with pytest.warns(KRangeWarning, match="smallest K scanned"):
        assert recommend_k(falling)[0] == 3
    inside = _table([3, 4, 5, 6], c_npmi=[0.01, 0.10, 0.03, 0.02], c_npmi_se=[0.005] * 4, n_seeds=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", KRangeWarning)
        assert recommend_k(inside)[0] == 4

"""The keyword-seeded model: planted themes recovered where unsupervised LDA splits and merges them, the same model
from the same seed, keyword rates counted independently, and the codebook through the analysis, build tables and CLI."""

from __future__ import annotations

import pickle
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from govtopics import Analysis, AnalysisError
from govtopics.cli import main
from govtopics.codebook import SeedWordWarning
from govtopics.config import Config, ConfigError
from govtopics.models import MODELS, LdaTopics, make_model
from govtopics.outputs import TABLES, NotApplicable
from govtopics.seeded import SeededTopics

ROOT = Path(__file__).resolve().parents[1]
# Planted themes: A, a large theme written in two styles (A1 and A2 words, each with A's common words), and two
# small themes B and C that share half their words. At K = 3, LDA prefers to split A by style and merge B with C.
A_COMMON = [f"财政{i}" for i in range(10)]
A1 = [f"工业{i}" for i in range(12)]
A2 = [f"投资{i}" for i in range(12)]
B = [f"执法{i}" for i in range(12)]
C = [f"调解{i}" for i in range(12)]
BC = [f"基层{i}" for i in range(10)]
SEEDS = {"A": A_COMMON[:4], "B": B[:4], "C": C[:4]}
VOCAB = {"A": set(A_COMMON + A1 + A2), "B": set(B + BC), "C": set(C + BC)}


def planted(seed: int = 0) -> tuple[list[list[str]], np.ndarray]:
    rng = np.random.default_rng(seed)
    docs, truth = [], []
    for i in range(200):
        docs.append(list(rng.choice(A1 if i % 2 else A2, 14)) + list(rng.choice(A_COMMON, 10)))
        truth.append("A")
    for name, words in (("B", B), ("C", C)):
        for _ in range(40):
            docs.append(list(rng.choice(words, 12)) + list(rng.choice(BC, 12)))
            truth.append(name)
    return docs, np.array(truth)


DOCS, TRUTH = planted()
FILTER = dict(no_below=1, no_above=1.0)


def dominant(model) -> np.ndarray:
    return model.gamma_.argmax(axis=1)


@pytest.fixture(scope="module", params=[1, 2, 3])
def seeded(request) -> SeededTopics:
    return SeededTopics(num_topics=3, seed_words=SEEDS, random_state=request.param, **FILTER).fit(DOCS)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_unsupervised_lda_at_the_same_k_splits_one_planted_theme_and_merges_two(seed):
    lda = LdaTopics(num_topics=3, random_state=seed, **FILTER).fit(DOCS)
    topics = dominant(lda)
    a_topics = Counter(topics[TRUTH == "A"])
    assert len(a_topics) == 2 and min(a_topics.values()) > 60  # A split into two topics by style
    b_topics, c_topics = set(topics[TRUTH == "B"]), set(topics[TRUTH == "C"])
    assert len(b_topics) == 1 and b_topics == c_topics  # B and C merged into one


def test_each_seeded_concept_recovers_its_planted_theme_its_documents_and_its_top_words(seeded):
    assert seeded.labels_ == ["A", "B", "C"] and seeded.concepts_ == ["A", "B", "C"]
    topics = dominant(seeded)
    for t, concept in enumerate("ABC"):
        assert set(np.flatnonzero(topics == t)) == set(np.flatnonzero(TRUTH == concept)), concept
        top = seeded.top_words(10)[t]
        assert set(top) <= VOCAB[concept], (concept, top)
        # Learnt, not only given: the topic's top words include words that are not seeds.
        assert set(top) - set(SEEDS[concept])


def test_the_same_seed_gives_the_same_model_and_another_seed_the_same_themes(seeded):
    again = SeededTopics(num_topics=3, seed_words=SEEDS, random_state=seeded.random_state, **FILTER).fit(DOCS)
    np.testing.assert_array_equal(again.topic_word_, seeded.topic_word_)
    np.testing.assert_array_equal(again.gamma_, seeded.gamma_)
    assert again.n_iter_ == seeded.n_iter_
    other = SeededTopics(num_topics=3, seed_words=SEEDS, random_state=7, **FILTER).fit(DOCS)
    np.testing.assert_array_equal(dominant(other), dominant(seeded))  # topics stay where the seeds put them


def test_keyword_rate_is_the_share_of_a_topics_tokens_that_are_its_seed_words(seeded):
    # Seed words are assigned to their concept's topic only (exclusive), so every seed token is in its topic:
    # the rate's numerator is the seeds' count in the corpus, counted here directly.
    counts = Counter(w for doc in DOCS for w in doc)
    assert seeded.topic_tokens_.sum() == sum(counts.values())
    for t, concept in enumerate("ABC"):
        seed_tokens = sum(counts[w] for w in SEEDS[concept])
        assert seeded.keyword_rate_[t] == pytest.approx(seed_tokens / seeded.topic_tokens_[t])
        assert seeded.seeds_in_topic_[t] == 1.0
    # Topic B holds B's documents: 40 x 24 tokens.
    assert seeded.topic_tokens_[1] == pytest.approx(40 * 24, rel=0.05)
    table = seeded.concept_table()
    assert table["label"].tolist() == ["A", "B", "C"] and set(table["kind"]) == {"seeded"}
    assert table["token_share"].sum() == pytest.approx(1.0)


def test_absent_seeds_are_dropped_with_a_warning_and_a_concept_without_seeds_becomes_a_free_topic():
    words = {"A": SEEDS["A"], "D": ["不存在"], "B": SEEDS["B"] + ["缺席", BC[0]], "C": SEEDS["C"] + [BC[0]]}
    model = SeededTopics(num_topics=4, seed_words=words, random_state=1, **FILTER)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(DOCS)
    messages = [str(w.message) for w in caught if w.category is SeedWordWarning]
    assert messages == ["2 seed word(s) dropped: D: 不存在 (absent); B: 缺席 (absent)",
                        "concept(s) left without seed words, not fitted as seeded topics: D"]
    assert model.concepts_ == ["A", "B", "C"] and model.labels_[:3] == ["A", "B", "C"]
    diagnostics = model.keyword_diagnostics_.set_index(["concept", "word"])
    shared = diagnostics.loc[("B", BC[0])]
    assert shared["shared_with"] == "C" and shared["units"] == sum(BC[0] in d for d in DOCS)
    table = model.concept_table().set_index("label")
    assert table.loc["D", "kind"].startswith("no seed word in the corpus")
    assert table.loc["B", "n_seeds"] == 6 and table.loc["B", "n_kept"] == 5
    assert (table["kind"] == "free").sum() == 1  # the fourth topic: free
    # The shared word is a seed of both B and C: its tokens are in those two topics only.
    assert model.seed_words_["B"][-1] == model.seed_words_["C"][-1] == BC[0]


def test_the_seeded_model_is_registered_pickles_and_refuses_what_it_cannot_do(seeded):
    assert MODELS.get_or_raise("seeded") is SeededTopics
    restored = pickle.loads(pickle.dumps(seeded))
    np.testing.assert_allclose(restored.transform(DOCS[:5]), seeded.transform(DOCS[:5]))
    with pytest.raises(ValueError, match="tomotopy engine"):
        make_model("seeded", num_topics=3, seed_words=SEEDS, engine="gensim", **FILTER).fit(DOCS)
    with pytest.raises(ValueError, match="fewer than the 3 seeded concepts"):
        SeededTopics(num_topics=2, seed_words=SEEDS, **FILTER).fit(DOCS)


CODEBOOK = """# test codebook
free_topics = 2

[[concept]]
name = "行政执法"
seeds = ["执法", "处罚", "不会出现的词"]

[[concept]]
name = "矛盾纠纷"
seeds = ["调解", "矛盾纠纷", "信访"]
"""


@pytest.fixture(scope="module")
def book_analysis(tmp_path_factory):
    folder = tmp_path_factory.mktemp("codebook")
    (folder / "book.toml").write_text(CODEBOOK, encoding="utf-8")
    config = folder / "analysis.toml"
    config.write_text(f'[corpus]\npath = "{ROOT / "seeds"}"\n[model]\ncodebook = "book.toml"\n'
                      '[tokens]\ncache = false\n[trends]\nn_boot = 20\n', encoding="utf-8")
    return Analysis.from_toml(config, progress=False)


def test_a_codebook_in_the_config_fits_the_seeded_model_whose_labels_reach_every_table(book_analysis):
    analysis = book_analysis
    assert analysis.config.model.codebook.endswith("book.toml")  # relative to the config file
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = analysis.model
    assert isinstance(model, SeededTopics) and analysis.k == 4 and analysis.k_table is None
    assert model.labels_[:2] == ["行政执法", "矛盾纠纷"]
    assert any("不会出现的词 (absent)" in str(w.message) for w in caught)
    assert set(analysis.topic_words["label"]) >= {"行政执法", "矛盾纠纷"}
    assert set(analysis.prevalence["label"]) >= {"行政执法", "矛盾纠纷"}
    keywords = TABLES.get_or_raise("codebook_keywords")(analysis)
    assert keywords.set_index("word").loc["不会出现的词", "status"] == "absent"
    concepts = TABLES.get_or_raise("codebook_concepts")(analysis)
    assert concepts["label"].tolist()[:2] == ["行政执法", "矛盾纠纷"]
    assert (concepts.loc[concepts["kind"] == "seeded", "keyword_rate"] > 0).all()


def test_without_a_codebook_its_tables_do_not_apply_and_bad_combinations_are_clear_errors(book_analysis, tmp_path):
    plain = Analysis(model={"k": 3}, tokens={"cache": False}, progress=False)
    with pytest.raises(NotApplicable, match="codebook"):
        TABLES.get_or_raise("codebook_concepts")(plain)
    with pytest.raises(AnalysisError, match="model.k = 5, but the codebook .* = 4"):
        book_analysis.replace(model={"k": 5}).model
    with pytest.raises(AnalysisError, match="needs an LDA model"):
        book_analysis.replace(model={"name": "nmf"}).model
    with pytest.raises(AnalysisError, match="needs model.codebook"):
        plain.replace(model={"name": "seeded"}).model
    with pytest.raises(AnalysisError, match="no such codebook file"):
        plain.replace(model={"codebook": str(tmp_path / "none.toml")}).model
    with pytest.raises(ConfigError, match="model.codebook must be"):
        Config(model={"codebook": 3})


def test_the_cli_fits_a_shipped_codebook_and_reports_each_concepts_keyword_rate(capsys):
    code = main(["topics", "seeds", "--codebook", "rule_of_law_outline", "--csv", "--set", "tokens.cache=false"])
    out, err = capsys.readouterr()
    assert code == 0
    header, *rows = out.splitlines()
    assert header == "topic,label,rank,word,weight"
    labels = {row.split(",")[1] for row in rows}
    assert {"行政执法", "行政决策", "权力监督"} <= labels
    assert "# 行政执法: keyword rate" in err


def test_a_build_with_a_codebook_writes_the_diagnostics_and_keyword_rates_and_refits_when_the_codebook_changes(
        tmp_path, monkeypatch):
    import pandas as pd

    from govtopics.build import build
    from govtopics.config import load_config

    monkeypatch.setenv("GOVTOPICS_CACHE", str(tmp_path / "cache"))
    book = tmp_path / "book.toml"
    book.write_text(CODEBOOK, encoding="utf-8")
    config = load_config(model={"codebook": str(book)}, trends={"n_boot": 20}, figures={"which": ["prevalence"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SeedWordWarning)
        manifest = build(config, out=tmp_path / "out", corpus_path=ROOT / "seeds")
    assert manifest["k"]["chosen"] == 4
    tables = tmp_path / "out" / "tables"
    keywords = pd.read_csv(tables / "codebook_keywords.csv")
    assert keywords.columns.tolist() == ["concept", "word", "count", "units", "unit_share", "shared_with", "status",
                                         "kept"]
    assert keywords.set_index("word").loc["执法", "status"] == "kept"
    concepts = pd.read_csv(tables / "codebook_concepts.csv")
    assert concepts["label"].tolist()[:2] == ["行政执法", "矛盾纠纷"]
    assert set(pd.read_csv(tables / "topic_words.csv")["label"]) >= {"行政执法", "矛盾纠纷"}
    # The same path with another content is another model, not a cache hit.
    book.write_text(CODEBOOK.replace('"信访"]', '"信访"]\n\n[[concept]]\nname = "普法"\nseeds = ["普法"]'),
                    encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SeedWordWarning)
        manifest = build(config, out=tmp_path / "out", corpus_path=ROOT / "seeds")
    assert manifest["k"]["chosen"] == 5
    assert "普法" in pd.read_csv(tables / "codebook_concepts.csv")["label"].tolist()

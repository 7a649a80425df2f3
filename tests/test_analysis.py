"""The Analysis spine: lazy stages, computed once, and registries that the build picks up with one registration."""

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from sklearn.base import BaseEstimator

from govtopics import Analysis, AnalysisError, Config, ConfigError
from govtopics.build import build
from govtopics.cli import build_parser
from govtopics.models import MODELS, LdaTopics, _TopicTables
from govtopics.outputs import FIGURES, FILES, TABLES

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
FAST = dict(model={"k": 3, "max_iter": 100}, trends={"n_boot": 50})


class ToyTopics(BaseEstimator, _TopicTables):
    """A toy topic model: K fixed topics over a four-word vocabulary, every unit an even mix of them."""

    WORDS = ["执法", "普法", "调解", "公开"]

    def __init__(self, num_topics: int = 2, random_state: int = 0, tilt: float = 0.6):
        self.num_topics, self.random_state, self.tilt = num_topics, random_state, tilt

    def fit(self, docs, y=None):
        k = self.num_topics
        self.vocabulary_ = list(self.WORDS)
        # Topic t puts weight `tilt` on word t mod 4 and shares the rest evenly.
        self.topic_word_ = np.full((k, 4), (1 - self.tilt) / 3)
        self.topic_word_[np.arange(k), np.arange(k) % 4] = self.tilt
        self.gamma_ = np.full((len(docs), k), 5.0)
        self.labels_ = [f"toy {t}" for t in range(k)]
        self.n_iter_ = 1
        return self


def test_an_analysis_does_no_work_until_asked(tmp_path):
    analysis = Analysis(corpus={"path": str(tmp_path / "missing")})
    assert analysis.timings == {}
    with pytest.raises(AnalysisError, match="no such file or folder"):
        analysis.corpus


def test_each_stage_is_computed_once_and_shared_by_replace():
    analysis = Analysis(**FAST, progress=False)
    model = analysis.model
    assert analysis.model is model and analysis.units is analysis.units
    other = analysis.replace(trends={"n_boot": 60})
    assert other.model is model  # the model does not depend on the trends settings
    assert not other.prevalence.equals(analysis.prevalence)
    assert other.replace(model={"k": 4}).model.num_topics == 4


def test_a_fixed_k_fits_only_that_model_and_auto_scans_the_range(monkeypatch):
    fits = []

    class CountingLda(LdaTopics):
        def _fit_prepared(self, prepared):  # every fit, the scan's (on prepared units) and the final one
            fits.append((self.num_topics, self.random_state))
            return super()._fit_prepared(prepared)

    monkeypatch.setitem(MODELS, "lda", CountingLda)
    fixed = Analysis(model={"k": 3, "max_iter": 50}, tokens={"cache": False}, progress=False)
    assert fixed.model.num_topics == 3 and fixed.k_table is None
    assert fits == [(3, 20240601)]
    fits.clear()
    auto = Analysis(model={"k_range": [3, 4], "seeds": [1, 2], "max_iter": 50}, tokens={"cache": False}, progress=False)
    auto.model
    # Two K values times two seeds in the scan, then the final model with random_state, which no scan fit used.
    assert fits == [(3, 1), (3, 2), (4, 1), (4, 2), (auto.k, 20240601)]
    assert auto.k_table["k"].tolist() == [3, 4] and auto.k_table["recommended"].sum() == 1


def test_excluded_documents_and_unit_texts(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for path in SEEDS.glob("*.txt"):
        (folder / path.name).write_bytes(path.read_bytes())
    analysis = Analysis(corpus={"path": str(folder), "min_year": 2023}, **FAST, progress=False)
    years = {doc.id: doc.year for doc in analysis.corpus}
    assert analysis.excluded == {d: "year 2022 outside corpus.min_year..max_year (2023..None)"
                                 for d, y in years.items() if y == 2022}
    assert sorted(analysis.units["year"].unique()) == [2023, 2024, 2025]
    first = analysis.units.head(1)
    text = analysis.unit_texts(first)[0]
    doc = analysis.corpus[first["doc_id"].iloc[0]]
    assert text == doc.units[int(first["unit_index"].iloc[0])].text and len(text) > 20


def test_a_dataframe_corpus_needs_no_files():
    from govtopics import load_corpus

    frame = pd.DataFrame({"id": [p.stem for p in sorted(SEEDS.glob("*.txt"))],
                          "text": [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]})
    analysis = Analysis.from_corpus(load_corpus(frame), **FAST, progress=False)
    assert analysis.documents_table["year"].tolist() == [2025, 2022, 2025, 2023, 2024]
    assert analysis.model.num_topics == 3


def test_one_registration_adds_a_model_to_the_config_the_cli_and_the_build(monkeypatch, tmp_path):
    monkeypatch.setitem(MODELS, "toy", ToyTopics)
    assert "toy" in build_parser().parse_args(["topics", "x", "--model", "toy"]).model
    manifest = build(Config(model={"name": "toy", "k": 2, "tilt": 0.7}, trends={"n_boot": 50},
                            figures={"which": ["top_words"]}), out=tmp_path, corpus_path=SEEDS)
    assert manifest["model"] == {"name": "toy", "class": "ToyTopics",
                                 "params": {"num_topics": 2, "random_state": 0, "tilt": 0.7},
                                 "fitted": {"labels_": ["toy 0", "toy 1"], "n_iter_": 1,
                                            "vocabulary_": ["执法", "普法", "调解", "公开"]}}
    words = pd.read_csv(tmp_path / "tables" / "topic_words.csv")
    # Worked out from the toy's definition: word t weighs 0.7, the other three 0.1 each, ties in vocabulary order.
    assert words[words["rank"] <= 2][["topic", "word", "weight"]].values.tolist() == [
        [0, "执法", 0.7], [0, "普法", 0.1], [1, "普法", 0.7], [1, "执法", 0.1]]
    prevalence = pd.read_csv(tmp_path / "tables" / "topic_prevalence_by_year.csv")
    assert np.allclose(prevalence["prevalence"], 0.5)  # every unit is an even mix, so is every year
    off = ("tables/prevalence_by_group.csv", "tables/effects.csv", "tables/effects_expected.csv",
           "tables/effects_differences.csv", "tables/codebook_keywords.csv",
           "tables/codebook_concepts.csv")  # no trends.by, no effects.formula, no model.codebook
    assert {name: why for name, why in manifest["not_made"].items() if name not in off} == {
                                    "tables/k_selection.csv": "model.k = 2 is fixed, so K was not scanned",
                                    "tables/topic_words_by_year.csv":
                                    "model 'toy' has no inference with fixed topics (topic_word_counts) "
                                    "to re-estimate words by year"}
    assert "top_words.png" in manifest["outputs"]


def test_one_registration_adds_a_figure_to_the_config_the_cli_and_the_build(monkeypatch, tmp_path):
    def reports_per_year(analysis):
        counts = analysis.documents_table.groupby("year").size()
        figure = Figure()
        figure.add_subplot().bar(counts.index.astype(str), counts.to_numpy())
        return figure

    with pytest.raises(ConfigError, match="figures.which"):
        Config(figures={"which": ["reports_per_year"]})
    monkeypatch.setitem(FIGURES, "reports_per_year", reports_per_year)
    assert build_parser().parse_args(["build", "--figures", "reports_per_year"]).figures == ["reports_per_year"]
    assert Config().figures.which[-1] == "reports_per_year"  # on by default once registered
    manifest = build(Config(**FAST, figures={"which": ["reports_per_year", "heatmap"]}), out=tmp_path, corpus_path=SEEDS)
    assert {"reports_per_year.png", "heatmap.png"} <= set(manifest["outputs"])
    drawn = Analysis(**FAST, progress=False).figures("reports_per_year")["reports_per_year"]
    bars = [patch.get_height() for patch in drawn.axes[0].patches]
    assert bars == [1, 1, 1, 2]  # 2022, 2023, 2024 one report each; 2025 two


def test_one_registration_adds_tables_and_a_later_build_without_them_removes_them(monkeypatch, tmp_path):
    def reports_by(analysis):
        documents = analysis.documents_table
        return {f"reports_by_{column}": documents.groupby(column).size().rename("n").reset_index()
                for column in ("year", "level")}

    monkeypatch.setitem(TABLES, "reports_by", reports_by)
    settings = Config(**FAST, figures={"which": []})
    build(settings, out=tmp_path, corpus_path=SEEDS)
    assert pd.read_csv(tmp_path / "tables" / "reports_by_year.csv").values.tolist() == [[2022, 1], [2023, 1], [2024, 1],
                                                                                         [2025, 2]]
    assert pd.read_csv(tmp_path / "tables" / "reports_by_level.csv").values.tolist() == [["township", 5]]
    monkeypatch.delitem(TABLES, "reports_by")
    manifest = build(settings, out=tmp_path, corpus_path=SEEDS)
    assert not list((tmp_path / "tables").glob("reports_by_*")) and "tables/documents.csv" in manifest["outputs"]


def test_a_registered_file_is_written_tracked_and_removed_when_no_longer_made(monkeypatch, tmp_path):
    monkeypatch.setitem(FILES, "reports.txt", lambda analysis: "\n".join(analysis.documents_table["id"]) + "\n")
    settings = Config(**FAST, figures={"which": []})
    manifest = build(settings, out=tmp_path, corpus_path=SEEDS)
    ids = sorted(p.stem for p in SEEDS.glob("*.txt"))
    assert (tmp_path / "reports.txt").read_text(encoding="utf-8").split() == ids
    assert manifest["outputs"]["reports.txt"] == hashlib.sha256((tmp_path / "reports.txt").read_bytes()).hexdigest()
    assert "explorer.html" in manifest["outputs"]
    monkeypatch.delitem(FILES, "reports.txt")
    manifest = build(settings, out=tmp_path, corpus_path=SEEDS)
    assert not (tmp_path / "reports.txt").exists() and "reports.txt" not in manifest["outputs"]


def justice_bureaus() -> pd.DataFrame:
    """Reports of two cities' 司法局 (the unit written without its place, as departments write it) over three years,
    each body the text of a seed report."""
    bodies = [p.read_text(encoding="utf-8").split("\n", 2)[2] for p in sorted(SEEDS.glob("*.txt"))]
    rows = []
    for c, city in enumerate(["长治市", "大同市"]):
        for y, year in enumerate([2021, 2022, 2023]):
            rows.append({"id": f"{city}-{year}", "text": f"{city}司法局{year}年法治政府建设情况报告\n"
                                                         + bodies[(c + y) % len(bodies)]})
    return pd.DataFrame(rows)


def test_effects_are_clustered_by_the_issuing_government_not_the_bare_unit(monkeypatch):
    """Two 司法局 of different cities share ``unit`` but are two issuers, so two clusters: clustering by ``unit``
    would make six reports of two governments one cluster (and fall back to HC1)."""
    from govtopics import load_corpus

    monkeypatch.setitem(MODELS, "toy", ToyTopics)
    corpus = load_corpus(justice_bureaus())
    assert {doc.unit for doc in corpus} == {"司法局"} and [doc.level for doc in corpus] == ["department"] * 6
    assert [doc.issuer for doc in corpus] == ["长治市司法局"] * 3 + ["大同市司法局"] * 3
    analysis = Analysis.from_corpus(corpus, model={"name": "toy", "k": 2}, effects={"formula": "C(year)", "n_draws": 50},
                                    progress=False)
    fit = analysis.effects
    assert fit.cov_type == "cluster(issuer)" and fit.n_clusters == 2
    assert fit.groups.tolist() == [0, 0, 0, 1, 1, 1]  # reports in id order: 长治市 2021-2023, then 大同市
    by_unit = analysis.replace(effects={"cluster": "unit"}).effects
    assert by_unit.n_clusters == 6 and by_unit.cov_type == "HC1 (one unit: reports cannot be clustered)"
    assert analysis.replace(effects={"formula": ""}).effects is None
    # Differences year to year, or between the periods of effects.periods (inclusive, named first-last).
    steps = analysis.effect_differences()
    assert steps[["from", "to"]].drop_duplicates().values.tolist() == [[2021, 2022], [2022, 2023]]
    periods = analysis.replace(effects={"periods": [[2021, 2021], [2022, 2023]]}).effect_differences()
    assert periods[["topic", "from", "to"]].values.tolist() == [[0, "2021-2021", "2022-2023"], [1, "2021-2021", "2022-2023"]]
    with pytest.raises(AnalysisError, match=r"effects.periods: periods without any year in the fit: \['2030-2031'\]"):
        analysis.replace(effects={"periods": [[2021, 2022], [2030, 2031]]}).effect_differences()
    # NMF gives proportions, not a posterior: the effects are fitted to them alone (every draw's fit the same).
    nmf = analysis.replace(model={"name": "nmf", "k": 2, "no_below": 1}).effects
    assert nmf.n_clusters == 2 and np.allclose(nmf.centres, nmf.centres[:1])
    with pytest.raises(AnalysisError, match="no column 'province' to group or fit by"):
        analysis.replace(effects={"cluster": "province"}).effects
    with pytest.raises(AnalysisError, match=r"^effects.formula = 'C\(year\) \+': \S[^\n]*$"):
        analysis.replace(effects={"formula": "C(year) +"}).effects


def test_one_registration_each_adds_a_stopword_layer_and_a_figure_to_the_config_the_cli_and_the_build(
        monkeypatch, tmp_path):
    import matplotlib.pyplot as plt

    from govtopics.plots import style
    from govtopics.stopwords import LAYERS, STOPWORD_LAYERS, Layer

    def toy_removed(analysis):  # what the toy layer removed from the analysed reports, word by word
        removed = analysis.tokenizer.removed_counts(analysis.documents)
        removed = removed[removed["reason"] == "toy"]
        with plt.rc_context(style()):  # a CJK font for the words on the axis
            figure = Figure()
            figure.add_subplot().bar(removed["token"], removed["count"])
        return figure

    layers = [*LAYERS, "toy"]
    with pytest.raises(ConfigError, match="tokens.layers"):
        Config(tokens={"layers": layers})
    with pytest.raises(ConfigError, match="figures.which"):
        Config(figures={"which": ["toy_removed"]})
    # monkeypatch puts both registries back as they were after the test.
    monkeypatch.setitem(STOPWORD_LAYERS, "toy", Layer("two content words, for a test", words=["窗口", "矛盾纠纷"]))
    monkeypatch.setitem(FIGURES, "toy_removed", toy_removed)
    config = Config(**FAST, tokens={"layers": layers}, figures={"which": ["toy_removed"]})
    assert config.tokens.layers[-1] == "toy" and Config().tokens.layers == list(LAYERS)  # on only when asked for
    assert build_parser().parse_args(["stopwords", "--layers", "toy"]).layers == ["toy"]

    plain, toy = Analysis(**FAST, progress=False), Analysis(config, progress=False)
    words = {"窗口", "矛盾纠纷"}
    # Counted in the seed texts: 矛盾纠纷 27 times, 窗口 3 times, never inside a longer word.
    seed_text = "".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    assert [seed_text.count(w) for w in ("矛盾纠纷", "窗口")] == [27, 3]
    assert sum(tokens.count(w) for tokens in plain.units["tokens"] for w in words) == 30
    assert not any(words & set(tokens) for tokens in toy.units["tokens"])
    assert [[t for t in tokens if t not in words] for tokens in plain.units["tokens"]] == toy.units["tokens"].tolist()

    manifest = build(config, out=tmp_path, corpus_path=SEEDS)
    assert "toy_removed.png" in manifest["outputs"] and (tmp_path / "toy_removed.png").stat().st_size > 0
    drawn = toy.figures("toy_removed")["toy_removed"]
    assert [tick.get_text() for tick in drawn.axes[0].get_xticklabels()] == ["矛盾纠纷", "窗口"]
    assert [patch.get_height() for patch in drawn.axes[0].patches] == [27, 3]

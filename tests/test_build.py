"""The build: the shipped configuration on the seed reports, checked on what its tables and figures say."""

import hashlib
import json
import struct
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from conftest import lock_differences
from govtopics import Analysis, AnalysisError, Config, ConfigError
from govtopics.build import build, load_config
from govtopics.cli import main
from govtopics.outputs import FIGURES

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "figures"
SEED_YEARS = [2025, 2022, 2025, 2023, 2024]  # read off the title of each seed report, in file-name order
SMALL = dict(model={"k_range": [3, 4], "seeds": [1, 2], "passes": 20}, trends={"n_boot": 100}, figures={"which": []})


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", f"{path.name} is not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module")
def cache_env(tmp_path_factory):
    """A cache of this module's own, so the first build here starts cold whatever other modules cached."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOVTOPICS_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """``govtopics build`` with the shipped govtopics.toml, and the warnings it raised.

    It uses the session's cache, so the notebooks and the CLI tests read back its model (or it
    theirs): the K scan of the shipped configuration runs once per test session.
    """
    out = tmp_path_factory.mktemp("build")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        manifest = build(ROOT / "govtopics.toml", out=out)
    return out, manifest, [str(w.message) for w in caught]


def table(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / "tables" / f"{name}.csv")


def test_documents_table_has_every_seed_with_its_year(fresh):
    out, manifest, _ = fresh
    documents = table(out, "documents")
    assert documents["path"].tolist() == sorted(p.name for p in (ROOT / "seeds").glob("*.txt"))
    assert documents["year"].tolist() == SEED_YEARS
    assert documents["in_trends"].all() and (documents["units"] > 10).all() and (documents["tokens"] > 300).all()
    assert manifest["counts"] == {"loaded": 5, "skipped": 0, "in_trends": 5, "units": int(documents["units"].sum()),
                                  "tokens": int(documents["tokens"].sum())}


def test_topics_are_k_topics_of_ten_words_found_in_the_reports(fresh):
    out, manifest, _ = fresh
    words = table(out, "topic_words")
    k = manifest["k"]["chosen"]
    assert 3 <= k <= 8 and manifest["k"]["recommended"] == k
    assert sorted(words["topic"].unique()) == list(range(k))
    assert (words.groupby("topic")["rank"].apply(list) == [list(range(1, 11))] * k).all()
    raw = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "seeds").glob("*.txt"))
    assert [w for w in words["word"] if w not in raw] == []  # every word is text of the reports
    assert words.groupby("topic")["label"].nunique().eq(1).all()
    assert manifest["model"]["fitted"]["labels_"] == list(words.drop_duplicates("topic")["label"])
    k_table = table(out, "k_selection")
    assert k_table["k"].tolist() == list(range(3, 9)) and k_table.loc[k_table["recommended"], "k"].tolist() == [k]


def test_prevalence_is_a_share_per_year_inside_its_interval(fresh):
    out, _, _ = fresh
    prevalence = table(out, "topic_prevalence_by_year")
    assert np.allclose(prevalence.groupby("year")["prevalence"].sum(), 1.0, atol=1e-5)
    assert ((prevalence["ci_low"] <= prevalence["prevalence"]) & (prevalence["prevalence"] <= prevalence["ci_high"])).all()
    reports = prevalence.drop_duplicates("year").set_index("year")["n_reports"].to_dict()
    assert reports == {2022: 1, 2023: 1, 2024: 1, 2025: 2}  # two seed reports are of 2025
    by_part = table(out, "topic_prevalence_by_part")
    assert np.allclose(by_part.groupby(["part", "year"])["prevalence"].sum(), 1.0, atol=1e-5)
    assert {"achievements", "problems", "plans"} <= set(by_part["part"])


def test_keyness_rows_agree_with_scipy(fresh):
    """G² of the rows whose 2x2 table needs no continuity correction, recomputed with scipy from the counts."""
    out, _, _ = fresh
    keyness = table(out, "keyness")
    assert sorted(set(zip(keyness["from"], keyness["to"]))) == [(2022, 2023), (2023, 2024), (2024, 2025)]
    documents = table(out, "documents")
    totals = documents.groupby("year")["tokens"].sum()
    checked = 0
    for row in keyness.to_dict("records"):
        cells = np.array([[row["count_to"], row["count_from"]],
                          [totals[row["to"]] - row["count_to"], totals[row["from"]] - row["count_from"]]])
        g2, _, _, expected = chi2_contingency(cells, correction=False, lambda_="log-likelihood")
        if expected.min() >= 5:
            sign = 1 if row["direction"] == "rising" else -1
            assert row["g2"] == pytest.approx(sign * g2, rel=1e-5), row["term"]
            checked += 1
    assert checked >= 5


def test_term_trends_count_tokens_per_year(fresh):
    out, manifest, _ = fresh
    trends = table(out, "term_trends")
    totals = table(out, "documents").groupby("year")["tokens"].sum()
    assert (trends["tokens"] == trends["year"].map(totals)).all()
    assert np.allclose(trends["per_10k"], 1e4 * trends["count"] / trends["tokens"], rtol=1e-5)
    # trends.terms is empty in govtopics.toml: each year's two top TF-IDF terms are followed.
    keywords = table(out, "keywords_by_year")
    assert set(trends["term"]) == set(keywords.loc[keywords["rank"] <= 2, "term"])


def test_figures_are_the_registered_ones_drawn_without_missing_glyphs(fresh):
    out, manifest, caught = fresh
    pngs = sorted(name for name in manifest["outputs"] if name.endswith(".png"))
    keyness = ["keyness_2022_2023.png", "keyness_2023_2024.png", "keyness_2024_2025.png"]
    assert pngs == sorted([f"{name}.png" for name in FIGURES if name != "keyness"] + keyness)
    for name in pngs:
        width, height = png_size(out / name)
        assert width >= 600 and height >= 300, name
    assert not [message for message in caught if "missing from font" in message]


def test_figures_show_the_analysis(fresh):
    """The figure objects the build saved: one panel per topic with its label, the chosen K marked."""
    out, manifest, _ = fresh
    analysis = Analysis.from_toml(ROOT / "govtopics.toml", progress=False)
    labels = manifest["model"]["fitted"]["labels_"]
    words = table(out, "topic_words")
    figures = analysis.figures("prevalence", "top_words", "k_selection")
    titles = [ax.get_title().replace("\n", "") for ax in figures["prevalence"].axes]
    assert all(any(label in title for title in titles) for label in labels)
    shown = {tick.get_text() for ax in figures["top_words"].axes for tick in ax.get_yticklabels()}
    assert shown == set(words["word"])
    legend = " ".join(t.get_text() for legend in figures["k_selection"].legends for t in legend.get_texts())
    assert f"recommended K = {manifest['k']['chosen']}" in legend


def test_manifest_records_inputs_config_model_versions_and_timings(fresh):
    out, manifest, _ = fresh
    on_disk = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk["outputs"] == {name: sha256(out / name) for name in on_disk["outputs"]}
    inputs = {i["path"]: i for i in manifest["inputs"]}
    assert inputs == {p.name: inputs[p.name] for p in (ROOT / "seeds").glob("*.txt")}
    assert all(i["status"] == "loaded" and i["sha256"] == sha256(ROOT / "seeds" / name) for name, i in inputs.items())
    assert manifest["config"] == Config.from_toml(ROOT / "govtopics.toml").to_dict()
    assert manifest["model"]["params"]["num_topics"] == manifest["k"]["chosen"]
    assert {"gensim", "jieba", "pandas", "matplotlib"} <= set(manifest["versions"])
    assert {"corpus", "units", "model", "prevalence", "figures"} <= set(manifest["timings_s"])
    assert manifest["not_made"] == {}


def test_second_build_gives_identical_outputs_from_the_caches(fresh, tmp_path):
    out, manifest, _ = fresh
    again = build(ROOT / "govtopics.toml", out=tmp_path)
    assert {name: sha256(tmp_path / name) for name in again["outputs"]} == {
        name: sha256(out / name) for name in manifest["outputs"]}
    assert again["token_cache"]["misses"] == 0  # the second build reads every unit's tokens from the cache
    hits = again["stage_cache_hits"]
    assert set(hits) == {"corpus", "model", "words_by_year", "prevalence", "keywords", "keyness", "term_trends", "figure"}
    assert hits.count("figure") == len(FIGURES)  # one entry per registered figure, keyness's three PNGs in one


def test_fresh_build_matches_the_committed_tables(fresh):
    out, manifest, _ = fresh
    tables = sorted(name for name in manifest["outputs"] if name.startswith("tables/"))
    stale = [name for name in tables if not (COMMITTED / name).is_file()
             or (COMMITTED / name).read_bytes() != (out / name).read_bytes()]
    assert stale == [], f"figures/ is stale; run `make figures` and commit: {stale}"
    extra = sorted(p.relative_to(COMMITTED).as_posix() for p in COMMITTED.rglob("*.*")
                   if p.name != "manifest.json" and p.relative_to(COMMITTED).as_posix() not in manifest["outputs"])
    assert extra == [], f"figures/ holds files the build no longer makes: {extra}"


def test_fresh_build_matches_the_committed_figures(fresh):
    """PNG bytes depend on matplotlib, FreeType and the fonts: compared only under the locked versions."""
    differences = lock_differences()
    if differences:
        shown = ", ".join(f"{name} {installed or 'missing'} (locked {locked})" for name, (locked, installed)
                          in sorted(differences.items())[:8])
        pytest.skip(f"figures NOT compared: installed versions differ from requirements-lock.txt: {shown}")
    out, manifest, _ = fresh
    pngs = sorted(name for name in manifest["outputs"] if name.endswith(".png"))
    stale = [name for name in pngs if not (COMMITTED / name).is_file()
             or (COMMITTED / name).read_bytes() != (out / name).read_bytes()]
    assert stale == [], f"figures/ is stale; run `make figures` and commit: {stale}"


def test_every_input_appears_in_the_manifest_even_when_skipped(tmp_path, cache_env):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in (ROOT / "seeds").glob("*.txt"):
        (corpus / path.name).write_bytes(path.read_bytes())
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "scan.pdf").write_bytes(b"%PDF-1.4")
    (corpus / "undated.txt").write_text("法治政府建设情况报告\n我们坚持依法行政,加强执法队伍建设,规范行政执法行为。",
                                        encoding="utf-8")
    manifest = build(load_config(**SMALL), out=tmp_path / "out", corpus_path=corpus)
    status = {i["path"]: (i["status"], i.get("reason") or i.get("excluded_from_trends")) for i in manifest["inputs"]}
    assert len(status) == 8
    assert status["empty.txt"] == ("skipped", "empty file")
    assert status["scan.pdf"] == ("skipped", "unsupported file type .pdf")
    assert status["undated.txt"] == ("loaded", "no year: the analysis needs the year of each report")
    assert manifest["counts"]["loaded"] == 6 and manifest["counts"]["in_trends"] == 5
    documents = table(tmp_path / "out", "documents")
    assert documents.set_index("path").loc["undated.txt", ["in_trends", "units"]].tolist() == [False, 0]


def test_a_fixed_k_fits_one_model_and_makes_no_k_selection(tmp_path, cache_env):
    manifest = build(load_config(model={"k": 4}, trends={"n_boot": 100}, figures={"which": ["k_selection", "heatmap"]}),
                     out=tmp_path, corpus_path=ROOT / "seeds")
    assert manifest["k"] == {"chosen": 4, "recommended": None, "rule": "fixed by model.k"}
    assert set(manifest["not_made"]) == {"tables/k_selection.csv", "k_selection.png"}
    assert "is fixed, so K was not scanned" in manifest["not_made"]["k_selection.png"]
    assert "heatmap.png" in manifest["outputs"] and not (tmp_path / "tables" / "k_selection.csv").exists()


def test_outputs_an_earlier_build_made_are_removed(tmp_path, cache_env):
    out = tmp_path / "out"
    first = build(load_config(**SMALL | {"figures": {"which": ["keyness"]}}), out=out, corpus_path=ROOT / "seeds")
    assert "keyness_2024_2025.png" in first["outputs"] and "tables/k_selection.csv" in first["outputs"]
    (out / "heatmap.png").write_bytes(b"old")  # named like a registered figure
    (out / "notes.png").write_bytes(b"mine")
    second = build(load_config(**SMALL | {"model": {"k": 3}}), out=out, corpus_path=ROOT / "seeds")
    assert not [p for p in out.glob("*.png") if p.name != "notes.png"]
    assert not (out / "tables" / "k_selection.csv").exists() and "tables/k_selection.csv" in second["not_made"]
    assert (out / "notes.png").read_bytes() == b"mine"  # not a file the build makes: left alone


def test_a_changed_setting_recomputes_only_what_depends_on_it(tmp_path, cache_env):
    first = build(load_config(**SMALL), out=tmp_path / "a", corpus_path=ROOT / "seeds")
    second = build(load_config(**SMALL | {"trends": {"n_boot": 150}}), out=tmp_path / "b", corpus_path=ROOT / "seeds")
    assert "prevalence" not in second["stage_cache_hits"]
    assert {"corpus", "model", "words_by_year", "keywords", "keyness"} <= set(second["stage_cache_hits"])
    assert second["outputs"]["tables/topic_words.csv"] == first["outputs"]["tables/topic_words.csv"]
    assert second["outputs"]["tables/topic_prevalence_by_year.csv"] != first["outputs"]["tables/topic_prevalence_by_year.csv"]
    fewer_layers = SMALL | {"tokens": {"layers": ["function", "formulaic", "scaffolding", "places"]}}
    third = build(load_config(**fewer_layers), out=tmp_path / "c", corpus_path=ROOT / "seeds")
    assert third["token_cache"]["hits"] == 0 and "model" not in third["stage_cache_hits"]


def test_build_errors(tmp_path, cache_env):
    undated = tmp_path / "undated"
    undated.mkdir()
    (undated / "a.txt").write_text("法治政府建设情况报告\n我们坚持依法行政,加强执法队伍建设。", encoding="utf-8")
    with pytest.raises(AnalysisError, match="no document has a year"):
        build(load_config(**SMALL), out=tmp_path / "o1", corpus_path=undated)
    with pytest.raises(AnalysisError, match="no document could be loaded"):
        (tmp_path / "empty").mkdir()
        build(load_config(**SMALL), out=tmp_path / "o2", corpus_path=tmp_path / "empty")
    with pytest.raises(AnalysisError, match="model.k = 200 is not possible"):
        build(load_config(model={"k": 200}), out=tmp_path / "o3", corpus_path=ROOT / "seeds")
    with pytest.raises(AnalysisError, match="K=200 needs more than"):
        build(load_config(model={"k_range": [3, 200]}), out=tmp_path / "o4", corpus_path=ROOT / "seeds")
    with pytest.raises(AnalysisError, match="no such file or folder"):
        build(load_config(**SMALL), out=tmp_path / "o5", corpus_path=tmp_path / "missing")
    with pytest.raises(ConfigError, match="unknown config key model.topics"):
        load_config(model={"topics": 5})


def test_cli_usage_errors_exit_with_2(tmp_path, capsys):
    assert main(["build", "--config", str(tmp_path / "missing.toml")]) == 2
    assert "no such config file" in capsys.readouterr().err
    assert main(["topics", str(ROOT / "seeds"), "-k", "500"]) == 2
    assert "model.k = 500 is not possible" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["keywords", str(tmp_path / "empty")]) == 2
    assert "no document could be loaded" in capsys.readouterr().err


def test_the_figure_comparison_is_gated_on_the_locked_versions(tmp_path):
    """The gate of the PNG comparison: a pin that differs from what is installed is reported, one for
    another platform or Python is not, and a missing package counts as different."""
    from importlib import metadata

    lock = tmp_path / "lock.txt"
    lock.write_text(
        "# a lock\n"
        f"pandas=={metadata.version('pandas')}\n    # via govtopics\n"
        "numpy==0.0.1\n"
        "appnope==1.0.0 ; sys_platform == 'no-such-platform'\n"
        "no-such-package==1.0 ; python_full_version >= '3.0'\n", encoding="utf-8")
    assert lock_differences(lock) == {"numpy": ("0.0.1", metadata.version("numpy")), "no-such-package": ("1.0", None)}

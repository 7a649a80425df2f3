import copy
import hashlib
import json
from pathlib import Path

import pytest

from govtopics.build import BuildError, build, load_config
from govtopics.cli import main

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "figures"
TABLES = ["documents", "topic_words", "topic_prevalence_by_year", "keywords_by_year", "keyness", "k_selection"]
SMALL = dict(model={"k_range": [3, 4], "seeds": [1, 2], "passes": 20}, trends={"n_boot": 100}, figures={"which": []})


@pytest.fixture(scope="module")
def cache_env(tmp_path_factory):
    """A cache of this module's own, so the first build here starts cold whatever other modules cached."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOVTOPICS_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(scope="module")
def fresh(tmp_path_factory, cache_env):
    out = tmp_path_factory.mktemp("build")
    config = load_config(ROOT / "govtopics.toml")
    config["corpus"]["path"] = str(ROOT / "seeds")
    return out, build(config, out=out)


def test_fresh_build_matches_the_committed_tables_and_figures(fresh):
    out, manifest = fresh
    assert manifest["outputs"], "nothing was written"
    stale = [name for name, digest in manifest["outputs"].items()
             if not (COMMITTED / name).is_file() or hashlib.sha256((COMMITTED / name).read_bytes()).hexdigest() != digest]
    assert stale == [], f"figures/ is stale; run `make figures` and commit: {stale}"
    extra = sorted(p.relative_to(COMMITTED).as_posix() for p in COMMITTED.rglob("*.*")
                   if p.name != "manifest.json" and p.relative_to(COMMITTED).as_posix() not in manifest["outputs"])
    assert extra == [], f"figures/ holds files the build no longer makes: {extra}"
    for table in TABLES:
        assert (out / "tables" / f"{table}.csv").is_file()


def test_second_build_gives_identical_outputs(fresh, tmp_path):
    out, manifest = fresh
    config = load_config(ROOT / "govtopics.toml")
    config["corpus"]["path"] = str(ROOT / "seeds")
    again = build(config, out=tmp_path)
    assert again["outputs"] == manifest["outputs"]
    assert again["token_cache"]["misses"] == 0  # the second build reads every unit's tokens from the cache
    hits = again["stage_cache_hits"]
    assert hits[:5] == ["corpus", "model", "words_by_year", "prevalence", "keywords"]
    assert hits[5:] == ["figure"] * sum(1 for name in manifest["outputs"] if name.endswith(".png"))
    assert manifest["stage_cache_hits"] == []


def test_manifest_records_inputs_config_versions_and_timings(fresh):
    out, manifest = fresh
    on_disk = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk["outputs"] == manifest["outputs"]
    inputs = {Path(i["path"]).name: i for i in manifest["inputs"]}
    assert sorted(inputs) == sorted(p.name for p in (ROOT / "seeds").glob("*.txt"))
    assert all(i["status"] == "loaded" and len(i["sha256"]) == 64 for i in inputs.values())
    assert manifest["config"]["model"]["k_range"] == [3, 8]
    assert {"gensim", "jieba", "pandas", "matplotlib"} <= set(manifest["versions"])
    assert {"loading", "tokenizing", "choosing K", "trends", "figures"} <= set(manifest["timings_s"])
    assert manifest["k"]["chosen"] in range(3, 9) and "c_npmi" in manifest["k"]["rule"]


def test_tables_have_the_documented_columns(fresh):
    import pandas as pd

    out, _ = fresh
    columns = {
        "documents": ["id", "path", "year", "unit", "level", "places", "characters", "units", "tokens", "in_trends"],
        "topic_words": ["topic", "label", "rank", "word", "weight"],
        "topic_prevalence_by_year": ["topic", "label", "year", "prevalence", "ci_low", "ci_high", "n_reports",
                                     "n_units", "single_report", "few_reports"],
        "keywords_by_year": ["year", "rank", "term", "score"],
        "keyness": ["from", "to", "term", "direction", "g2", "count_from", "count_to", "log_ratio", "p"],
    }
    for name, expected in columns.items():
        assert list(pd.read_csv(out / "tables" / f"{name}.csv").columns) == expected, name
    documents = pd.read_csv(out / "tables" / "documents.csv")
    assert documents["year"].tolist() == [2025, 2022, 2025, 2023, 2024]
    assert documents["tokens"].sum() > 2500


def test_every_input_appears_in_the_manifest_even_when_skipped(tmp_path, cache_env):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in (ROOT / "seeds").glob("*.txt"):
        (corpus / path.name).write_bytes(path.read_bytes())
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "scan.pdf").write_bytes(b"%PDF-1.4")
    manifest = build(load_config(**SMALL), out=tmp_path / "out", corpus_path=corpus)
    status = {Path(i["path"]).name: (i["status"], i.get("reason")) for i in manifest["inputs"]}
    assert len(status) == 7
    assert status["empty.txt"] == ("skipped", "empty file")
    assert status["scan.pdf"] == ("skipped", "unsupported file type .pdf")
    assert manifest["counts"]["loaded"] == 5


def test_figures_an_earlier_build_made_are_removed(tmp_path, cache_env):
    out = tmp_path / "out"
    out.mkdir()
    for name in ("keyness_2001_2002.png", "heatmap.png", "notes.png"):
        (out / name).write_bytes(b"old")
    build(load_config(**SMALL), out=out, corpus_path=ROOT / "seeds")  # SMALL draws no figure
    assert not (out / "keyness_2001_2002.png").exists() and not (out / "heatmap.png").exists()
    assert (out / "notes.png").read_bytes() == b"old"  # not a file the build makes: left alone


def test_a_changed_setting_recomputes_only_what_depends_on_it(tmp_path, cache_env):
    first = build(load_config(**SMALL), out=tmp_path / "a", corpus_path=ROOT / "seeds")
    changed = copy.deepcopy(SMALL) | {"trends": {"n_boot": 150}}
    second = build(load_config(**changed), out=tmp_path / "b", corpus_path=ROOT / "seeds")
    assert "prevalence" not in second["stage_cache_hits"]
    assert {"corpus", "model", "words_by_year", "keywords"} <= set(second["stage_cache_hits"])
    assert second["outputs"]["tables/topic_words.csv"] == first["outputs"]["tables/topic_words.csv"]
    assert second["outputs"]["tables/topic_prevalence_by_year.csv"] != first["outputs"]["tables/topic_prevalence_by_year.csv"]
    fewer_layers = copy.deepcopy(SMALL) | {"tokens": {"layers": ["function", "formulaic", "scaffolding", "places"]}}
    third = build(load_config(**fewer_layers), out=tmp_path / "c", corpus_path=ROOT / "seeds")
    assert third["token_cache"]["hits"] == 0 and "model" not in third["stage_cache_hits"]


def test_build_errors(tmp_path, cache_env):
    undated = tmp_path / "undated"
    undated.mkdir()
    (undated / "a.txt").write_text("法治政府建设情况报告\n我们坚持依法行政,加强执法队伍建设。", encoding="utf-8")
    with pytest.raises(BuildError, match="no document has a year"):
        build(load_config(**SMALL), out=tmp_path / "o1", corpus_path=undated)
    with pytest.raises(BuildError, match="no document could be loaded"):
        (tmp_path / "empty").mkdir()
        build(load_config(**SMALL), out=tmp_path / "o2", corpus_path=tmp_path / "empty")
    with pytest.raises(BuildError, match="K=200"):
        build(load_config(model={"k": 200, "k_range": [3, 4]}), out=tmp_path / "o3", corpus_path=ROOT / "seeds")
    with pytest.raises(BuildError, match="unknown config key model.topics"):
        load_config(model={"topics": 5})


def test_cli_usage_errors_exit_with_2(tmp_path, capsys):
    assert main(["build", "--config", str(tmp_path / "missing.toml")]) == 2
    assert "no such config file" in capsys.readouterr().err
    assert main(["topics", str(ROOT / "seeds"), "-k", "500"]) == 2
    assert "-k 500 is not possible" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["keywords", str(tmp_path / "empty")]) == 2
    assert "no documents could be loaded" in capsys.readouterr().err

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
from govtopics.outputs import FIGURES, FILES, TABLES

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "figures"
SEED_YEARS = [2025, 2022, 2025, 2023, 2024]  # read off the title of each seed report, in file-name order
SMALL = dict(model={"k_range": [3, 4], "seeds": [1, 2], "max_iter": 200}, trends={"n_boot": 100}, figures={"which": []})
# What the shipped configuration leaves off: no groups to compare, no effects formula.
OFF = {"prevalence_by_group": 'trends.by names no group to compare (e.g. by = ["level"])',
       "effects": 'effects.formula is empty, so no effects were estimated (e.g. formula = "year_spline + level")',
       "codebook": 'model.codebook is "" (an unsupervised model): no seed words to check'}
NOT_MADE = {**{f"tables/{name}.csv": OFF["effects" if name.startswith("effects") else name]
               for name in ("prevalence_by_group", "effects", "effects_expected", "effects_differences")},
            **{f"tables/codebook_{name}.csv": OFF["codebook"] for name in ("keywords", "concepts")},
            **{f"{name}.png": OFF["prevalence_by_group" if name == "prevalence_by_group" else "effects"]
               for name in ("prevalence_by_group", "effects_expected", "effects")}}


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
    # trends.terms is empty in govtopics.toml: each year's two top TF-IDF terms are followed, at most eight.
    keywords = table(out, "keywords_by_year")
    firsts = set(keywords.loc[keywords["rank"] <= 2, "term"])
    assert set(trends["term"]) <= set(keywords["term"]) and trends["term"].nunique() == min(8, len(firsts))


def test_figures_are_the_registered_ones_drawn_without_missing_glyphs(fresh):
    out, manifest, caught = fresh
    pngs = sorted(name for name in manifest["outputs"] if name.endswith(".png"))
    keyness = ["keyness_2022_2023.png", "keyness_2023_2024.png", "keyness_2024_2025.png"]
    assert pngs == sorted([f"{name}.png" for name in FIGURES if name != "keyness" and f"{name}.png" not in NOT_MADE]
                          + keyness)
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
    assert {"corpus", "units", "model", "prevalence", "figures", "files"} <= set(manifest["timings_s"])
    assert manifest["not_made"] == NOT_MADE
    # Each input carries its metadata and where each field was read; the seeds have no audit lines.
    first = inputs["000_d150b2aa907695eb.txt"]
    assert {key: first[key] for key in ("year", "unit", "level", "places", "issuer", "genre", "period")} == {
        "year": 2025, "unit": "大进镇人民政府", "level": "township", "places": ["重庆市", "开州区"],
        "issuer": "重庆市开州区大进镇人民政府", "genre": "rule_of_law", "period": "2025"}
    assert first["sources"]["year"] == "title" and first["sources"]["unit"] == "header"
    assert manifest["metadata_audit"] == [] and manifest["effects"] is None
    assert manifest["trends"] == {"weighting": "report", "excluded": [], "excluded_by_group": {}}


# The columns of each table the README documents (README.md, "What the build makes").
DOCUMENTED = {
    "documents": ["id", "path", "year", "unit", "level", "places", "issuer", "genre", "period", "characters", "units",
                  "tokens", "in_trends"],
    "topic_words": ["topic", "label", "rank", "word", "weight"],
    "topic_prevalence_by_year": ["topic", "label", "year", "prevalence", "ci_low", "ci_high", "n_reports", "n_units",
                                 "single_report", "few_reports", "weighting"],
    "topic_prevalence_by_part": ["topic", "label", "part", "year", "prevalence", "ci_low", "ci_high", "n_reports",
                                 "n_units", "single_report", "few_reports", "weighting"],
    "passages": ["topic", "label", "rank", "proportion", "doc_id", "unit_index", "year", "unit", "level", "issuer",
                 "genre", "period", "part", "heading", "n_tokens", "text"],
    "passages_by_year": ["topic", "label", "year", "rank", "proportion", "doc_id", "unit_index", "unit", "level",
                         "issuer", "genre", "period", "part", "heading", "n_tokens", "text"],
}


def test_tables_have_the_documented_columns(fresh):
    out, manifest, _ = fresh
    for name, columns in DOCUMENTED.items():
        assert table(out, name).columns.tolist() == columns, name
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    made = [name.removeprefix("tables/") for name in [*manifest["outputs"], *manifest["not_made"]]
            if name.startswith("tables/")]
    assert {name.removesuffix(".csv") for name in made} == set(TABLES)
    shown = {"prevalence_by_group.csv": "prevalence_by_<group>.csv"}  # one file per group of trends.by
    assert [name for name in made if f"`{shown.get(name, name)}`" not in readme.replace("`tables/", "`")] == []


def test_passages_are_the_units_with_the_highest_proportion(fresh):
    """passages.csv against the unit_topics table: for each topic, its five highest proportions, largest first,
    among units of at least passages.min_tokens tokens; passages_by_year.csv the same within each year."""
    out, _, _ = fresh
    units, passages, by_year = table(out, "unit_topics"), table(out, "passages"), table(out, "passages_by_year")
    candidates = units[units["n_tokens"] >= Config().passages.min_tokens]
    for topic, rows in passages.groupby("topic"):
        top = candidates.sort_values(f"topic_{topic}", ascending=False, kind="stable").head(5)
        assert rows["proportion"].tolist() == pytest.approx(top[f"topic_{topic}"].tolist(), rel=1e-5)
        assert rows["rank"].tolist() == [1, 2, 3, 4, 5]
    for (topic, year), rows in by_year.groupby(["topic", "year"]):
        in_year = candidates[candidates["year"] == year]
        assert rows["proportion"].max() == pytest.approx(in_year[f"topic_{topic}"].max(), rel=1e-5)
        assert len(rows) == min(3, len(in_year))
    raw = {p.stem: p.read_text(encoding="utf-8") for p in (ROOT / "seeds").glob("*.txt")}
    # Every passage is text of its report (a unit's lines, cleaned: compare without whitespace and punctuation).
    plain = lambda text: "".join(c for c in text if c.isalnum())  # noqa: E731
    assert all(plain(text)[:40] in plain(raw[doc]) for doc, text in zip(passages["doc_id"], passages["text"]))


def test_the_explorer_is_one_offline_page_of_the_build(fresh):
    out, manifest, _ = fresh
    page = (out / "explorer.html").read_text(encoding="utf-8")
    assert set(FILES) == {"explorer.html"} and "explorer.html" in manifest["outputs"]
    assert page.startswith("<!DOCTYPE html>") and "<script src" not in page and "http://" not in page.replace(
        "http://www.w3.org", "")
    for label in manifest["model"]["fitted"]["labels_"]:
        assert json.dumps(label, ensure_ascii=False) in page


def test_second_build_gives_identical_outputs_from_the_caches(fresh, tmp_path):
    out, manifest, _ = fresh
    again = build(ROOT / "govtopics.toml", out=tmp_path)
    assert {name: sha256(tmp_path / name) for name in again["outputs"]} == {
        name: sha256(out / name) for name in manifest["outputs"]}
    assert again["token_cache"]["misses"] == 0  # the second build reads every unit's tokens from the cache
    hits = again["stage_cache_hits"]
    assert set(hits) == {"corpus", "model", "words_by_year", "prevalence", "keywords", "keyness", "term_trends", "figure",
                         "file"}
    # One entry per registered figure that applies (keyness's three PNGs in one), one per file.
    assert hits.count("figure") == len([name for name in FIGURES if f"{name}.png" not in NOT_MADE])
    assert hits.count("file") == len(FILES)


def test_fresh_build_matches_the_committed_tables(fresh):
    out, manifest, _ = fresh
    tables = sorted(name for name in manifest["outputs"] if name.startswith("tables/"))
    stale = [name for name in tables if not (COMMITTED / name).is_file()
             or (COMMITTED / name).read_bytes() != (out / name).read_bytes()]
    assert stale == [], f"figures/ is stale; run `make figures` and commit: {stale}"
    extra = sorted(p.relative_to(COMMITTED).as_posix() for p in COMMITTED.rglob("*.*")
                   if p.name not in ("manifest.json", "outputs.sha256")
                   and p.relative_to(COMMITTED).as_posix() not in manifest["outputs"])
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
    # Years stay whole numbers when one is missing: 2025, not 2025.0, and an empty cell.
    rows = (tmp_path / "out" / "tables" / "documents.csv").read_text(encoding="utf-8").splitlines()
    assert [row.split(",")[2] for row in rows[1:]] == ["2025", "2022", "2025", "2023", "2024", ""]
    assert [r for r in manifest["inputs"] if r["path"] == "undated.txt"][0]["year"] is None
    assert manifest["trends"]["excluded"] == [{"id": "undated", "reason": "no year: the analysis needs the year of each report"}]


def test_a_metadata_table_gives_covariates_groups_effects_and_an_audit(tmp_path, cache_env):
    """[corpus] metadata joins a table (path relative to the TOML file) whose column becomes a group of the trends
    and a covariate of the effects; its problems are audited; an edited table is read again."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    for path in seeds:
        (corpus / path.name).write_bytes(path.read_bytes())
    regions = ["west", "east", "west", "east"]  # the fifth seed has no row
    rows = [f"{path.name if i % 2 else path.stem},{region}" for i, (path, region) in enumerate(zip(seeds, regions))]
    metadata = tmp_path / "reports.csv"
    metadata.write_text("path,region\n" + "\n".join(rows) + "\nmissing.txt,east\n", encoding="utf-8")
    toml = tmp_path / "my.toml"
    toml.write_text('[corpus]\npath = "corpus"\nmetadata = "reports.csv"\n[model]\nk = 3\nmax_iter = 100\n'
                    '[trends]\nn_boot = 50\nby = ["region"]\n[effects]\nformula = "region"\nn_draws = 200\n'
                    '[figures]\nwhich = ["prevalence_by_group", "effects_expected", "effects"]\n', encoding="utf-8")
    manifest = build(toml, out=tmp_path / "out")
    assert manifest["config"]["corpus"]["metadata"] == str(metadata)
    audit = {(note["subject"], note["field"]): note["message"] for note in manifest["metadata_audit"]}
    assert "no row in reports.csv" in audit[seeds[4].stem, "table"] and "missing.txt" in str(audit)
    documents = table(tmp_path / "out", "documents")
    assert documents["region"].tolist()[:4] == regions and pd.isna(documents["region"].iloc[4])

    by_region = table(tmp_path / "out", "prevalence_by_region")
    counts = by_region.drop_duplicates(["year", "region"]).set_index(["year", "region"])["n_reports"].to_dict()
    assert counts == {(2022, "east"): 1, (2023, "east"): 1, (2025, "west"): 2}  # years of seeds 1, 3 and 0, 2
    assert manifest["trends"]["excluded_by_group"] == {"region": [{"id": seeds[4].stem, "reason": "no region"}]}

    effects = table(tmp_path / "out", "effects")
    assert set(effects["term"]) == {"Intercept", "region[T.west]"} and set(effects["reference"].fillna("")) == {"", "east"}
    assert manifest["effects"]["excluded"] == [{"id": seeds[4].stem, "reason": "no region"}]
    assert manifest["effects"]["n_reports"] == 4 and manifest["effects"]["cov_type"] == "cluster(issuer)"
    assert {"effect_region_west.png", "effects_expected_region.png", "prevalence_by_region.png"} <= set(manifest["outputs"])
    assert "has no year" in manifest["not_made"]["tables/effects_differences.csv"]

    metadata.write_text("path,region\n" + "\n".join(rows).replace("west", "north") + "\n", encoding="utf-8")
    again = build(toml, out=tmp_path / "out")
    # The table is read again; the tokens are the same, so the model is read back, not fitted again.
    assert "corpus" not in again["stage_cache_hits"] and "model" in again["stage_cache_hits"]
    assert set(table(tmp_path / "out", "prevalence_by_region")["region"]) == {"east", "north"}
    assert not (tmp_path / "out" / "effect_region_west.png").exists() and "effect_region_north.png" in again["outputs"]


def test_a_fixed_k_fits_one_model_and_makes_no_k_selection(tmp_path, cache_env):
    manifest = build(load_config(model={"k": 4}, trends={"n_boot": 100}, figures={"which": ["k_selection", "heatmap"]}),
                     out=tmp_path, corpus_path=ROOT / "seeds")
    assert manifest["k"] == {"chosen": 4, "recommended": None, "rule": "fixed by model.k", "warnings": []}
    assert set(manifest["not_made"]) - set(NOT_MADE) == {"tables/k_selection.csv", "k_selection.png"}
    assert "is fixed, so K was not scanned" in manifest["not_made"]["k_selection.png"]
    assert "heatmap.png" in manifest["outputs"] and not (tmp_path / "tables" / "k_selection.csv").exists()


def test_outputs_an_earlier_build_made_are_removed_and_nothing_else(tmp_path, cache_env):
    out = tmp_path / "out"
    first = build(load_config(**SMALL | {"figures": {"which": ["keyness", "heatmap"]}}), out=out, corpus_path=ROOT / "seeds")
    assert {"keyness_2024_2025.png", "heatmap.png", "tables/k_selection.csv"} <= set(first["outputs"])
    (out / "keyness_2024_2025.png").write_bytes(b"edited")  # an output the user changed since
    (out / "notes.png").write_bytes(b"mine")
    (out / "stacked.png").write_bytes(b"mine too")  # named like a registered figure, but no build wrote it
    second = build(load_config(**SMALL | {"model": {"k": 3}}), out=out, corpus_path=ROOT / "seeds")
    assert not (out / "heatmap.png").exists() and not (out / "keyness_2022_2023.png").exists()
    assert (out / "keyness_2024_2025.png").read_bytes() == b"edited"
    assert second["kept"] == [{"path": "keyness_2024_2025.png", "reason": "changed since the build that wrote it: left in place"}]
    assert (out / "notes.png").read_bytes() == b"mine" and (out / "stacked.png").read_bytes() == b"mine too"
    assert not (out / "tables" / "k_selection.csv").exists() and "tables/k_selection.csv" in second["not_made"]
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []  # no staging folder left


def test_a_changed_setting_recomputes_only_what_depends_on_it(tmp_path, cache_env):
    first = build(load_config(**SMALL), out=tmp_path / "a", corpus_path=ROOT / "seeds")
    second = build(load_config(**SMALL | {"trends": {"n_boot": 150}}), out=tmp_path / "b", corpus_path=ROOT / "seeds")
    assert "prevalence" not in second["stage_cache_hits"]
    assert {"corpus", "model", "words_by_year", "keywords", "keyness"} <= set(second["stage_cache_hits"])
    assert second["outputs"]["tables/topic_words.csv"] == first["outputs"]["tables/topic_words.csv"]
    assert second["outputs"]["tables/topic_prevalence_by_year.csv"] != first["outputs"]["tables/topic_prevalence_by_year.csv"]
    # The effects and the weighting are settings of the stages after the model: it is read back.
    fourth = build(load_config(**SMALL | {"trends": {"n_boot": 150, "weight": "tokens"},
                                          "effects": {"formula": "year_spline", "n_draws": 50}}),
                   out=tmp_path / "d", corpus_path=ROOT / "seeds")
    assert {"corpus", "model"} <= set(fourth["stage_cache_hits"]) and "prevalence" not in fourth["stage_cache_hits"]
    assert fourth["outputs"]["tables/topic_prevalence_by_year.csv"] != second["outputs"]["tables/topic_prevalence_by_year.csv"]
    fifth = build(load_config(**SMALL | {"trends": {"n_boot": 150, "weight": "tokens"},
                                         "effects": {"formula": "year_spline", "n_draws": 60}}),
                  out=tmp_path / "e", corpus_path=ROOT / "seeds")
    assert "prevalence" in fifth["stage_cache_hits"] and "effects" not in fifth["stage_cache_hits"]
    assert fifth["outputs"]["tables/effects.csv"] != fourth["outputs"]["tables/effects.csv"]
    # The corpus-level cleaning settings are part of the corpus's key.
    sixth = build(load_config(**SMALL | {"corpus": {"boilerplate": False}}), out=tmp_path / "f", corpus_path=ROOT / "seeds")
    assert "corpus" not in sixth["stage_cache_hits"] and "model" in sixth["stage_cache_hits"]
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


def test_a_folder_of_committed_outputs_without_its_manifest_is_rebuilt_in_place(tmp_path, cache_env):
    """A fresh clone has figures/ and outputs.sha256 but no manifest.json (which is not committed)."""
    out = tmp_path / "figures"
    first = build(load_config(**SMALL), out=out, corpus_path=ROOT / "seeds")
    lines = (out / "outputs.sha256").read_text(encoding="utf-8").splitlines()
    assert lines == [f"{sha256(out / name)}  {name}" for name in sorted(first["outputs"])]  # sha256sum -c format
    assert len(lines) == len(first["outputs"]) and all(len(line.split("  ")[0]) == 64 for line in lines)
    (out / "manifest.json").unlink()
    second = build(load_config(**SMALL | {"model": {"k": 3}}), out=out, corpus_path=ROOT / "seeds")
    assert "tables/k_selection.csv" not in second["outputs"] and not (out / "tables" / "k_selection.csv").exists()
    (out / "outputs.sha256").write_text("not a list of hashes\n", encoding="utf-8")
    with pytest.raises(AnalysisError, match="outputs.sha256 is not a govtopics build's list of outputs"):
        build(load_config(**SMALL), out=out, corpus_path=ROOT / "seeds")

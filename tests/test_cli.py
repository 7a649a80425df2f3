import io
import json
from pathlib import Path

import pandas as pd
import pytest

from govtopics.cli import main
from govtopics.stopwords import layer_words

ROOT = Path(__file__).resolve().parents[1]


def test_inspect_json(capsys, seeds_dir, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    assert main(["inspect", str(seeds_dir), str(tmp_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [d["year"] for d in out["documents"]] == [2025, 2022, 2025, 2023, 2024]
    first = out["documents"][0]
    assert set(first) == {"id", "path", "year", "unit", "level", "places", "genre", "period", "characters", "parts",
                          "units"}
    assert (first["genre"], first["period"]) == ("rule_of_law", "2025")
    assert set(first["parts"]) == {"achievements", "duties", "problems", "plans", "other"}
    assert first["places"] == ["重庆市", "开州区"] and first["units"] == 24
    assert out["skipped"] == [{"path": str(tmp_path / "empty.txt"), "reason": "empty file"}]


def test_inspect_table(capsys, seeds_dir):
    assert main(["inspect", str(seeds_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t")[:5] == ["id", "year", "unit", "level", "places"]
    assert lines[0].split("\t")[5:7] == ["genre", "period"]
    assert lines[2].split("\t")[1:7] == ["2022", "青木关镇人民政府", "township", "重庆市/沙坪坝区", "rule_of_law", "2022"]
    assert lines[-1] == "# loaded 5 documents, skipped 0"


def test_missing_path_is_a_usage_error(capsys):
    assert main(["inspect", "no/such/folder"]) == 2
    assert capsys.readouterr().err.strip().endswith("govtopics: error: no such file or folder: no/such/folder")


def test_a_corpus_command_without_a_corpus_is_a_usage_error(capsys):
    assert main(["topics"]) == 2
    assert "give report files or folders, or --config FILE" in capsys.readouterr().err


def test_stopwords_lists_layers_and_removed_tokens(capsys, seeds_dir):
    assert main(["stopwords", str(seeds_dir), "--top", "3"]) == 0
    out = capsys.readouterr().out
    data = ROOT / "src" / "govtopics" / "data" / "stopwords_formulaic.txt"
    entries = {line.split()[0] for line in data.read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.startswith("#")}
    assert f"formulaic\t{len(entries)}\n" in out and "places\tper document\n" in out
    lines = dict(line.split("\t", 1) for line in out.splitlines() if "\t" in line)
    assert lines["formulaic"].startswith("工作(")
    # 青木关镇 occurs 18 times in its report (001), once in the header line above the body, which is no unit.
    report = next(seeds_dir.glob("001_*.txt")).read_text(encoding="utf-8").splitlines()
    assert report[0].strip().endswith("青木关镇人民政府")
    assert lines["places"].startswith(f"青木关镇({sum(line.count('青木关镇') for line in report[1:])})")


def test_set_and_flags_override_config_keys(capsys, tmp_path):
    config = tmp_path / "my.toml"
    config.write_text(f'[corpus]\npath = "{ROOT / "seeds"}"\n[model]\nk = 5\n', encoding="utf-8")
    assert main(["config", "--config", str(config), "-k", "4", "--set", "trends.terms=[\"普法\", \"调解\"]",
                 "--set", "tokens.backend=rjieba"]) == 0
    out = capsys.readouterr().out
    assert "k = 4\n" in out and 'terms = ["普法", "调解"]\n' in out and 'backend = "rjieba"\n' in out
    assert main(["config", "--set", "model.k"]) == 2
    assert "--set needs section.key=value" in capsys.readouterr().err
    assert main(["config", "--set", "model.kk=3"]) == 2
    assert "unknown config key model.kk" in capsys.readouterr().err


def test_keywords_and_trends_print_the_analysis_tables(capsys, seeds_dir):
    assert main(["keywords", str(seeds_dir), "--by", "part", "--top", "3", "--csv"]) == 0
    printed = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(printed.columns) == ["part", "rank", "term", "score"]
    assert {"achievements", "problems", "plans"} <= set(printed["part"])
    assert (printed.groupby("part")["rank"].apply(list) == [[1, 2, 3]] * printed["part"].nunique()).all()
    assert main(["trends", str(seeds_dir), "-k", "3", "--n-boot", "50", "--set", "model.max_iter=100"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["topic", "label", "year", "prevalence", "ci_low", "ci_high", "n_reports", "n_units",
                                "single_report", "few_reports", "weighting"]
    assert len(table) == 1 + 3 * 4  # three topics, four years
    assert {line.split()[-1] for line in table[1:]} == {"report"}


def test_trends_by_a_group_and_weighting(capsys, seeds_dir):
    common = [str(seeds_dir), "-k", "3", "--n-boot", "50", "--set", "model.max_iter=100", "--csv"]
    assert main(["trends", *common, "--by", "level", "--weight", "tokens"]) == 0
    by_level = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert by_level.columns.tolist()[:4] == ["topic", "label", "year", "level"]
    assert set(by_level["level"]) == {"township"} and set(by_level["weighting"]) == {"tokens"}
    assert by_level.drop_duplicates("year")["n_reports"].tolist() == [1, 1, 1, 2]
    assert main(["trends", *common, "--by", "province"]) == 2
    assert "no column 'province' to group or fit by" in capsys.readouterr().err


def test_kwic_hits_match_a_substring_count_and_carry_metadata(capsys, seeds_dir):
    assert main(["kwic", str(seeds_dir), "营商环境", "--window", "8", "--csv"]) == 0
    captured = capsys.readouterr()
    hits = pd.read_csv(io.StringIO(captured.out))
    corpus = {p.stem: p.read_text(encoding="utf-8") for p in seeds_dir.glob("*.txt")}
    # Counted independently in the raw files (units never split a word; the header lines hold none).
    assert hits.groupby("doc_id").size().to_dict() == {d: t.count("营商环境") for d, t in corpus.items() if "营商环境" in t}
    assert (hits["keyword"] == "营商环境").all() and hits["left"].str.len().max() == 8
    assert {"year", "unit", "level", "part", "issuer"} <= set(hits.columns)
    assert f"# {len(hits)} hits of '营商环境' in {hits['doc_id'].nunique()} of 5 reports" in captured.err
    assert main(["kwic", str(seeds_dir), "营商环境|矛盾纠纷", "--regex"]) == 0
    lines = capsys.readouterr().out.splitlines()
    both = sum(t.count("营商环境") + t.count("矛盾纠纷") for t in corpus.values())
    assert lines[0] == "doc_id\tyear\tunit\tpart\tcontext" and len(lines) == 1 + both
    assert all("【营商环境】" in line or "【矛盾纠纷】" in line for line in lines[1:])
    assert main(["kwic", str(seeds_dir), "(", "--regex"]) == 2
    assert "kwic:" in capsys.readouterr().err


def test_validate_writes_sheets_away_from_the_figures_and_scores_answers(capsys, seeds_dir, tmp_path):
    settings = [str(seeds_dir), "-k", "4", "--set", "model.max_iter=100", "--set", "validation.n_passages=6"]
    out = tmp_path / "coding"
    assert main(["validate", *settings, "--out", str(out)]) == 0
    assert "keep to yourself" in capsys.readouterr().out
    sheet = pd.read_csv(out / "intrusion_sheet.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    key = pd.read_csv(out / "intrusion_key.csv", encoding="utf-8-sig")
    assert sorted(p.name for p in out.iterdir()) == ["intrusion_key.csv", "intrusion_sheet.csv", "intrusion_sheet.html"]
    assert (sheet["task"] == "word").sum() == 4 and (sheet["task"] == "topic").sum() == 6
    assert "intruder" not in sheet.columns  # the sheet never holds the key
    # A coder who always finds the intruder, and one who always picks the first option.
    right = key[key["intruder"]][["item", "option"]].rename(columns={"option": "answer"})
    right.to_csv(tmp_path / "li.csv", index=False)
    sheet.assign(answer="1")[["item", "answer"]].to_csv(tmp_path / "wang.csv", index=False)
    assert main(["validate", "score", str(out / "intrusion_key.csv"), str(tmp_path / "li.csv"), str(tmp_path / "wang.csv"),
                 "--csv"]) == 0
    summary = pd.read_csv(io.StringIO(capsys.readouterr().out)).set_index("measure")
    first_right = key[key["intruder"] & (key["option"] == 1)]
    precision = {"li": 1.0, "wang": (first_right["task"] == "word").sum() / 4}
    assert summary.loc["model_precision", "value"] == pytest.approx((precision["li"] + precision["wang"]) / 2)
    assert summary.loc["model_precision", "n_coders"] == 2
    build_folder = tmp_path / "figures"
    build_folder.mkdir()
    (build_folder / "manifest.json").write_text("{}", encoding="utf-8")
    assert main(["validate", *settings, "--out", str(build_folder)]) == 2
    assert "holds a build's outputs" in capsys.readouterr().err
    assert main(["validate", *settings, "-k", "3", "--out", str(tmp_path / "k3")]) == 2
    assert "set validation.n_top_topics to at most 2" in capsys.readouterr().err and not (tmp_path / "k3").exists()
    assert main(["validate", "score", str(out / "intrusion_key.csv"), str(tmp_path / "nobody.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_an_unreadable_metadata_table_is_one_line_and_exit_2(capsys, seeds_dir, tmp_path):
    table = tmp_path / "reports.csv"
    table.write_text("path,year\n", encoding="utf-8")
    assert main(["inspect", str(seeds_dir), "--set", f'corpus.metadata="{table}"']) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.splitlines()[-1] == (
        "govtopics: error: metadata table reports.csv is empty: it has no rows")


@pytest.mark.parametrize("flag", ["--backend", "--model"])
def test_choices_come_from_the_registries(flag, capsys):
    with pytest.raises(SystemExit):
        main(["topics", "seeds", flag, "nonsense"])
    assert "invalid choice" in capsys.readouterr().err


def test_build_says_what_it_made(capsys, seeds_dir, tmp_path):
    assert main(["build", "--corpus", str(seeds_dir), "--out", str(tmp_path), "-k", "3", "--set", "model.max_iter=100",
                 "--set", "trends.n_boot=50", "--figures"]) == 0
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert capsys.readouterr().out == (f"built {len(manifest['outputs'])} files in {tmp_path}: 5 reports loaded, "
                                       "0 skipped, 5 in the trends, K = 3\n")
    assert "explorer.html" in manifest["outputs"] and not list(tmp_path.glob("*.png"))


def test_a_k_at_the_edge_of_the_scan_is_a_warning_the_user_sees(capsys, seeds_dir, monkeypatch):
    import warnings

    import govtopics.models as models

    def edge(table, warn=True):  # the rule picks the largest K scanned, as it did on the provinces' reports
        k = int(table["k"].max())
        warnings.warn(f"K = {k} is the largest K scanned", models.KRangeWarning)
        return k, "edge rule"

    monkeypatch.setattr(models, "recommend_k", edge)
    args = [str(seeds_dir), "--set", "model.k_range=[3, 4]", "--set", "model.seeds=[1, 2]",
            "--set", "model.max_iter=50", "--set", "model.sample_seed=7", "--csv"]  # a model no other test caches
    assert main(["topics", *args]) == 0
    err = capsys.readouterr().err
    assert "# K = 4: edge rule" in err and "warning: K = 4 is the largest K scanned" in err

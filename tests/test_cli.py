import io
import json
from pathlib import Path

import pandas as pd
import pytest

from govtopics.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_inspect_json(capsys, seeds_dir, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    assert main(["inspect", str(seeds_dir), str(tmp_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [d["year"] for d in out["documents"]] == [2025, 2022, 2025, 2023, 2024]
    first = out["documents"][0]
    assert set(first) == {"id", "path", "year", "unit", "level", "places", "characters", "parts", "units"}
    assert set(first["parts"]) == {"achievements", "duties", "problems", "plans", "other"}
    assert first["places"] == ["重庆市", "开州区"] and first["units"] == 24
    assert out["skipped"] == [{"path": str(tmp_path / "empty.txt"), "reason": "empty file"}]


def test_inspect_table(capsys, seeds_dir):
    assert main(["inspect", str(seeds_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t")[:5] == ["id", "year", "unit", "level", "places"]
    assert lines[2].split("\t")[1:5] == ["2022", "青木关镇人民政府", "township", "重庆市/沙坪坝区"]
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
    assert main(["trends", str(seeds_dir), "-k", "3", "--n-boot", "50", "--set", "model.passes=10"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["topic", "label", "year", "prevalence", "ci_low", "ci_high", "n_reports", "n_units",
                                "single_report", "few_reports"]
    assert len(table) == 1 + 3 * 4  # three topics, four years


@pytest.mark.parametrize("flag", ["--backend", "--model"])
def test_choices_come_from_the_registries(flag, capsys):
    with pytest.raises(SystemExit):
        main(["topics", "seeds", flag, "nonsense"])
    assert "invalid choice" in capsys.readouterr().err

import json

from govtopics.cli import main
from govtopics.stopwords import layer_words


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
    assert capsys.readouterr().err.strip() == "govtopics: error: no such file or folder: no/such/folder"


def test_stopwords_lists_layers_and_removed_tokens(capsys, seeds_dir):
    assert main(["stopwords", str(seeds_dir), "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert f"formulaic\t{len(layer_words('formulaic'))}\n" in out and "places\tper document\n" in out
    lines = dict(line.split("\t", 1) for line in out.splitlines() if "\t" in line)
    assert lines["formulaic"].startswith("工作(")
    assert lines["places"].startswith("青木关镇(17)")

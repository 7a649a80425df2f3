import codecs

import pandas as pd
import pytest

from conftest import seed_path
from govtopics import decode_bytes, load_corpus
from govtopics.reading import DecodeError


def test_seed_folder_loads_all_five(seed_corpus):
    assert seed_corpus.summary() == "loaded 5 documents, skipped 0"
    assert [d.id for d in seed_corpus] == sorted(p.stem for p in seed_path("000").parent.glob("*.txt"))
    assert all(d.encoding == "utf-8" for d in seed_corpus)


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-8-sig", "utf-16-be"])
def test_other_encodings_give_identical_text(tmp_path, encoding):
    original = seed_path("001").read_text(encoding="utf-8")
    data = original.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    copy = tmp_path / "copy.txt"
    copy.write_bytes(data)
    reference = load_corpus(seed_path("001"))[0]
    loaded = load_corpus(copy)[0]
    assert loaded.text == reference.text
    assert loaded.year == 2022 and loaded.unit == "青木关镇人民政府"


def test_gbk_crlf_and_fullwidth_variant_loads_same_metadata(tmp_path):
    original = seed_path("000").read_text(encoding="utf-8")
    variant = original.replace(",", "，").replace(":", "：").replace("\n", "\r\n")
    (tmp_path / "gbk.txt").write_bytes(variant.encode("gbk"))
    doc = load_corpus(tmp_path)[0]
    assert doc.encoding == "gb18030"
    assert doc.text == load_corpus(seed_path("000"))[0].text
    assert (doc.year, doc.unit, doc.places) == (2025, "大进镇人民政府", ["重庆市", "开州区"])


def test_short_gbk_file_is_detected():
    assert decode_bytes("关于2020年度法治建设工作情况的报告".encode("gbk")) == (
        "关于2020年度法治建设工作情况的报告",
        "gb18030",
    )


def test_bad_files_are_skipped_with_reasons(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"  \r\n\n")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "nul.txt").write_bytes(b"abc\x00\x00\x01\x02def" * 100)
    (tmp_path / "report.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "ok.txt").write_text(seed_path("004").read_text(encoding="utf-8"), encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert [d.id for d in corpus] == ["ok"]
    reasons = {s.path.split("/")[-1]: s.reason for s in corpus.skipped}
    assert reasons["empty.txt"] == "empty file"
    assert reasons["blank.txt"] == "empty file"
    assert reasons["binary.txt"].startswith(("binary", "undecodable"))
    assert reasons["nul.txt"].startswith("binary")
    assert reasons["report.docx"] == "unsupported file type .docx"
    assert corpus.summary() == "loaded 1 documents, skipped 5"


def test_debris_only_file_is_skipped(tmp_path):
    (tmp_path / "page.txt").write_text("扫一扫在手机打开当前页\n打印:\n", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert len(corpus) == 0
    assert corpus.skipped[0].reason == "no text left after removing web-page debris"


def test_decode_error_for_undecodable_bytes():
    with pytest.raises(DecodeError):
        decode_bytes(b"\xff\xfe\xfd" * 3 + b"\x81" * 50)


def test_list_of_paths_and_missing_path(tmp_path):
    corpus = load_corpus([seed_path("002"), tmp_path / "missing.txt"])
    assert [d.year for d in corpus] == [2025]
    assert corpus.skipped[0].reason == "no such file or folder"


def test_dataframe_input_user_metadata_wins():
    texts = [seed_path("003").read_text(encoding="utf-8"), seed_path("004").read_text(encoding="utf-8")]
    frame = pd.DataFrame({"id": ["a", "b"], "text": texts, "year": [2019, None], "region": ["west", "east"]})
    corpus = load_corpus(frame)
    a, b = corpus
    assert (a.id, a.year, a.meta.sources["year"]) == ("a", 2019, "table")
    assert (b.year, b.meta.sources["year"]) == (2024, "title")
    assert a.extra == {"region": "west"}
    assert corpus.to_frame().loc[0, "region"] == "west"


def test_dataframe_without_text_column_is_an_error():
    with pytest.raises(ValueError, match="text"):
        load_corpus(pd.DataFrame({"body": ["x"]}))


def test_units_frame_carries_metadata(seed_corpus):
    units = seed_corpus.units_frame()
    assert set(units["doc_id"]) == {d.id for d in seed_corpus}
    first = units[units.doc_id == seed_corpus[0].id]
    assert set(first["year"]) == {2025} and set(first["unit"]) == {"大进镇人民政府"}
    assert set(units["part"]) <= {"achievements", "duties", "problems", "plans", "other"}
    assert units["heading"].str.len().gt(0).all()


def test_the_issuer_is_the_unit_with_its_places_and_a_table_column_wins():
    """Departments are written without their place: 司法局 of 长治市 and of 大同市 share ``unit``, not ``issuer``."""
    body = "一、主要工作\n我局坚持依法行政,加强执法队伍建设,规范行政执法行为。\n二、存在的问题\n执法人员力量不足。"
    frame = pd.DataFrame({"id": ["a", "b", "c"], "text": [f"{city}司法局2023年法治政府建设情况报告\n{body}"
                                                          for city in ("长治市", "大同市", "长治市")],
                          "issuer": [None, None, "shanxi-changzhi-sfj"]})
    corpus = load_corpus(frame, near_duplicate=None, deduplicate=False)
    assert [(d.unit, d.places) for d in corpus] == [("司法局", ["长治市"]), ("司法局", ["大同市"]), ("司法局", ["长治市"])]
    assert [d.issuer for d in corpus] == ["长治市司法局", "大同市司法局", "shanxi-changzhi-sfj"]
    docs, units = corpus.to_frame(), corpus.units_frame()
    assert docs["issuer"].tolist() == ["长治市司法局", "大同市司法局", "shanxi-changzhi-sfj"]
    assert list(docs.columns).count("issuer") == 1 and list(units.columns).count("issuer") == 1
    assert units.groupby("doc_id")["issuer"].first().tolist() == docs["issuer"].tolist()

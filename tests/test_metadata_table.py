"""A metadata table joined to the files: the table wins, covariates become columns, every problem is audited."""

import importlib.util

import pandas as pd
import pytest

from conftest import seed_path
from govtopics import load_corpus
from govtopics.metadata import MetadataTableError

HEADER = "path,year,unit,level,places,region\n"


@pytest.fixture
def folder(tmp_path):
    """Three seeds, one in a subfolder: 000 (2025, 大进镇), 001 (2022, 青木关镇), sub/002 (2025, 西仓镇)."""
    corpus = tmp_path / "reports"
    (corpus / "sub").mkdir(parents=True)
    for prefix, target in (("000", corpus / "a.txt"), ("001", corpus / "b.txt"), ("002", corpus / "sub" / "c.txt")):
        target.write_text(seed_path(prefix).read_text(encoding="utf-8"), encoding="utf-8")
    return corpus


def notes(corpus):
    return [(n.subject, n.field, n.message) for n in corpus.notes]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_each_encoding_joins_on_relative_path(folder, tmp_path, encoding):
    table = tmp_path / "reports.csv"
    table.write_bytes((HEADER + "a.txt,2025,,,,西部\nb.txt,2022,,,,东部\nsub/c.txt,2025,,,重庆市/巫溪县,西部\n").encode(encoding))
    corpus = load_corpus(folder, metadata=table)
    frame = corpus.to_frame().set_index("id")
    assert frame.loc[["a", "b", "c"], "region"].tolist() == ["西部", "东部", "西部"]
    assert corpus["c"].places == ["重庆市", "巫溪县"] and corpus["c"].meta.sources["places"] == "table"
    assert corpus["a"].meta.sources["year"] == "table"
    assert notes(corpus) == []


def test_table_wins_and_the_disagreement_is_noted(folder, tmp_path):
    table = tmp_path / "t.csv"
    table.write_text(HEADER + "a.txt,2024,大进镇人民政府,township,,x\nb.txt,2022,青木关镇人民政府,county,,y\nsub/c.txt,,,,,z\n",
                     encoding="utf-8")
    corpus = load_corpus(folder, metadata=table)
    assert (corpus["a"].year, corpus["b"].level) == (2024, "county")
    assert notes(corpus) == [
        ("a", "year", "t.csv row 2 says 2024, title says 2025: table kept"),
        ("b", "level", "t.csv row 3 says county, header says township: table kept"),
    ]


def test_rows_without_files_files_without_rows_and_bad_values(folder, tmp_path):
    table = tmp_path / "t.csv"
    table.write_text(HEADER + "a.txt,二〇二五,,,,x\nsub/c,2025,,乡镇,,z\nmissing.txt,2020,,,,w\nb.txt,2022,,district,,y\n",
                     encoding="utf-8")
    corpus = load_corpus(folder, metadata=table)
    assert len(corpus) == 3  # nothing dropped
    assert corpus["a"].year == 2025 and corpus["a"].meta.sources["year"] == "title"
    assert corpus["c"].level == "township" and corpus["c"].meta.sources["level"] == "table"  # 乡镇 is township
    assert notes(corpus) == [
        ("a", "year", "t.csv row 2 has a malformed year '二〇二五': 2025 from the title kept"),
        ("b", "level", "t.csv row 5 has an unknown level 'district' (one of national, province, city, county, township, "
                       "department, unknown): township from the header kept"),
        ("t.csv row 4", "table", "no file matches 'missing.txt': row not used"),
    ]
    without = tmp_path / "u.csv"
    without.write_text(HEADER + "a.txt,2025,,,,x\n", encoding="utf-8")
    corpus = load_corpus(folder, metadata=without)
    assert notes(corpus) == [
        ("b", "table", "no row in u.csv for 'b.txt': metadata read from the text"),
        ("c", "table", "no row in u.csv for 'sub/c.txt': metadata read from the text"),
    ]


def test_join_on_id_and_on_a_dataframe(folder):
    table = pd.DataFrame({"id": ["a", "c"], "year": [2030, None], "province": ["重庆", "重庆"]})
    corpus = load_corpus(folder, metadata=table)
    assert corpus["a"].year == 2030 and corpus["c"].year == 2025
    frame = corpus.to_frame().set_index("id")
    assert frame.loc["a", "province"] == "重庆" and pd.isna(frame.loc["b", "province"])
    assert notes(corpus)[-1] == ("b", "table", "no row in metadata table for 'b.txt': metadata read from the text")


def test_covariates_and_int64_years_in_both_frames(folder, tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("path,year,population\na.txt,,12000\nb.txt,2022,8000\nsub/c.txt,2025,\n", encoding="utf-8")
    # a.txt's year is the title's (the table's cell is empty); d.txt has no row and no year anywhere
    (folder / "d.txt").write_text("法治政府建设情况报告\n一、主要举措和成效\n开展普法宣传活动。", encoding="utf-8")
    corpus = load_corpus(folder, metadata=table)
    docs, units = corpus.to_frame(), corpus.units_frame()
    assert str(docs["year"].dtype) == "Int64" and str(units["year"].dtype) == "Int64"
    years = docs.set_index("id")["year"]
    assert years[["a", "b", "c"]].tolist() == [2025, 2022, 2025] and pd.isna(years["d"])
    assert {"genre", "period", "population"} <= set(docs.columns) and {"genre", "period", "population"} <= set(units.columns)
    assert units.loc[units.doc_id == "a", "population"].unique().tolist() == ["12000"]
    assert set(units.loc[units.doc_id == "d", "year"].isna()) == {True}


def test_duplicate_files_share_no_row_silently(tmp_path):
    folder = tmp_path / "r"
    (folder / "x").mkdir(parents=True)
    (folder / "y").mkdir()
    (folder / "x" / "a.txt").write_text(seed_path("000").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "y" / "a.txt").write_text(seed_path("001").read_text(encoding="utf-8"), encoding="utf-8")
    table = tmp_path / "t.csv"
    table.write_text("path,year\na.txt,2020\n", encoding="utf-8")
    corpus = load_corpus(folder, metadata=table)
    assert [d.year for d in corpus] == [2020, 2020]
    assert notes(corpus)[-1] == ("t.csv row 2", "table", "'a.txt' matches several files: a, y/a")


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "t.csv is empty"),
        (b"path,year\n", "t.csv is empty: it has no rows"),
        (b"file_id,year\nx,2020\n", "t.csv needs a 'path' or an 'id' column to join on (it has file_id, year)"),
        (b"path,year\na.txt,2020\na.txt,2021\n", "t.csv: path 'a.txt' is in rows 2 and 3"),
        (b"\xff\xfe\x00\x81\x82" * 20, "not UTF-8 or GB18030 text"),
    ],
)
def test_unusable_table_is_one_clear_error(folder, tmp_path, content, message):
    table = tmp_path / "t.csv"
    table.write_bytes(content)
    with pytest.raises(MetadataTableError) as error:
        load_corpus(folder, metadata=table)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_missing_table_is_an_error(folder, tmp_path):
    with pytest.raises(MetadataTableError, match="no such file"):
        load_corpus(folder, metadata=tmp_path / "nope.csv")


def test_xlsx_needs_openpyxl(folder, tmp_path):
    table = tmp_path / "t.xlsx"
    if importlib.util.find_spec("openpyxl") is None:
        table.write_bytes(b"PK\x03\x04")
        with pytest.raises(MetadataTableError, match="openpyxl"):
            load_corpus(folder, metadata=table)
    else:
        pd.DataFrame({"path": ["a.txt"], "year": [2031]}).to_excel(table, index=False)
        assert load_corpus(folder, metadata=table)["a"].year == 2031

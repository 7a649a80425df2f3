"""Codebooks: the TOML format and its errors, the shipped codebooks, and the keyword diagnostics against counts made by hand."""

from __future__ import annotations

import warnings

import pytest

from govtopics.codebook import (SHIPPED, Codebook, CodebookError, SeedWordWarning, keyword_diagnostics, kept_seeds,
                                load_codebook)

OUTLINE_AREAS = ["政府职能", "制度体系", "行政决策", "行政执法", "突发事件应对", "矛盾纠纷化解", "权力监督", "科技保障"]


def write(tmp_path, text: str):
    path = tmp_path / "book.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_codebook_file_gives_its_concepts_in_order_with_normalised_seeds(tmp_path):
    path = write(tmp_path, """
free_topics = 2
[[concept]]
name = "执法"
description = "law enforcement"
seeds = ["执法", " 处罚 "]
[[concept]]
name = "科技"
seeds = ["５Ｇ", "数据"]
""")
    book = load_codebook(path)
    assert book.names == ["执法", "科技"]
    assert book.seed_words == {"执法": ["执法", "处罚"], "科技": ["5G", "数据"]}  # full-width as half-width, trimmed
    assert book.concepts[0].description == "law enforcement" and book.concepts[1].description == ""
    assert (book.free_topics, book.n_topics) == (2, 4)


@pytest.mark.parametrize("text, message", [
    ("free_topics = 1\n", "no concepts"),
    ("free_topics = -1\n[[concept]]\nname='a'\nseeds=['x']\n", "free_topics"),
    ("free_topics = 1.5\n[[concept]]\nname='a'\nseeds=['x']\n", "free_topics"),
    ("topics = 3\n[[concept]]\nname='a'\nseeds=['x']\n", "unknown codebook key topics"),
    ("[[concept]]\nseeds=['x']\n", "concept 1 in"),
    ("[[concept]]\nname='a'\nseeds=['x']\n[[concept]]\nname='a'\nseeds=['y']\n", "concept 'a' in .* is named twice"),
    ("[[concept]]\nname='a'\nseeds=[]\n", "concept 'a' in .* needs seeds"),
    ("[[concept]]\nname='a'\nseeds='执法'\n", "concept 'a' in .* needs seeds"),
    ("[[concept]]\nname='a'\nseeds=['执法', '执法']\n", "lists seed words twice: 执法"),
    ("[[concept]]\nname='a'\nseeds=['  ']\n", "empty seed word"),
    ("[[concept]]\nname='a'\nseeds=['x']\nweight=2\n", r"concept 1 \('a'\).*unknown key weight"),
    ("[[concept]\nname='a'\n", "not valid TOML"),
])
def test_a_bad_codebook_is_a_clear_error_naming_the_file_and_concept(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(CodebookError, match=message) as error:
        load_codebook(path)
    if "TOML" not in message:
        assert str(path) in str(error.value)


def test_a_missing_codebook_names_the_shipped_ones(tmp_path):
    with pytest.raises(CodebookError, match="no such codebook file.*rule_of_law_outline, government_work"):
        load_codebook(tmp_path / "nothing.toml")


def test_the_shipped_codebooks_have_the_outline_areas_and_the_report_chapters_and_say_where_they_come_from():
    outline = load_codebook("rule_of_law_outline")
    assert outline.names == OUTLINE_AREAS
    chapters = load_codebook("government_work").names
    for chapter in ("经济增长", "改革", "对外开放", "科技创新", "乡村振兴", "民生就业", "生态环境", "政府建设"):
        assert chapter in chapters
    for name, path in SHIPPED.items():
        header = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
        assert any("Source of the concepts" in line for line in header), name
        assert load_codebook(path).free_topics >= 1
    assert any("法治政府建设实施纲要（2021－2025年）" in line for line in SHIPPED["rule_of_law_outline"].read_text(
        encoding="utf-8").splitlines()[:3])
    # A seed word shared by two concepts of a shipped codebook is a choice, not an accident: there is none.
    assert outline.shared_words() == {} and load_codebook("government_work").shared_words() == {}


# Six units written by hand. With no_below=2 and no_above=0.5 (at most 3 of the 6 units):
#   执法: 3 tokens in units 0, 1, 4 -> 3 units, kept;  处罚: 1 token in unit 1 -> rare;
#   普法: 4 tokens in units 2, 3 -> 2 units, kept;     宪法: in units 2, 3, 4, 5 -> 4 units > 3, too common;
#   监督: units 0, 5 -> 2 units, kept, listed by both concepts;  复议: absent;  调解 (concept 'c'): absent.
UNITS = [
    ["执法", "队伍", "监督"],
    ["执法", "处罚", "培训"],
    ["普法", "宪法", "普法"],
    ["普法", "宪法", "宣传", "普法"],
    ["执法", "宪法"],
    ["宪法", "监督"],
]
BOOK = Codebook.from_dict({"concept": [
    {"name": "a", "seeds": ["执法", "处罚", "监督", "复议"]},
    {"name": "b", "seeds": ["普法", "宪法", "监督"]},
    {"name": "c", "seeds": ["调解"]},
]})


def test_keyword_diagnostics_count_tokens_and_units_and_say_why_a_word_is_dropped():
    table = keyword_diagnostics(BOOK, UNITS, no_below=2, no_above=0.5)
    rows = {(r.concept, r.word): r for r in table.itertuples(index=False)}
    expected = {  # (count, units, status, shared_with)
        ("a", "执法"): (3, 3, "kept", ""),
        ("a", "处罚"): (1, 1, "rare", ""),
        ("a", "监督"): (2, 2, "kept", "b"),
        ("a", "复议"): (0, 0, "absent", ""),
        ("b", "普法"): (4, 2, "kept", ""),
        ("b", "宪法"): (4, 4, "too common", ""),
        ("b", "监督"): (2, 2, "kept", "a"),
        ("c", "调解"): (0, 0, "absent", ""),
    }
    assert list(rows) == list(expected)  # codebook order
    for key, (count, units, status, shared) in expected.items():
        row = rows[key]
        assert (row.count, row.units, row.status, row.shared_with) == (count, units, status, shared), key
        assert row.unit_share == pytest.approx(units / 6)
        assert row.kept == (status == "kept")


def test_dropped_seed_words_and_a_concept_left_without_seeds_are_warned_about_not_an_error():
    table = keyword_diagnostics(BOOK, UNITS, no_below=2, no_above=0.5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kept = kept_seeds(table)
    assert kept == {"a": ["执法", "监督"], "b": ["普法", "监督"]}
    messages = [str(w.message) for w in caught if w.category is SeedWordWarning]
    assert messages[0] == ("4 seed word(s) dropped: a: 处罚 (rare); a: 复议 (absent); b: 宪法 (too common); "
                           "c: 调解 (absent)")
    assert messages[1] == "concept(s) left without seed words, not fitted as seeded topics: c"


def test_no_below_auto_is_the_models_floor():
    units = [["执法"]] * 4 + [["普法"]] * 6  # the models' floor: at least 5 units
    table = keyword_diagnostics(Codebook.from_dict({"concept": [{"name": "a", "seeds": ["执法", "普法"]}]}), units,
                                no_below="auto")
    assert table["status"].tolist() == ["rare", "kept"]

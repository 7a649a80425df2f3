"""Metadata of reports of every level and layout, from fixtures written for these tests (tests/fixtures/metadata/).

Each fixture is a short report in one of the forms real reports take: unit line above the title or in it,
departments with and without a place prefix, masked and unnamed units, short and full autonomous
regions, one-character counties, 街道 short forms, the unit only in the signature, the file name or the
saved page's <title>, 政府工作报告 with a delivery line, a speaker line, TABs or full-width indents. The
expected values were worked out by hand from the fixture texts and the rules in govtopics.metadata.
"""

from pathlib import Path

import pytest

from govtopics import load_corpus
from govtopics.metadata import extract_metadata, filename_metadata, parse_name

FIXTURES = Path(__file__).parent / "fixtures" / "metadata"

# file stem: (year, unit, level, places)
EXPECTED = {
    "county_one_char": (2022, "赵县人民政府", "county", []),
    "county_bare_title": (2021, "南昌县人民政府", "county", []),
    "province_full": (2022, "湖北省人民政府", "province", []),
    "ministry": (2021, "司法部", "department", []),
    "department_no_place": (2020, "教育厅", "department", []),
    "department_level_prefix": (2023, "交通运输厅", "department", []),
    "department_city_prefix": (2022, "人力资源和社会保障局", "department", ["长治市"]),
    "department_masked": (2021, "司法局", "department", ["XX市"]),
    "department_county": (2023, "司法局", "department", []),
    "street_short": (2020, "海滨街道办事处", "township", []),
    "street_source_line": (2023, "古美路街道办事处", "township", ["闵行区"]),
    "township_signature_only": (2024, "桃源镇人民政府", "township", []),
    "township_masked": (2019, "某某镇人民政府", "township", []),
    "county_unnamed": (2020, "县人民政府", "county", []),
    "county_city_chain": (2022, "义乌市人民政府", "county", ["浙江省", "金华市"]),
    "county_city_parent": (2021, "瑞安市人民政府", "county", ["温州市"]),
    "city_prefecture": (2017, "淮安市人民政府", "city", []),
    "autonomous_prefecture": (2021, "恩施土家族苗族自治州人民政府", "city", []),
    "autonomous_county": (2021, "长阳土家族自治县人民政府", "county", ["湖北省", "宜昌市"]),
    "sumu": (2023, "额尔敦高毕苏木人民政府", "township", []),
    "ethnic_township": (2022, "团结满族乡人民政府", "township", []),
    "2023_青山乡": (2023, "青山乡人民政府", "township", []),
    "2025_沛县": (2024, "沛县人民政府", "county", []),
    "five_year": (2025, "静海区人民政府", "county", []),
    "2025_宁夏": (2025, "宁夏回族自治区人民政府", "province", []),
    "gov_work_region_full": (2024, "广西壮族自治区人民政府", "province", []),
    "gov_work_municipality": (2026, "上海市人民政府", "province", []),
    "gov_work_speaker": (2024, "广东省人民政府", "province", []),
    "national_dateline": (2011, "国务院", "national", []),
    "national_tabs": (1998, "国务院", "national", []),
    "national_indents": (1991, "国务院", "national", []),
    "page_copy": (2022, "静安区人民政府", "county", ["上海市"]),
}

# file stem: {field: source}
SOURCES = {
    "county_one_char": {"year": "title", "unit": "title"},
    "township_signature_only": {"year": "title", "unit": "signature"},
    "2023_青山乡": {"year": "file name", "unit": "file name"},
    "2025_沛县": {"year": "title", "unit": "title"},
    "2025_宁夏": {"year": "title", "unit": "file name"},
    "county_city_parent": {"places": "body"},
    "street_source_line": {"unit": "title", "places": "page source"},
    "page_copy": {"year": "page title", "unit": "page title", "places": "page source"},
    "national_indents": {"year": "body (reviews 1990)", "unit": "opening"},
    "street_short": {"year": "title", "unit": "title"},
}

# file stem: (genre, period)
GENRE_PERIOD = {
    "county_one_char": ("rule_of_law", "2022"),
    "five_year": ("rule_of_law", "2021-2025"),
    "2023_青山乡": ("rule_of_law", None),
    "2025_宁夏": ("government_work", "2024"),
    "gov_work_region_full": ("government_work", "2023"),
    "gov_work_municipality": ("government_work", "2021-2025"),
    "national_dateline": ("government_work", "2006-2010"),
    "national_tabs": ("government_work", "1993-1997"),
    "national_indents": ("government_work", "1990"),
}


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(FIXTURES)


def test_every_fixture_is_loaded_and_has_an_expectation(corpus):
    assert corpus.skipped == []
    assert sorted(d.id for d in corpus) == sorted(EXPECTED)


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_year_unit_level_places(corpus, stem):
    doc = corpus[stem]
    assert (doc.year, doc.unit, doc.level, doc.places) == EXPECTED[stem]


@pytest.mark.parametrize("stem", sorted(SOURCES))
def test_sources(corpus, stem):
    sources = corpus[stem].meta.sources
    assert {k: sources.get(k) for k in SOURCES[stem]} == SOURCES[stem]


@pytest.mark.parametrize("stem", sorted(GENRE_PERIOD))
def test_genre_and_period(corpus, stem):
    assert (corpus[stem].genre, corpus[stem].period) == GENRE_PERIOD[stem]


def test_places_named_in_passing_are_not_parents(corpus):
    # Every rule-of-law fixture mentions 推进城市老旧小区 and 中共幸福社区委(员会) in its body.
    for doc in corpus:
        assert not {"老旧小区", "幸福社区", "推进城市", "城市"} & {*doc.places, *doc.meta.names}, doc.id


def test_names_are_the_reports_own(corpus):
    assert corpus["county_one_char"].meta.names == ["赵县"]
    assert corpus["department_city_prefix"].meta.names == ["人力资源和社会保障局", "长治市"]
    assert corpus["2025_宁夏"].meta.names == ["宁夏回族自治区", "宁夏"]
    # A province's short form is one of its names (宁夏 for 宁夏回族自治区, 浙江 for 浙江省).
    assert corpus["county_city_chain"].meta.names == ["义乌市", "浙江省", "金华市", "浙江"]
    assert corpus["national_dateline"].meta.names == ["国务院"]


def test_title_year_wins_over_the_file_name_and_the_conflict_is_noted(corpus):
    notes = [(n.subject, n.field, n.message) for n in corpus.notes]
    assert ("2025_沛县", "year", "title says 2024, file name says 2025: title kept") in notes


def test_government_work_year_is_the_year_delivered():
    # The file name labels the report by the year it reviews; the title names the year it is delivered.
    text = "2012年政府工作报告\n各位代表:\n现在,我代表国务院向大会报告政府工作。\n一、2011年工作回顾\n过去一年经济平稳较快发展。"
    m = extract_metadata(text, file_name="2011_report")
    assert (m.year, m.period, m.genre, m.sources["year"]) == (2012, "2011", "government_work", "title")
    assert ("year", "the file name's 2011 is the year reviewed; the report is of 2012") in m.conflicts


def test_department_named_only_in_the_opening_with_a_level_prefix():
    text = "2022年度法治政府建设情况报告\n区委、区政府:\n2022年,区司法局在区委、区政府的领导下,坚持依法行政,推进法治政府建设。\n一、主要举措\n正文。"
    m = extract_metadata(text)
    assert (m.year, m.unit, m.level, m.places, m.sources["unit"]) == (2022, "司法局", "department", [], "opening")


def test_rule_of_law_year_is_the_year_reported_on():
    text = "关于2023年度法治政府建设情况的报告\n2023年,我县坚持依法行政。\n一、2023年推进法治政府建设的主要举措和成效\n正文。"
    m = extract_metadata(text, file_name="2024_发布")
    assert (m.year, m.period, m.genre) == (2023, "2023", "rule_of_law")


@pytest.mark.parametrize(
    "stem, year, unit, level",
    [
        ("2012_国务院", 2012, "国务院", "national"),
        ("2025_宁夏", 2025, "宁夏回族自治区人民政府", "province"),
        ("大进镇-2025", 2025, "大进镇人民政府", "township"),
        ("2026_上海市", 2026, "上海市人民政府", "province"),
        ("2026_广东省_政府工作报告", 2026, "广东省人民政府", "province"),
        ("reports/2019/沛县", 2019, "沛县人民政府", "county"),
        ("000_d150b2aa907695eb", None, None, None),
        ("scan20190312", None, None, None),
        ("海滨街", None, "海滨街道办事处", "township"),
        ("赵县人民政府关于2022年度法治政府建设情况的报告", 2022, "赵县人民政府", "county"),
    ],
)
def test_file_name_forms(stem, year, unit, level):
    got_year, name, _ = filename_metadata(stem)
    assert (got_year, name and name.unit, name and name.level) == (year, unit, level)


def test_file_name_with_two_years_takes_none():
    year, _, notes = filename_metadata("2019-2020_报告")
    assert year is None and notes == ["file name has several years 2019, 2020: none taken"]


@pytest.mark.parametrize(
    "name, unit, level, chain",
    [
        ("湖北省人民政府", "湖北省人民政府", "province", []),
        ("广西", "广西壮族自治区人民政府", "province", []),
        ("新疆维吾尔自治区", "新疆维吾尔自治区人民政府", "province", []),
        ("内蒙古自治区阿拉善盟", "阿拉善盟人民政府", "city", ["内蒙古自治区"]),
        ("北京市朝阳区人民政府", "朝阳区人民政府", "county", ["北京市"]),
        ("沛县", "沛县人民政府", "county", []),
        ("古美路街道", "古美路街道办事处", "township", []),
        ("转塘街道办事处", "转塘街道办事处", "township", []),
        ("*区人民政府", "*区人民政府", "county", []),
        ("XX市", "XX市人民政府", "city", []),
        ("区政府", "区人民政府", "county", []),
        ("中华人民共和国司法部", "司法部", "department", []),
        ("省发展和改革委员会", "发展和改革委员会", "department", []),
        ("浙江省杭州市市场监督管理局", "市场监督管理局", "department", ["浙江省", "杭州市"]),
        ("XX县人民政府办公室", "人民政府办公室", "department", ["XX县"]),
        ("国家税务总局长治市税务局", "国家税务总局长治市税务局", "department", []),
        ("中共XX街道工作委员会 XX街道办事处", "XX街道办事处", "township", []),
        ("中共沛县县委 沛县人民政府", "沛县人民政府", "county", []),
    ],
)
def test_parse_name(name, unit, level, chain):
    parsed = parse_name(name)
    assert (parsed.unit, parsed.level, parsed.chain) == (unit, level, chain)


@pytest.mark.parametrize("name", ["县委依法治县办", "中共幸福社区委", "推进城市老旧小区", "全县", "本镇", "各位代表", "解放日报"])
def test_not_unit_names(name):
    assert parse_name(name) is None

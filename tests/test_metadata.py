import pytest

from govtopics.cleaning import clean_text
from govtopics.metadata import extract_metadata, find_year, split_admin

EXPECTED = {
    "000": (2025, "大进镇人民政府", "township", ["重庆市", "开州区"]),
    "001": (2022, "青木关镇人民政府", "township", ["重庆市", "沙坪坝区"]),
    "002": (2025, "西仓镇人民政府", "township", []),
    "003": (2023, "双龙镇人民政府", "township", ["巫山县"]),
    "004": (2024, "雍溪镇人民政府", "township", ["重庆市", "大足区"]),
}


def test_seed_metadata(seed_corpus):
    got = {d.id[:3]: (d.year, d.unit, d.level, d.places) for d in seed_corpus}
    assert got == EXPECTED


def test_seed_metadata_sources(seed_corpus):
    sources = {d.id[:3]: d.meta.sources for d in seed_corpus}
    assert sources["000"]["year"] == "title"
    assert sources["002"]["year"] == "opening"  # no title: "2025年,西仓镇人民政府……"
    assert sources["002"]["unit"] == "opening"
    assert "县" in sources["002"]["places"]  # the text names its 县 only as 县委
    assert sources["003"]["places"] == "body"  # 中共巫山县委, 重庆市巫山县


def test_publication_and_signature_dates_are_not_years(seed_corpus):
    # 003 was published 2024-02-26 and 002 signed 2025年12月9日; the first reports on 2023.
    assert seed_corpus["003_be480a6cdcfd52da"].year == 2023
    assert find_year("日期:2024-02-26") is None
    assert find_year("2025年12月9日") is None
    assert find_year("法治政府建设实施纲要(2021-2025年)") is None
    assert find_year("关于二〇二一年法治政府建设情况的报告") == 2021


def meta(text: str):
    return extract_metadata(clean_text(text).text)


BODY = "\n" + "一年来,在上级的坚强领导下,我们坚持依法行政,各项工作取得新进展。" * 2


@pytest.mark.parametrize(
    "text, year, unit, level, places",
    [
        ("XX县2019年依法行政工作报告" + BODY, 2019, "XX县人民政府", "county", []),
        ("某县司法局\n关于2020年度法治建设工作情况的报告" + BODY, 2020, "司法局", "department", ["某县"]),
        ("今天是:2019年10月31日\n*区人民政府关于2018年法治政府建设情况的报告" + BODY, 2018, "*区人民政府", "county", []),
        ("xx市人民政府\n2021年法治政府建设年度报告" + BODY, 2021, "xx市人民政府", "city", []),
        ("浙江省杭州市西湖区转塘街道办事处\n2022年法治政府建设情况报告" + BODY, 2022, "转塘街道办事处", "township", ["浙江省", "杭州市", "西湖区"]),
        ("四川省人民政府\n关于2023年法治政府建设情况的报告" + BODY, 2023, "四川省人民政府", "province", []),
        ("广西壮族自治区南宁市司法局2020年法治政府建设年度报告" + BODY, 2020, "司法局", "department", ["广西壮族自治区", "南宁市"]),
        ("內蒙古自治區阿拉善盟阿拉善左旗巴彥浩特鎮人民政府\n關於2021年法治政府建設情況的報告" + BODY,
         2021, "巴彦浩特镇人民政府", "township", ["内蒙古自治区", "阿拉善盟", "阿拉善左旗"]),
        ("2024年度工作总结\n2024年,城关镇人民政府在县委的领导下,认真贯彻落实各项决策部署,工作取得新进展。", 2024, "城关镇人民政府", "township", []),
        ("重庆市人民政府\n2019年法治政府建设情况报告" + BODY, 2019, "重庆市人民政府", "province", []),
    ],
)
def test_general_titles(text, year, unit, level, places):
    m = meta(text)
    assert (m.year, m.unit, m.level, m.places) == (year, unit, level, places)


def test_no_year_and_out_of_range_year():
    assert meta("法治政府建设情况报告" + BODY).year is None
    m = meta("关于1900年法治政府建设情况的报告" + BODY)
    assert m.year is None and m.sources["year"] == "not found"


def test_year_from_heading_when_title_and_opening_lack_it():
    m = meta("法治政府建设情况报告\n区委:\n一、2021年推进法治政府建设的主要举措和成效\n正文。")
    assert (m.year, m.sources["year"]) == (2021, "heading")


def test_split_admin_keeps_names_whole():
    assert split_admin("恩施土家族苗族自治州巴东县") == (["恩施土家族苗族自治州", "巴东县"], "")
    assert split_admin("依法治县办") == ([], "依法治县办")

"""Departments with and without a place prefix, in every place a report names its issuer.

Issue 10: a department is named without its place (晋城市司法局 -> unit 司法局); the prefix goes to
``places`` (outermost first) and the level stays ``department``, whatever the level of the prefix
(province, city, county, township), however the place is written (full or short province names,
names ending like a phrase: 晋城市, 成都市, 东城区, 南山区; names starting or ending with a function
character: 本溪市, 和平区, 全椒县, 太和县) and wherever the name stands: the title line, a header line
above the title, the opening sentence, the signature, the file name. An unnamed prefix (省交通运输厅,
县司法局) is no place. The expected values are written out by hand from the names.
"""

import pytest

from govtopics import load_corpus
from govtopics.metadata import extract_metadata, parse_name, split_admin

# name as the report writes it: (unit, places)
DEPARTMENTS = {
    # province-level prefix, full, short and municipality
    "山西省司法厅": ("司法厅", ["山西省"]),
    "内蒙古自治区司法厅": ("司法厅", ["内蒙古自治区"]),
    "宁夏司法厅": ("司法厅", ["宁夏回族自治区"]),
    "广西交通运输厅": ("交通运输厅", ["广西壮族自治区"]),
    "上海市司法局": ("司法局", ["上海市"]),
    # city-level prefix
    "晋城市司法局": ("司法局", ["晋城市"]),
    "长治市司法局": ("司法局", ["长治市"]),
    "长治市人力资源和社会保障局": ("人力资源和社会保障局", ["长治市"]),
    "运城市人力资源和社会保障局": ("人力资源和社会保障局", ["运城市"]),
    "成都市生态环境局": ("生态环境局", ["成都市"]),
    "本溪市司法局": ("司法局", ["本溪市"]),
    "山西省晋城市司法局": ("司法局", ["山西省", "晋城市"]),
    "XX市司法局": ("司法局", ["XX市"]),
    # county-level prefix
    "东城区司法局": ("司法局", ["东城区"]),
    "南山区教育局": ("教育局", ["南山区"]),
    "石景山区司法局": ("司法局", ["石景山区"]),
    "东营区市场监督管理局": ("市场监督管理局", ["东营区"]),
    "和平区司法局": ("司法局", ["和平区"]),
    "全椒县司法局": ("司法局", ["全椒县"]),
    "太和县教育局": ("教育局", ["太和县"]),
    "沛县司法局": ("司法局", ["沛县"]),
    "XX区教育局": ("教育局", ["XX区"]),
    "北京市东城区司法局": ("司法局", ["北京市", "东城区"]),
    # township-level prefix
    "大进镇司法所": ("司法所", ["大进镇"]),
    "古美路街道司法所": ("司法所", ["古美路街道"]),
    # no place, or a level without a name
    "司法部": ("司法部", []),
    "省交通运输厅": ("交通运输厅", []),
    "县司法局": ("司法局", []),
    "市人力资源和社会保障局": ("人力资源和社会保障局", []),
}

BODY = ("坚持以习近平法治思想为指导,全面推进依法行政,法治政府建设取得新成效。现将有关情况报告如下:\n"
        "一、主要举措和成效\n(一)深化“放管服”改革。全年办理行政许可事项1200件。\n"
        "(二)严格规范公正文明执法。开展行政执法案卷评查。\n"
        "二、存在的不足和下一步工作安排\n行政执法规范化水平仍有差距。下一步,我局将持续深化法治政府建设。\n")


def forms(name: str) -> dict[str, tuple[str, str | None]]:
    """The report text (and file name) of each form in which a report names its issuer."""
    return {
        "title": (f"{name}2023年法治政府建设年度报告\n2023年,在上级党委、政府的坚强领导下,我局" + BODY, None),
        "title with 关于": (f"关于{name}2023年度法治政府建设情况的报告\n2023年,在上级党委、政府的坚强领导下,我局" + BODY, None),
        "header": (f"{name}\n关于2023年度法治政府建设情况的报告\n2023年,在上级党委、政府的坚强领导下,我局" + BODY, None),
        "opening": (f"2023年度法治政府建设情况报告\n2023年,{name}在党委、政府的坚强领导下," + BODY, None),
        "signature": ("关于2023年法治政府建设情况的报告\n2023年,在上级党委、政府的坚强领导下,我局" + BODY
                      + f"\n{name}\n2024年1月15日", None),
        "file name": ("法治政府建设年度报告\n2023年,在上级党委、政府的坚强领导下,我局" + BODY,
                      f"{name}2023年法治政府建设年度报告"),
        "file name, year apart": ("法治政府建设年度报告\n2023年,在上级党委、政府的坚强领导下,我局" + BODY, f"2023_{name}"),
    }


FORMS = list(forms("司法局"))


@pytest.mark.parametrize("name", sorted(DEPARTMENTS))
def test_parse_name_puts_the_prefix_in_the_chain(name):
    parsed = parse_name(name)
    assert (parsed.unit, parsed.level, parsed.chain) == (DEPARTMENTS[name][0], "department", DEPARTMENTS[name][1])


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("name", sorted(DEPARTMENTS))
def test_every_form_gives_the_same_unit_places_and_level(name, form):
    text, file_name = forms(name)[form]
    m = extract_metadata(text, file_name=file_name)
    unit, places = DEPARTMENTS[name]
    assert (m.year, m.unit, m.level, m.places) == (2023, unit, "department", places)


def test_issuer_is_the_same_for_a_unit_written_with_or_without_its_place(tmp_path):
    # Two reports of one bureau (its name in the title, then in a header line) and one of another city's.
    (tmp_path / "a.txt").write_text(forms("晋城市司法局")["title"][0], encoding="utf-8")
    (tmp_path / "b.txt").write_text(forms("山西省晋城市司法局")["header"][0], encoding="utf-8")
    (tmp_path / "c.txt").write_text(forms("长治市司法局")["signature"][0], encoding="utf-8")
    (tmp_path / "d.txt").write_text(forms("宁夏司法厅")["opening"][0], encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert [(d.unit, d.places, d.issuer) for d in corpus] == [
        ("司法局", ["晋城市"], "晋城市司法局"),
        ("司法局", ["山西省", "晋城市"], "山西省晋城市司法局"),
        ("司法局", ["长治市"], "长治市司法局"),
        ("司法厅", ["宁夏回族自治区"], "宁夏回族自治区司法厅"),
    ]


@pytest.mark.parametrize("phrase", ["大城市", "推进智慧城市", "国际大都市", "主城区", "偏远山区", "深山区", "首都市"])
def test_phrases_ending_like_places_are_not_places(phrase):
    assert parse_name(phrase) is None
    assert split_admin(phrase + "司法局")[0] == []


@pytest.mark.parametrize(
    "name, unit, level",
    [
        ("晋城市人民政府", "晋城市人民政府", "city"),
        ("成都市人民政府", "成都市人民政府", "city"),
        ("本溪市人民政府", "本溪市人民政府", "city"),
        ("东城区人民政府", "东城区人民政府", "county"),
        ("全椒县人民政府", "全椒县人民政府", "county"),
        ("太和县人民政府", "太和县人民政府", "county"),
    ],
)
def test_governments_of_the_same_places(name, unit, level):
    m = extract_metadata(f"{name}\n关于2023年度法治政府建设情况的报告\n2023年,在上级党委、政府的坚强领导下,我们" + BODY)
    assert (m.year, m.unit, m.level, m.places) == (2023, unit, level, [])

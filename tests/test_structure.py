import re

from govtopics.structure import heading, label_part, parse_structure, split_units

PARTS_BY_SEED = {
    "000": ["other", "achievements", "problems", "plans"],
    "001": ["other", "achievements", "duties", "problems", "plans"],
    "002": ["other", "achievements", "problems", "duties", "plans", "other"],
    "003": ["other", "achievements", "problems", "plans", "other"],
    "004": ["other", "achievements", "duties", "problems", "plans"],
}


def test_part_label_of_every_top_level_section(seed_corpus):
    got = {d.id[:3]: [s.part for s in d.sections] for d in seed_corpus}
    assert got == PARTS_BY_SEED


def test_every_top_level_heading_is_a_section(seed_corpus):
    for doc in seed_corpus:
        headings = [h[1] for line in doc.text.split("\n") if (h := heading(line)) and h[0] == 1]
        titles = list(dict.fromkeys(s.title for s in doc.sections if s.title not in ("preamble", "signature")))
        assert titles == headings


def test_mixed_sections_split_where_the_plan_starts(seed_corpus):
    doc3 = seed_corpus["003_be480a6cdcfd52da"]
    problems, plans = [s for s in doc3.sections if s.title == "存在的问题及下一步工作打算"]
    assert problems.lines[-1].endswith("三是普法工作效果不好。存在干部忙群众看现象,互相之间有温差”“隔阂,村民依法自治、法治和学法、尊法、守法、用法意识和氛围不浓。")
    assert plans.lines[0] == "针对存在的问题和不足,2024年将重点抓好以下三方面工作。"
    assert plans.lines[1].startswith("一是持续深入理论学习")
    doc4 = seed_corpus["004_0c84c42b5ba5c4eb"]
    problems, plans = [s for s in doc4.sections if s.title == "存在的问题及2025年工作安排"]
    assert "三是法治建设工作机制有待提升" in problems.lines[0]
    assert plans.lines[0].startswith("2025年,雍溪镇将积极践行习近平法治思想")
    assert plans.lines[1].startswith("(一)强化干部教育")


def test_signature_is_not_a_unit(seed_corpus):
    doc2 = seed_corpus["002_182556944e2e6830"]
    assert doc2.sections[-1].lines == ["西仓镇人民政府", "2025年12月9日"]
    assert all("2025年12月9日" not in u.text for u in doc2.units)


def test_units_cover_all_body_text(seed_corpus):
    for doc in seed_corpus:
        body = "".join(line for s in doc.sections if s.title != "signature" for line in s.lines)
        units = "".join(u.text for u in doc.units)
        assert re.sub(r"\s", "", units) == re.sub(r"\s", "", body)


def test_long_paragraphs_split_at_enumerations(seed_corpus):
    doc0 = seed_corpus[0]
    starts = [u.text[:4] for u in doc0.units if u.heading_path[-1] == "坚持政治引领,全力夯实法治政府建设责任"]
    assert starts == ["(一)坚", "二是深入", "三是扎实"]
    assert all(u.heading_path[0] for u in doc0.units)
    assert max(len(u.text) for d in seed_corpus for u in d.units) < 600


def test_heading_levels():
    assert heading("一、工作开展情况") == (1, "工作开展情况", "")
    assert heading("(三)聚焦规范公正,行政执法水平迈上新台阶。一是执法。")[:2] == (3 - 1, "聚焦规范公正,行政执法水平迈上新台阶")
    assert heading("1.建立制度")[0] == 3
    assert heading("(2)加强培训")[0] == 4
    assert heading("1.5万元用于普法") is None
    assert heading("一是全面压实领导责任。") is None


def test_label_part_rules():
    assert label_part("党政主要负责人履行推进法治建设第一责任人职责情况") == "duties"
    assert label_part("存在的不足和原因") == "problems"
    assert label_part("2026年推进法治政府建设的工作思路、目标举措") == "plans"
    assert label_part("工作开展情况") == "achievements"
    assert label_part("其他需要报告的情况") == "other"
    assert label_part("存在的问题及下一步工作打算") == "mixed"


def test_structure_without_headings_is_one_preamble():
    sections = parse_structure("2024年,我镇坚持依法行政。\n全年开展普法活动10次。")
    assert [(s.title, s.part, len(s.lines)) for s in sections] == [("preamble", "other", 2)]
    assert [u.text for u in split_units(sections)] == ["2024年,我镇坚持依法行政。", "全年开展普法活动10次。"]

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


# -- fixtures written in the forms of real reports (tests/fixtures/reports) ---------------------

from pathlib import Path  # noqa: E402

from govtopics.structure import detect_genre, looks_like_heading  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "reports"


def fixture_text(name: str) -> str:
    return (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")


def outline(name: str, genre: str | None = None) -> list[tuple[str, str, int]]:
    """(title, part, number of lines) of each section."""
    return [(s.title, s.part, len(s.lines)) for s in parse_structure(fixture_text(name), genre)]


def test_rule_of_law_report_with_thematic_headings():
    assert outline("rule_of_law_thematic") == [
        ("preamble", "other", 1),
        ("依法全面履行政府职能", "achievements", 2),
        ("强化对行政权力的制约和监督", "achievements", 1),
        ("推进严格规范公正文明执法", "achievements", 1),
        ("存在的问题和下一步打算", "problems", 2),  # (一)存在的问题 and its 一是/二是 line
        ("存在的问题和下一步打算", "plans", 2),  # (二)下一步打算 and its list
        ("其他需要报告的情况", "other", 1),
        ("signature", "other", 2),
    ]


def test_problems_and_plans_as_two_lists_split_where_the_numbering_starts_again():
    sections = parse_structure(fixture_text("rule_of_law_enumerated"))
    assert [s.part for s in sections] == ["other", "achievements", "duties", "problems", "plans"]
    problems, plans = sections[3:]
    assert [line[:4] for line in problems.lines] == ["一是法治", "二是行政"]
    assert [line[:4] for line in plans.lines] == ["一是创新", "二是加强"]
    assert plans.continued and not problems.continued


def test_problems_written_as_running_text_then_a_list_of_plans():
    text = ("一、主要举措和成效\n全年办理行政复议案件12件。\n二、存在的问题和下一步打算\n"
            "我镇法治建设仍有差距,执法力量不足,普法针对性不强。\n(一)加强执法队伍建设。配齐配强执法人员。\n(二)创新普法方式。开展精准普法。")
    sections = parse_structure(text, "rule_of_law")
    assert [(s.part, s.lines[0][:4]) for s in sections] == [("achievements", "全年办理"), ("problems", "我镇法治"), ("plans", "(一)加")]


def test_problems_under_their_own_sub_heading_are_not_cut_at_their_first_item():
    text = ("一、主要举措和成效\n全年办理行政复议案件12件。\n二、存在的不足和下一步打算\n(一)存在的不足\n(1)普法形式单一。\n(2)执法力量不足。\n"
            "(二)下一步打算\n(1)创新普法形式。\n(2)充实执法力量。")
    sections = parse_structure(text, "rule_of_law")
    assert [(s.part, len(s.lines)) for s in sections] == [("achievements", 1), ("problems", 3), ("plans", 3)]


def test_problems_paragraph_at_the_end_of_the_results_when_the_report_has_no_problems_heading():
    text = ("一、2023年工作开展情况\n全年召开专题会议4次。\n聘请法律顾问1名,审查合同37件。\n开展普法活动28场。\n"
            "在肯定成绩的同时,我们也清醒认识到,工作中还存在一些不足,普法形式较为单一。\n2024年,我镇将继续深化普法宣传,提升执法水平。")
    assert [(s.part, len(s.lines)) for s in parse_structure(text, "rule_of_law")] == [("achievements", 3), ("problems", 1), ("plans", 1)]


def test_modern_work_report_outline():
    assert outline("work_report_city") == [
        ("preamble", "other", 1),
        ("2025年工作回顾", "achievements", 5),
        ("2025年工作回顾", "problems", 1),  # 我们也清醒看到 ... 困难和问题
        ("2026年工作总体要求和主要预期目标", "plans", 2),
        ("2026年重点工作", "plans", 2),
        ("加强政府自身建设", "plans", 2),
        ("名词解释", "other", 2),  # the glossary
    ]


def test_old_work_report_with_themed_sections_marks_no_time_frame():
    assert [(t, p) for t, p, _ in outline("work_report_themes")] == [
        ("preamble", "other"), ("关于农业", "other"), ("关于工业", "other"), ("关于文化教育", "other")]


def test_old_work_report_with_unnumbered_headings():
    assert [(t, p) for t, p, _ in outline("work_report_unnumbered")] == [
        ("preamble", "other"),
        ("过去五年的回顾", "achievements"),
        ("过去五年的回顾", "problems"),
        ("今后五年的主要任务", "plans"),
        ("关于教育科学文化建设", "plans"),  # themed sections after the review are the tasks
        ("关于外交工作", "plans"),
    ]


def test_work_report_whose_review_comes_before_the_first_heading():
    assert [(t, p, n) for t, p, n in outline("work_report_preamble_review")] == [
        ("preamble", "other", 1),
        ("preamble", "achievements", 4),  # 首先报告过去一年的工作 ...
        ("preamble", "problems", 1),
        ("preamble", "plans", 1),  # 今年是非常重要的一年 ...
        ("扩大和培育内需,促进经济较快增长", "plans", 1),
        ("加快农业和农村经济发展", "plans", 1),
    ]


def test_review_and_tasks_under_one_heading_split_where_the_tasks_time_frame_opens_a_paragraph():
    text = ("各位代表:\n现在,我代表国务院向大会作政府工作报告。\n一、1998年工作回顾和1999年工作的总体要求\n过去一年,经济增长7.8%。\n"
            "我们清醒地看到,前进中还存在不少困难和问题。\n1999年,我们将庆祝新中国成立五十周年。\n二、继续扩大内需\n今年经济增长预期为7%左右。")
    assert [(s.part, s.lines[0][:4]) for s in parse_structure(text)[1:]] == [
        ("achievements", "过去一年"), ("problems", "我们清醒"), ("plans", "1999"), ("plans", "今年经济")]


def test_a_list_nested_in_a_section_does_not_start_new_sections():
    text = ("一、2025年工作回顾\n经济平稳增长。\n二、2026年重点工作\n稳增长。\n三、民生实事\n一、提高低保标准。\n二、新增托育位。\n三、改造老旧小区。\n"
            "四、建设公园。\n四、加强政府自身建设\n依法行政。")
    sections = parse_structure(text, "government_work")
    assert [s.title for s in sections] == ["2025年工作回顾", "2026年重点工作", "民生实事", "加强政府自身建设"]
    assert sections[2].lines == ["一、提高低保标准。", "二、新增托育位。", "三、改造老旧小区。", "四、建设公园。"]


def test_a_table_of_contents_goes_to_the_preamble():
    text = ("目录\n一、总任务\n二、计划概要\n三、若干问题\n(一)工业问题\n(二)农业问题\n各位代表:\n现在我作报告。\n"
            "一、总任务\n过渡时期的总任务是实现工业化。\n二、计划概要\n五年计划的基本任务已经确定。\n三、若干问题\n(一)工业问题\n要加快建设。")
    sections = parse_structure(text, "government_work")
    assert [s.title for s in sections] == ["preamble", "总任务", "计划概要", "若干问题"]
    assert sections[0].lines[:3] == ["一、总任务", "二、计划概要", "三、若干问题"]


def test_bare_numerals_head_sections():
    text = "各位代表:\n我受委托作报告。\n一\n农业发展纲要执行四年。\n二\n要继续努力。"
    assert [s.title for s in parse_structure(text, "government_work")] == ["preamble", "一", "二"]


def test_genre_from_title_or_address_whichever_comes_first():
    assert detect_genre(fixture_text("rule_of_law_thematic")) == "rule_of_law"
    for name in ["work_report_city", "work_report_themes", "work_report_unnumbered", "work_report_preamble_review"]:
        assert detect_genre(fixture_text(name)) == "government_work", name
    # no line breaks at all
    assert detect_genre(fixture_text("work_report_city").replace("\n", "")) == "government_work"
    assert detect_genre(fixture_text("rule_of_law_thematic").replace("\n", "")) == "rule_of_law"
    # web-page cruft above the title
    cruft = "首页 > 政务公开 > 法治政府建设\n" * 40
    assert detect_genre(cruft + fixture_text("rule_of_law_enumerated")) == "rule_of_law"
    # the other genre named in passing
    assert detect_genre("关于2023年法治政府建设情况的报告\n2023年,我县认真落实县政府工作报告部署。") == "rule_of_law"
    assert detect_genre("2023年,我县认真落实县政府工作报告部署,深入推进依法行政。") == "rule_of_law"
    assert detect_genre("政府工作报告\n各位代表:\n过去一年,我们深入推进法治政府建设情况良好。") == "government_work"
    assert detect_genre("某县2024年政府工作报告\n各位代表:现在我代表县人民政府作报告。") == "government_work"
    assert detect_genre("会议纪要\n会议研究了环境整治工作。") == "other"


def test_heading_like_lines():
    assert [looks_like_heading(x) for x in ["一、工作回顾", "(二)存在的问题", "名词解释", "附件2", "过去五年的回顾", "今后五年的主要任务"]] == [True] * 6
    assert [looks_like_heading(x) for x in ["欢迎访问本站", "全年开展普法活动12场。", "中共某镇委员会", "详见附注", "附件已报送县司法局。",
                                            "各位代表"]] == [False] * 6


def test_a_line_mentioning_a_note_or_an_annex_does_not_open_a_glossary():
    text = "一、2025年工作回顾\n经济增长5%。\n详见附注\n附件已报送市人大常委会。\n二、2026年重点工作\n稳增长。\n附注:\n1.稳增长:指保持经济平稳。"
    assert [(s.title, s.part) for s in parse_structure(text, "government_work")] == [
        ("2025年工作回顾", "achievements"), ("2026年重点工作", "plans"), ("附注:", "other")]


def test_units_never_exceed_the_bound():
    sections = parse_structure(fixture_text("work_report_city"))
    for bound in (40, 80, 300):
        units = split_units(sections, bound)
        assert max(len(u.text) for u in units) <= bound
        assert re.sub(r"\s", "", "".join(u.text for u in units)) == re.sub(r"\s", "", "".join(
            line for s in sections for line in s.lines))


def test_review_without_opening_formula_is_found_by_the_turn_to_the_difficulties():
    text = ("各位代表:\n我代表国务院向大会作政府工作报告,请予审议。\n根据上次会议的决议,各级政府做了大量工作。\n农业生产获得大丰收。\n"
            "工业生产稳步增长。\n科学教育事业进一步发展。\n应当清醒地看到,当前我们还存在不少困难。\n今后在经济工作中,要着重抓好改革。\n"
            "一、改革城市经济体制\n要彻底改变企业吃大锅饭的状况。")
    assert [(s.part, len(s.lines)) for s in parse_structure(text, "government_work")] == [
        ("other", 1), ("achievements", 4), ("problems", 1), ("plans", 1), ("plans", 1)]

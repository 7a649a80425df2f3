"""Paragraphs from any layout: the same report written with TABs, indents, no breaks, hard wraps or
private-use breaks gives back the same paragraphs, sections and parts as its one-paragraph-per-line copy."""

import re
from pathlib import Path

import pytest

from govtopics import load_corpus
from govtopics.cleaning import clean_text, debris_rule, normalize_text, split_layout, wrap_width
from govtopics.structure import parse_structure, split_units

FIXTURES = Path(__file__).parent / "fixtures" / "reports"
REPORTS = ["rule_of_law_thematic", "work_report_city"]


def fixture(name: str) -> str:
    return (FIXTURES / f"{name}.txt").read_text(encoding="utf-8").rstrip("\n")


def paragraphs(name: str) -> list[str]:
    """The report's paragraphs in canonical form: what every layout must give back."""
    return normalize_text(fixture(name)).split("\n")


def parts(text: str) -> list[tuple[str, str]]:
    return [(s.title, s.part) for s in parse_structure(text)]


def hard_wrap(lines: list[str], columns: int) -> str:
    """Each paragraph indented by two ideographic spaces and cut every ``columns`` display columns, as PDF text comes."""
    out = []
    for line in lines:
        current, width = "\u3000\u3000", 4
        for char in line:
            w = 2 if re.match(r"[\u3000-\u9fff\uff00-\uffef]", char) else 1
            if width + w > columns:
                out.append(current)
                current, width = "", 0
            current += char
            width += w
        out.append(current)
    return "\n".join(out)


LAYOUTS = {
    "tabs": lambda lines: "\t".join(lines),
    "ideographic indents": lambda lines: "".join("\u3000\u3000" + line for line in lines),
    "private-use breaks": lambda lines: "\ue004\u3000\u3000".join(lines),
    "hard wrapped": lambda lines: hard_wrap(lines, 36),
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", REPORTS)
def test_layout_gives_back_the_paragraphs(name, layout):
    raw_lines = fixture(name).split("\n")
    result = clean_text(LAYOUTS[layout](raw_lines))
    assert result.text.split("\n") == paragraphs(name)
    assert parts(result.text) == parts(fixture(name))


def test_each_layout_is_counted_and_private_use_breaks_are_audited():
    lines = fixture("rule_of_law_thematic").split("\n")
    assert clean_text("\t".join(lines)).layout == {"tab": len(lines) - 1}
    assert clean_text("".join("\u3000\u3000" + line for line in lines)).layout == {"indent": len(lines) - 1}
    result = clean_text("\ue004\u3000\u3000".join(lines))
    assert result.layout == {"private-use": len(lines) - 1}
    assert [(r.line, r.rule, r.text) for r in result.removed] == [(1, "private-use break", "U+E004")] * (len(lines) - 1)
    wrapped = hard_wrap(lines, 36)
    joins = len(wrapped.split("\n")) - len(lines)
    assert joins > 20 and clean_text(wrapped).layout == {"hard wrap joined": joins}


def test_wrap_width_is_the_fixed_width_and_not_found_in_paragraph_text():
    lines = fixture("rule_of_law_thematic").split("\n")
    wrapped = normalize_text(hard_wrap(lines, 36)).split("\n")
    assert 30 <= wrap_width(wrapped) <= 36  # full-width commas and colons are narrower once normalized
    assert wrap_width(paragraphs("rule_of_law_thematic")) is None
    assert wrap_width(paragraphs("work_report_city")) is None


def test_nbsp_and_en_space_runs_break_only_where_a_sentence_ends_or_a_heading_starts():
    pieces, kinds, _ = split_layout("全年立案186件。\u00a0\u00a0\u00a0\u00a0二、存在的问题\u2002\u2002一是执法力量不足。")
    assert pieces == ["全年立案186件。", "二、存在的问题", "一是执法力量不足。"] and kinds == ["indent", "indent"]
    assert split_layout("中共某镇委员会\u2002\u2002\u2002某镇人民政府")[0] == ["中共某镇委员会\u2002\u2002\u2002某镇人民政府"]
    assert split_layout("国务院总理  李克强")[0] == ["国务院总理  李克强"]
    assert split_layout("增长5.6%, 比上年 提高")[0] == ["增长5.6%, 比上年 提高"]


def test_a_private_use_character_inside_a_sentence_stays():
    pieces, kinds, dropped = split_layout("原字\ue0a1的注释。")
    assert pieces == ["原字\ue0a1的注释。"] and kinds == [] and dropped == []


def test_one_line_report_gets_its_sections_and_bounded_units():
    name = "rule_of_law_thematic"
    body = fixture(name).split("\n")[3:-2]  # header and signature lines have no stop to end them in running text
    extra = "".join(f"第{n}批开展执法检查{n * 7}次,发现问题{n * 3}个,已全部整改到位。" for n in range(1, 16))
    body[7] += extra  # a longer enforcement paragraph: the line is long enough to be taken for many paragraphs
    one_line = "".join(body)
    assert len(one_line) > 1000
    result = clean_text(one_line)
    assert result.layout["heading in long line"] > 0
    sections = parse_structure(result.text, "rule_of_law")
    # A title has no stop to end it in running text: it runs on into its first sentence when no sub-heading follows.
    headings = ["依法全面履行政府职能", "强化对行政权力的制约和监督", "推进严格规范公正文明执法", "存在的问题和下一步打算", "其他需要报告的情况"]
    titled = [s for s in sections if not s.continued and s.title != "preamble"]
    assert [s.title[: len(h)] for s, h in zip(titled, headings)] == headings and len(titled) == 5
    assert [s.part for s in sections] == ["other", "achievements", "achievements", "achievements", "problems", "plans", "other"]
    units = split_units(sections, 120)
    assert max(len(u.text) for u in units) <= 120
    rebuilt = "".join(s.title + "".join(u.text for u in split_units([s], 120)) for s in sections if not s.continued)
    pieces = "".join(u.text for u in split_units([s for s in sections if s.continued], 120))
    kept = re.sub(r"[\s一二三四五、。()]", "", rebuilt.replace("preamble", "") + pieces)
    assert sorted(kept) == sorted(re.sub(r"[\s一二三四五、。()]", "", result.text))  # every character once, markers aside


def test_text_without_any_break_or_heading_is_cut_at_sentence_ends_into_bounded_units():
    sentence = "我镇坚持依法行政,全年开展普法宣传活动十二场,受教育群众三千余人。"  # 33 characters
    text = sentence * 100
    units = split_units(parse_structure(clean_text(text).text, "rule_of_law"), 300)
    assert len(units) == 12 and all(len(u.text) == 9 * len(sentence) for u in units[:-1])
    assert "".join(u.text for u in units) == text
    long_sentence = "依法行政" * 200 + "。"  # 801 characters without a clause stop: cut anywhere
    assert [len(u.text) for u in split_units(parse_structure(long_sentence, "rule_of_law"), 300)] == [267, 267, 267]


def test_report_doubled_in_its_file_is_collapsed_to_one_copy():
    lines = fixture("work_report_city").split("\n")
    single = clean_text("\n".join(lines)).text
    doubled = clean_text("\n".join(lines + lines))
    assert doubled.text == single
    assert [r.rule for r in doubled.removed] == ["repeated copy of the report"] * len(lines)
    assert [r.line for r in doubled.removed] == list(range(len(lines) + 1, 2 * len(lines) + 1))
    # The first copy cut off mid-report (a scraper's page break): the whole second copy is kept.
    cut = lines[:13] + [lines[13][:20]] + lines
    result = clean_text("\n".join(cut))
    assert result.text == single
    # A page that repeats its title and first sentence at the end.
    tail = clean_text("\n".join(lines[:-3] + ["2026年某市人民政府工作报告", "各位代表:现在,我代表市人民政府,向大会报告工作,请予审议,并请市政协委员和其他列席人员提出意见。"]))
    assert tail.text == clean_text("\n".join(lines[:-3])).text
    assert [r.line for r in tail.removed] == [len(lines) - 2, len(lines) - 1]


def test_a_line_repeated_right_after_itself_is_removed_once():
    text = "一、2025年工作回顾\n(三)全面加强社会建设\n(三)全面加强社会建设\n城镇新增就业3.1万人。"
    result = clean_text(text)
    assert result.text == "一、2025年工作回顾\n(三)全面加强社会建设\n城镇新增就业3.1万人。"
    assert [(r.line, r.rule) for r in result.removed] == [(3, "repeated line")]


DEBRIS = {
    "print widget": ["收藏", "【打印本页】", "关闭窗口"],
    "portal widget": ["下载", "全屏", "加大", "还原", "减小", "【打印本页】【关闭窗口】", "[打印本页] [关闭窗口]",
                      "【字号：加大 还原 减小】", "字号：加大 还原 减小", "下载 打印 全屏 收藏", "》》点击图片进入专题《《"],
    "page metadata": ["阅读次数：2310", "责任编辑：张三", "编辑：李四", "（来源：某某日报）", "信息来源：县司法局"],
    "related links": ["相关报道：", "相关链接>>", "相关文档：", "延伸阅读"],
    "site footer": ["京ICP备05070218号", "网站标识码：5101000001", "主办单位：某县人民政府办公室", "主办：某县人民政府 承办：某县大数据中心",
                    "版权所有：某市人民政府", "网站地图 | 联系我们 | 网站声明"],
    "previous/next": ["上一篇：关于做好春节期间安全生产工作的通知", "下一篇：无", "上一篇"],
    "wiki licence": ["Public domain", "本作品在全世界都属于公有领域,因为作者逝世已经超过100年。"],
    "photo caption": ["3月5日,国务院总理在会上作政府工作报告。新华社记者 李某 摄", "本报记者 王某某 摄",
                      "省长作政府工作报告。某某日报记者 张某"],
    "news dateline": ["新华社北京3月12日电", "（新华社北京3月17日电）"],
    "newspaper source": ["《 人民日报 》（ 2021年03月13日 01 版）", "（《人民日报》1 9 5 4 0 9 2 4 第1至2 版）"],
    "timestamp": ["2026-02-03 09:02:33", "2026年02月10日 07时41分"],
    "breadcrumb": ["首页 > 政务公开 > 政府工作报告", "当前位置：首页"],
    "missing-glyph note": ["字库未存字注释：", "＠①原字石右加安"],
    "symbol-only line": ["】", ">", "·", "※※"],
}


@pytest.mark.parametrize("rule", DEBRIS)
def test_each_debris_line_matches_its_rule(rule):
    for line in DEBRIS[rule]:
        assert debris_rule(normalize_text(line)) == rule, line


BODY = [
    "深化无障碍环境建设。",
    "加强知识产权保护,依法保护著作权人和版权所有人的合法权益。",
    "下载并使用“粤省事”等移动政务服务平台办理业务的群众超过1000万人。",
    "全年接待记者采访12次。",
    "《中华人民共和国行政复议法》",
    "关于2023年度法治政府建设情况的报告",
    "2025年12月9日",
    "各位代表:",
    "我们将继续奉行独立自主的和平外交政策,维护世界和平。",
]


def test_body_lines_never_match_a_debris_rule():
    assert [line for line in BODY if debris_rule(normalize_text(line))] == []


def test_label_and_value_on_two_lines_and_breadcrumb_items_go_together():
    page = "当前位置：\n首页\n>\n政务信息\n>\n要闻\n某县2025年政府工作报告\n来源：\n某县日报客户端\n责任编辑：\n王某\n各位代表：\n现在，我代表县人民政府向大会报告工作。"
    result = clean_text(page)
    assert result.text == "某县2025年政府工作报告\n各位代表:\n现在,我代表县人民政府向大会报告工作。"
    assert [r.rule for r in result.removed] == ["breadcrumb"] * 2 + ["symbol-only line", "breadcrumb"] * 2 + ["page metadata"] * 4


def test_link_titles_after_their_ids_and_the_repeated_title_after_them_are_removed():
    lines = fixture("work_report_city").split("\n")
    tail = ["相关链接>>", "3f1a9c0e5b7d42e6a8c1f0b2d4e6a8c0:", "某市人民代表大会关于政府工作报告的决议", "打印本页", "关闭窗口",
            lines[0], "各位代表：" + lines[4]]
    result = clean_text("\n".join(lines + tail))
    assert result.text == clean_text("\n".join(lines)).text
    assert [r.rule for r in result.removed] == ["related links", "link id", "related links", "print widget", "print widget",
                                                "repeated copy of the report", "repeated copy of the report"]


def test_private_use_breaks_do_not_make_a_file_binary(tmp_path):
    lines = fixture("work_report_city").split("\n")
    (tmp_path / "pua.txt").write_text("\ue004\u3000\u3000".join(lines), encoding="utf-8")
    (tmp_path / "plain.txt").write_text(fixture("rule_of_law_thematic"), encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert corpus.skipped == []
    assert corpus["pua"].text.split("\n") == paragraphs("work_report_city")
    assert sum(r.rule == "private-use break" for r in corpus["pua"].cleaning.removed) == len(lines) - 1

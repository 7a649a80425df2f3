import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import seed_path
from govtopics.cleaning import DEBRIS_RULES, clean_text, is_traditional, normalize_text

DEBRIS_LINES = [
    "日期:2024-02-26",
    "发布时间：2023年03月01日 10:20",
    "字号:",
    "【字体：大 中 小】",
    "分享:",
    "分享到：微信 微博 QQ空间",
    "打印:",
    "【打印本页】",
    "【关闭窗口】",
    "扫一扫在手机打开当前页",
    "微信扫一扫:分享",
    "微信里点“发现”,扫一下",
    "二维码便可将本文分享至朋友圈。",
    "今天是:2019年10月31日 星期四",
    "当前位置：首页 > 政务公开 > 法治政府建设",
    "第 1 页 / 共 3 页",
    "- 2 -",
    "来源：区司法局",
    "浏览次数：1024",
]


def cjk(text: str) -> str:
    return "".join(re.findall(r"[\u4e00-\u9fff]", text))


def test_seed_003_debris_removed_and_body_kept():
    raw = seed_path("003").read_text(encoding="utf-8")
    result = clean_text(raw)
    for debris in ["日期:2024-02-26", "字号:", "分享:", "打印:", "扫一扫在手机打开当前页", "微信扫一扫", "二维码便可将本文分享至朋友圈"]:
        assert debris not in result.text
    assert [r.rule for r in result.removed] == [
        "publication date", "font size widget", "share widget", "print widget",
        "number-only line", "scan to open", "wechat share", "wechat share", "wechat share",
    ]
    body_lines = [line for line in normalize_text(raw).split("\n") if len(line) > 20]
    for line in body_lines:
        assert line in result.text.split("\n")
    assert result.text.startswith("双龙镇人民政府2023年度法治政府建设情况报告")
    assert "中共双龙镇委员会    双龙镇人民政府" in result.text
    assert cjk(raw).count("的") == cjk(result.text).count("的")


def test_clean_seeds_without_debris_lose_nothing_but_blank_lines():
    for prefix in ["000", "001", "002", "004"]:
        raw = seed_path(prefix).read_text(encoding="utf-8")
        result = clean_text(raw)
        assert result.removed == []
        assert cjk(result.text) == cjk(raw)


def test_widths_have_one_form():
    assert normalize_text("（一）２０２５年，推进“放管服”：ＡＢ") == "(一)2025年,推进“放管服”:AB"
    assert normalize_text("a\r\nb\rc\u200b") == "a\nb\nc"


def test_traditional_mirror_copy_is_simplified():
    result = clean_text("關於2020年法治政府建設情況的報告\n2020年,本縣堅持依法行政。")
    assert result.traditional
    assert result.text == "关于2020年法治政府建设情况的报告\n2020年,本县坚持依法行政。"
    assert not is_traditional(seed_path("000").read_text(encoding="utf-8"))


def test_every_debris_example_matches_a_rule():
    for line in DEBRIS_LINES:
        assert clean_text(line).text == "", line
    assert len(DEBRIS_RULES) >= 10


SEED_BODY = [line for line in normalize_text(seed_path("001").read_text(encoding="utf-8")).split("\n") if line]
cjk_text = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=80)
punct = st.sampled_from(list(",。、:;()“”《》 0123456789%"))
body_line = st.one_of(
    st.sampled_from(SEED_BODY),
    st.lists(st.one_of(cjk_text, punct), min_size=1, max_size=12).map("".join),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(body_line.map(lambda s: ("body", s)), st.sampled_from(DEBRIS_LINES).map(lambda s: ("debris", s))), max_size=30,
                unique_by=lambda item: item[1] if item[0] == "body" else object()))
@example([("body", "中")])  # a line of text that is one font-size button's character
def test_cleaning_keeps_every_cjk_character_of_body_lines(lines):
    """Body lines are distinct here: a body line repeated right after itself is removed (tested below)."""
    text = "\n".join(s for _, s in lines)
    result = clean_text(text, simplify=False)
    kept = cjk(result.text)
    body = cjk("".join(s for kind, s in lines if kind == "body"))
    assert kept == body


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(body_line, st.sampled_from(DEBRIS_LINES), st.text(max_size=40)), max_size=30))
def test_cleaning_is_idempotent(lines):
    once = clean_text("\n".join(lines)).text
    assert clean_text(once).text == once


def test_traditional_debris_is_removed_with_its_line_number():
    result = clean_text("關於2020年法治政府建設情況的報告\n\n掃一掃在手機打開當前頁\n本縣堅持依法行政。")
    assert result.text == "关于2020年法治政府建设情况的报告\n本县坚持依法行政。"
    assert [(r.line, r.rule) for r in result.removed] == [(3, "scan to open")]


def test_a_font_size_button_alone_is_text_unless_beside_other_widgets():
    assert clean_text("正文第一行。\n中\n第二行。", simplify=False).text == "正文第一行。\n中\n第二行。"
    widget = clean_text("字号:\n大\n中\n小\n正文。", simplify=False)
    assert widget.text == "正文。" and [r.rule for r in widget.removed] == ["font size widget"] + ["portal widget"] * 3
    assert clean_text("大\n中\n小\n正文。", simplify=False).text == "正文。"

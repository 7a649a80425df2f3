"""Cleaning: paragraphs from any layout, one canonical character form, and debris removed with an audit trail.

Paragraph breaks come in many forms (:func:`split_layout`): line ends, TABs that exports
write for line ends, the two ideographic spaces of a first-line indent with no line end at
all, NBSP or en-space runs, private-use characters some sites write for a break; a text
hard-wrapped at a fixed width (PDF extraction) is joined back into paragraphs
(:func:`wrap_width`), and a text with no breaks is cut before the headings inside it.

Reports scraped from government portals carry the page around them: publication dates,
font-size, print and share widgets, QR-code instructions, page counters, related links,
site footers, photo captions, news datelines. Those lines are removed by named rules
(:data:`DEBRIS_RULES`) that only ever match a *whole short line*, so body text is never
touched. A line repeated right after itself and a second copy of the whole report in one
file go too, and, at the level of a corpus, lines that many of its reports share
(:func:`shared_lines`). Every removed line is kept in the audit (:class:`Removal`). A page
saved whole (HTML in a ``.txt`` file) is first reduced to its text: tags go, and so do
scripts, styles and the page head, whose text is kept in the audit under the rule
``"html markup"``.
"""

from __future__ import annotations

import bisect
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from typing import NamedTuple

from .structure import looks_like_heading, looks_like_signature

__all__ = ["Removal", "CleanResult", "normalize_text", "clean_text", "to_simplified", "is_traditional", "looks_like_html", "strip_html",
           "split_layout", "wrap_width", "shared_lines", "drop_shared_lines"]

# Lines longer than this are body text by definition and never removed.
MAX_DEBRIS_LINE = 60

# Zero-width characters, and quotation marks, dashes and brackets that NFKC leaves in several forms.
_CHAR_MAP = {
    "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "", "\u00ad": "",
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2032": "'",
    "\u300c": "\u201c", "\u300d": "\u201d", "\u300e": "\u201c", "\u300f": "\u201d",
    "\u2014": "-", "\u2013": "-", "\u2012": "-", "\u2015": "-", "\u2212": "-",
    "\u3010": "[", "\u3011": "]", "\u3014": "(", "\u3015": ")", "\r\n": "\n", "\r": "\n",
}


def replace_chars(text: str, mapping: dict[str, str]) -> str:
    """Apply a small replacement table; much faster than ``str.translate`` on CJK text.

    >>> replace_chars("【通知】\u200b", _CHAR_MAP)
    '[通知]'
    """
    for old, new in mapping.items():
        if old in text:
            text = text.replace(old, new)
    return text


# Debris rules: (name, pattern matched against a whole stripped line, longest line it may remove).
# Each describes one kind of page furniture; none matches a line of report prose.
_WIDGET = r"(打印(本页|此页|文章)?|关闭(窗口|本页)?|返回(顶部|首页|列表)?|收藏(本页)?|保存|下载|全屏|加大|还原|减小|放大|缩小|默认|纠错|我要纠错|TOP|[大中小×|])"
_MEDIA = r"(?:日报|晚报|时报|新闻|报社|新华社|电视台|广播电视台|融媒体中心|客户端|网)"
DEBRIS_RULES: tuple[tuple[str, re.Pattern[str], int], ...] = tuple(
    (name, re.compile(pattern), longest)
    for name, pattern, longest in [
        ("publication date", r"(发布|发文|成文|更新|发表)?(日期|时间)\s*:\s*\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}日?(\s*\d{1,2}:\d{2}(:\d{2})?)?\s*", MAX_DEBRIS_LINE),
        ("page metadata", r"\(?(来源|信息来源|文章来源|稿件来源|作者|责任编辑|编辑|审核|校对|发布机构|发表时间|发布时间|索引号|文号|浏览次数|阅读次数|访问量|点击数|点击量|阅读数|阅读量|浏览量|访问次数)\s*:.{0,40}?\)?", MAX_DEBRIS_LINE),
        ("font size widget", r"[\[(]?\s*(字号|字体)\s*[\])]?\s*:?\s*([\[(]?\s*[大中小]\s*[\])]?\s*)*", MAX_DEBRIS_LINE),
        ("share widget", r"(分享(到)?|分享至)\s*:?\s*((微信|微博|QQ|QQ空间|朋友圈|新浪微博|腾讯微博)\s*)*", MAX_DEBRIS_LINE),
        ("print widget", r"[\[(]?\s*(打印(本页)?|关闭(窗口|本页)?|返回顶部|收藏|保存)\s*[\])]?\s*:?\s*", MAX_DEBRIS_LINE),
        ("scan to open", r"扫一扫在手机(上)?打开当前页", MAX_DEBRIS_LINE),
        ("wechat share", r"微信扫一扫\s*:?\s*(分享)?|微信里点[\"'“”]?发现[\"'“”]?\s*,?\s*扫一下|二维码便可将本文分享至朋友圈\s*。?|用微信扫描二维码.{0,20}", MAX_DEBRIS_LINE),
        ("page header date", r"今天是\s*:?\s*\d{4}年\d{1,2}月\d{1,2}日.{0,20}", MAX_DEBRIS_LINE),
        ("breadcrumb", r"(当前位置|您现在的位置|您的位置|所在位置)\s*:.{0,50}|(网站)?首页(\s*[>»/]\s*[^>»/。]{1,12}){0,6}\s*[>»]?", MAX_DEBRIS_LINE),
        ("page counter", r"(第\s*\d+\s*页\s*(/|,)?\s*(共\s*\d+\s*页)?|共\s*\d+\s*页|-\s*\d+\s*-|\d+\s*/\s*\d+|上一页|下一页)", MAX_DEBRIS_LINE),
        ("number-only line", r"[\d\s.\-/]+", MAX_DEBRIS_LINE),
        ("portal widget", rf"([\[(]?\s*{_WIDGET}\s*[\])]?\s*)+|[\[(]?\s*(字号|字体)\s*:?\s*(加大|还原|减小|放大|缩小|默认|标准|[大中小]|\s)*[\])]?"
                          r"|[》>\s]*点击(图片|此处|这里|查看|进入)[^。]{0,16}[《<\s]*", MAX_DEBRIS_LINE),
        ("timestamp", r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s*\d{1,2}\s*[:时]\s*\d{2}\s*分?(\s*:?\s*\d{2}\s*秒?)?", MAX_DEBRIS_LINE),
        ("related links", r"(相关(报道|链接|文档|附件|新闻|阅读|文章|推荐|稿件)|延伸阅读|推荐阅读)\s*[:>》]*", MAX_DEBRIS_LINE),
        ("link id", r"[0-9a-f]{16,40}\s*:?", MAX_DEBRIS_LINE),
        ("previous/next", r"(上一篇|下一篇|上一条|下一条)\s*:.{0,50}|(上一篇|下一篇|上一条|下一条)", MAX_DEBRIS_LINE),
        ("site footer", r".{0,30}ICP\s*(备|证)\s*[\d-]+号?.{0,30}|.{0,20}公网安备\s*\d+号?.{0,30}|网站标识码\s*:?\s*[0-9A-Za-z]+.{0,30}"
                        r"|.{0,10}(主办单位|承办单位|主办|承办|协办|技术支持|维护单位|运维单位)\s*:.{0,50}|.{0,30}(版权所有|Copyright|©).{0,40}"
                        r"|((网站地图|联系我们|关于我们|网站声明|隐私声明|使用帮助|政府网站找错|无障碍|长者模式|适老化)\s*[|丨/·]?\s*)+", MAX_DEBRIS_LINE),
        ("wiki licence", r"(?i).{0,100}public\s*domain.{0,100}|.{0,100}(属于|进入|在全世界都属于)公有领域.{0,100}|.{0,100}著作权法.{0,10}第五条.{0,100}", 200),
        ("photo caption", rf"[(\[]?.{{0,110}}(记者|通讯员|摄影)\s*[\u4e00-\u9fff·]{{1,4}}(\s?[\u4e00-\u9fff·]{{1,3}})?\s*摄(影)?\s*[)\]]?"
                          rf"|[(\[]?.{{0,110}}{_MEDIA}[\u4e00-\u9fff·]{{0,8}}记者\s+[\u4e00-\u9fff·]{{2,4}}([、,]\s*[\u4e00-\u9fff·]{{2,4}})*\s*[)\]]?", 120),
        ("news dateline", r"[(\[]?\s*(新华社|中新社|人民网|新华网|央视网|本报)[\u4e00-\u9fff]{0,8}\d{1,2}月\d{1,2}日(电|讯)\s*([(].{0,20}[)])?\s*[)\]]?", MAX_DEBRIS_LINE),
        ("newspaper source", r"[(\[]?\s*(来源\s*:?\s*)?《\s*[\u4e00-\u9fff]{1,8}报\s*》\s*[(]?[\d\s年月日,]*(第?\s*[\d\s]+(至\s*[\d\s]+)?\s*版)?\s*[)]?\s*[)\]]?", MAX_DEBRIS_LINE),
        ("missing-glyph note", r"字库未存字(注释)?\s*:?|@?\s*([①-⑳]|\d{1,2})\s*原字.{1,12}", MAX_DEBRIS_LINE),
        ("symbol-only line", r"(?![。,、;:!?”’)」』…\s]+$)[^\w\u4e00-\u9fff]+", MAX_DEBRIS_LINE),
    ]
)
# Font-size buttons that may stand alone on a line, and the rules of the widget lines they come with.
_SIZE_BUTTONS = frozenset("大中小")
_WIDGET_RULES = frozenset({"font size widget", "portal widget", "print widget", "share widget"})
# A label whose value is on the next line (来源: / 四川日报); the value goes with it.
_LABEL_ONLY = re.compile(r".{1,8}:")
# Blank or widget lines at the top of a page may sit between a breadcrumb's items.
_BREADCRUMB_ITEM = re.compile(r"[^。,:;!?]{1,12}")


@dataclass(frozen=True)
class Removal:
    """One line removed by cleaning: its 1-based line number in the decoded text, the rule, the text."""

    line: int
    rule: str
    text: str


@dataclass
class CleanResult:
    """Cleaned text and the audit of what cleaning took away.

    ``layout`` counts the paragraph breaks cleaning found or repaired ("tab", "indent",
    "private-use", "heading in long line", "hard wrap joined"); ``origins`` gives, for each
    line of ``text``, its 1-based line number in the decoded input.
    """

    text: str
    removed: list[Removal] = field(default_factory=list)
    chars_before: int = 0
    traditional: bool = False
    # The text of a saved page's <title> (also in the "html markup" removal of its head), for metadata.
    page_title: str | None = None
    layout: dict[str, int] = field(default_factory=dict)
    origins: list[int] = field(default_factory=list)

    @property
    def chars_removed(self) -> int:
        """Characters of the removed lines (line content, not counting whitespace)."""
        return sum(len(re.sub(r"\s", "", r.text)) for r in self.removed)


def _normalized_lines(text: str) -> list[str]:
    """Lines of ``text`` in canonical form, blank ones kept so line numbers stay those of the input."""
    return [line.strip() for line in replace_chars(unicodedata.normalize("NFKC", text), _CHAR_MAP).split("\n")]


def normalize_text(text: str) -> str:
    """Return ``text`` in one canonical form.

    NFKC folds full-width letters, digits and punctuation onto their half-width forms (``，：（）``
    become ``,:()``), so both widths count as the same character; zero-width characters are
    dropped, line ends become ``\\n`` and each line is stripped of outer whitespace.

    >>> normalize_text("２０２５年，ＡＢ（一）\\r\\n")
    '2025年,AB(一)'
    """
    return "\n".join(_normalized_lines(text)).strip("\n")


# Rules whose pattern allows free text around a keyword never take a line that ends a sentence.
_NOT_AFTER_SENTENCE = {"site footer", "photo caption", "previous/next"}
_SENTENCE_END = "。!?;"


def debris_rule(line: str) -> str | None:
    """Name of the debris rule that matches the whole of ``line``, or None for body text.

    >>> debris_rule("扫一扫在手机打开当前页"), debris_rule("一是全面压实领导责任。")
    ('scan to open', None)
    >>> debris_rule("[打印本页][关闭窗口]"), debris_rule("(新华社北京3月12日电)"), debris_rule("深化无障碍环境建设。")
    ('portal widget', 'news dateline', None)
    """
    stripped = line.strip()
    if not stripped:
        return None
    for name, pattern, longest in DEBRIS_RULES:
        if len(stripped) > longest or (name in _NOT_AFTER_SENTENCE and stripped[-1] in _SENTENCE_END):
            continue
        if pattern.fullmatch(stripped):
            return name
    return None


# A few hundred characters that exist only in traditional script; enough to tell a mirror-site copy.
_TRADITIONAL_ONLY = set(
    "這個們為發與區縣鎮鄉關於報設務執貫徹導體機構開會議經濟營環規範決權責監督審查調解紛糾諮詢說訴訟複覆辦處罰許證"
    "實際當嚴將進學習對應歲時間從來過還後動員黨員幹團結義廣東華國號萬億條項級層總標準態網絡據組織劃統籌協調"
    "選舉優質專業傳統現代農業產業資源財務會計檢驗驗收應該"
)


_CJK = re.compile(r"[\u4e00-\u9fff]")
_TRADITIONAL_CHAR = re.compile(f"[{''.join(sorted(_TRADITIONAL_ONLY))}]")


def is_traditional(text: str, threshold: float = 0.02) -> bool:
    """True when traditional-only characters make up more than ``threshold`` of the CJK characters.

    >>> is_traditional("關於2020年法治政府建設情況的報告"), is_traditional("关于2020年法治政府建设情况的报告")
    (True, False)
    """
    traditional = len(_TRADITIONAL_CHAR.findall(text))
    return bool(traditional) and traditional / len(_CJK.findall(text)) > threshold


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Convert traditional characters to simplified (OpenCC t2s).

    >>> to_simplified("關於法治政府建設情況的報告")
    '关于法治政府建设情况的报告'
    """
    return _t2s().convert(text)


# Elements whose content is never report text; the page head ends at <body> if </head> is missing.
_HTML_DROP = {"head", "title", "script", "style", "noscript", "template", "iframe", "svg"}
# Elements that start a new line, as a browser shows them.
_HTML_BLOCK = {
    "address", "article", "aside", "blockquote", "body", "br", "center", "dd", "div", "dl", "dt", "figcaption",
    "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "li", "main", "nav", "ol",
    "option", "p", "pre", "section", "table", "td", "th", "tr", "ul",
}
_HTML_START = re.compile(r"(?:^|\t)\s*(<!doctype\s+html|<html[\s>])", re.IGNORECASE | re.MULTILINE)
_HTML_TAG = re.compile(rf"</?(?:{'|'.join(sorted(_HTML_DROP | _HTML_BLOCK | {'a', 'span', 'font', 'img', 'meta', 'strong', 'b'}))})\b[^<>]*>", re.IGNORECASE)
# This many known tags make a text a web page even without <html>.
MIN_HTML_TAGS = 10


def looks_like_html(text: str) -> bool:
    """True for a web page: a line opens with ``<!DOCTYPE html`` or ``<html``, or there are many known tags.

    Not only the first line: a page is often saved below its HTTP headers or the address it came from.

    >>> looks_like_html("<!DOCTYPE html><html><body><p>正文</p></body></html>"), looks_like_html("收入<5万元的农户")
    (True, False)
    """
    if _HTML_START.search(text):
        return True
    count = 0
    for _ in _HTML_TAG.finditer(text):
        count += 1
        if count >= MIN_HTML_TAGS:
            return True
    return False


class _PageText(HTMLParser):
    """Text lines of a web page, numbered by their line in the page source, and the removed non-text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[int, str]] = []
        self.removed: list[Removal] = []
        self.tags = 0
        self.first_tag_line = 1
        self._current: tuple[int, list[str]] | None = None
        self._dropping: tuple[str, int, list[str]] | None = None  # element, source line, its text
        self.title: list[str] | None = None  # text of the first <title>, while and after it is read
        self._in_title = False

    def _break(self) -> None:
        if self._current is not None:
            self.lines.append((self._current[0], "".join(self._current[1])))
            self._current = None

    def _tag(self) -> None:
        self.tags += 1
        if self.tags == 1:
            self.first_tag_line = self.getpos()[0]

    def _stop_dropping(self) -> None:
        _, line, parts = self._dropping
        content = " ".join("".join(parts).split())
        if content:
            self.removed.append(Removal(line, "html markup", content))
        self._dropping = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag()
        if tag == "title" and self.title is None:
            self.title, self._in_title = [], True
        if self._dropping is not None:
            if self._dropping[0] == "head" and tag == "body":
                self._stop_dropping()
            else:
                return
        if tag in _HTML_DROP:
            self._break()
            self._dropping = (tag, self.getpos()[0], [])
        elif tag in _HTML_BLOCK:
            self._break()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag()
        if self._dropping is None and tag in _HTML_BLOCK:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        self._tag()
        if tag == "title":
            self._in_title = False
        if self._dropping is not None:
            if tag == self._dropping[0]:
                self._stop_dropping()
        elif tag in _HTML_BLOCK:
            self._break()

    def handle_data(self, data: str) -> None:
        number = self.getpos()[0]
        if self._in_title and self.title is not None:
            self.title.append(data)
        if self._dropping is not None:
            self._dropping[2].append(data)
            return
        for offset, part in enumerate(data.split("\n")):
            if offset:
                self._break()
            if part.strip() or self._current is not None:  # spaces between inline elements stay
                if self._current is None:
                    self._current = (number + offset, [])
                self._current[1].append(part)

    def handle_comment(self, data: str) -> None:
        self._tag()
        if data.strip():
            self.removed.append(Removal(self.getpos()[0], "html markup", " ".join(data.split())))

    def handle_decl(self, decl: str) -> None:
        self._tag()

    def close(self) -> None:
        super().close()
        if self._dropping is not None:
            self._stop_dropping()
        self._break()


def strip_html(text: str) -> tuple[list[tuple[int, str]], list[Removal]]:
    """Numbered text lines of a web page and the audit of the markup removed.

    The first removal counts the tags; then comes the text of every head, script, style or comment.

    >>> lines, removed = strip_html("<html><head><title>网站</title></head>\\n<body><p>关于2023年的报告</p></body></html>")
    >>> lines, [(r.line, r.text) for r in removed]
    ([(2, '关于2023年的报告')], [(1, '10 tags'), (1, '网站')])
    """
    lines, removed, _ = _strip_html(text)
    return lines, removed


def _strip_html(text: str) -> tuple[list[tuple[int, str]], list[Removal], str | None]:
    """:func:`strip_html`, and the text of the page's ``<title>`` (None without one)."""
    parser = _PageText()
    parser.feed(text)
    parser.close()
    lines = [(number, piece) for number, line in parser.lines for piece in _normalized_lines(line)]
    summary = Removal(parser.first_tag_line, "html markup", f"{parser.tags} tags")
    title = " ".join("".join(parser.title).split()) if parser.title else None
    return lines, [summary, *sorted(parser.removed, key=lambda r: r.line)], title or None


# -- layout: where the paragraph breaks are ---------------------------------------------------

# Blanks and tabs between two pieces of text on one line, and private-use code points among them.
_GAP = re.compile(r"[\t \u00a0\u2002-\u200a\u202f\u205f\u3000\ue000-\uf8ff]+")
_PRIVATE = re.compile(r"[\ue000-\uf8ff]")
_EDGE = re.compile(r"^[\s\ue000-\uf8ff]+|[\s\ue000-\uf8ff]+$")
_ENDS = "。．！？；：!?;:…"
_CLOSERS = "”’」』)）】\"'"
_MARKER = r"(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[(（]\s*[一二三四五六七八九十]{1,3}\s*[)）]|\d{1,2}\s*[、．.](?!\d))"
_STARTS_BLOCK = re.compile(rf"{_MARKER}|各位代表")
_HEADING_START = re.compile(_MARKER)
# A line this long is many paragraphs run together; it is cut before the headings inside it.
LONG_LINE = 1000
_HEADING_INSIDE = re.compile(rf"(?<=[。！？!?；;：:])[ \u3000]*(?={_MARKER}|各位代表)")
# A top heading run into what follows it (一、主要举措和成效(一)加强学习...): its title ends where a sub-heading or list starts.
_TITLE_RUN_ON = re.compile(r"^[一二三四五六七八九十]{1,3}\s*[、.．][^。！？!?；;：:,，]{2,45}?(?=[(（][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]是)")
# The congress addressed (各位代表:) always opens a paragraph, even glued to the speaker's name.
_ADDRESSEE_INSIDE = re.compile(r"(?<=[^\s,，、])[ \u3000\u00a0]*(?=各位代表[:：])")


def _ends_sentence(text: str) -> bool:
    """True when ``text`` ends with a sentence or clause stop, closing quotes aside."""
    text = text.rstrip(" \t\u00a0\u2002\u2003\u3000" + _CLOSERS)
    return bool(text) and text[-1] in _ENDS


def _break_kind(gap: str, before: str, after: str) -> str | None:
    """What kind of paragraph break a gap inside a line is, or None for a space between words.

    A TAB always is one (exports write TABs for line ends); two ideographic spaces are the
    first-line indent of Chinese typesetting; other runs of blanks (NBSP, en spaces, several
    spaces) only where a sentence ends or a heading starts, so a signature such as
    ``中共X镇委员会  X镇人民政府`` stays one line. A private-use character standing at such a
    place is the stand-in some sites write for a paragraph break. Debris glued to the end of
    a line (a photo caption after the speaker's name, a newspaper reference after the last
    sentence) is cut off so that the debris rules can take it.
    """
    boundary = _ends_sentence(before) or bool(_STARTS_BLOCK.match(after)) or (
        len(before) <= 60 and bool(_HEADING_START.match(before)))
    if "\t" in gap:
        return "tab"
    if len(after) <= 120 and (gap != " " or after[:1] in "(（[【《") and debris_rule(_normalized_lines(after)[0]):
        return "debris at line end"
    if _PRIVATE.search(gap):
        return "private-use" if boundary or gap.count("\u3000") >= 2 else None
    if gap.count("\u3000") >= 2:
        return "indent"
    if boundary and (len(gap) >= 2 or gap != " "):
        return "indent"
    return None


def split_layout(line: str) -> tuple[list[str], list[str], list[str]]:
    """Cut one input line into paragraphs at TABs, indents, private-use breaks and inner headings.

    Returns the pieces, the kind of each break made, and the private-use characters removed
    (those at a break, and those at either end of the line).

    >>> split_layout("各位代表:\u3000\u3000现在,我代表国务院。\u3000\u3000一、过去一年工作回顾\u3000\u3000过去一年。")[0]
    ['各位代表:', '现在,我代表国务院。', '一、过去一年工作回顾', '过去一年。']
    >>> split_layout("中共双龙镇委员会 \u2002\u2002双龙镇人民政府")[0], split_layout("意见。\ue004\u3000\u3000首先报告")[1:]
    (['中共双龙镇委员会 \u2002\u2002双龙镇人民政府'], (['private-use'], ['\ue004']))
    """
    pieces: list[str] = []
    kinds: list[str] = []
    dropped: list[str] = []
    segments = _ADDRESSEE_INSIDE.split(line) if "各位代表" in line else [line]
    kinds += ["addressee"] * (len(segments) - 1)
    for segment in segments:
        start = 0
        for gap in _GAP.finditer(segment):
            if gap.start() == 0 or gap.end() == len(segment):
                dropped += _PRIVATE.findall(gap.group())
                continue
            kind = _break_kind(gap.group(), segment[start:gap.start()], segment[gap.end():])
            if kind is None:
                continue
            pieces.append(segment[start:gap.start()])
            kinds.append(kind)
            dropped += _PRIVATE.findall(gap.group())
            start = gap.end()
        pieces.append(segment[start:])
    if dropped:
        pieces = [_EDGE.sub("", piece) for piece in pieces]
    out: list[str] = []
    for piece in pieces:
        parts = _HEADING_INSIDE.split(piece) if len(piece) > LONG_LINE else [piece]
        kinds += ["heading in long line"] * (len(parts) - 1)
        for part in parts:
            title = _TITLE_RUN_ON.match(part) if len(parts) > 1 else None
            if title:
                kinds.append("heading in long line")
                out += [title.group(), part[title.end():]]
            else:
                out.append(part)
    return out, kinds, dropped


def _indented(line: str) -> bool:
    """The line opens with a paragraph indent: a TAB, an ideographic space or two blanks."""
    return bool(re.match(r"\t|\u3000|[ \u00a0\u2002-\u200a]{2}", line))


class _Line(NamedTuple):
    """A line of the pipeline: its line number in the input, its text, whether it opened with an indent, and (for a
    short line, which may be a wrapped one) its text before normalization, whose width is what the page showed."""

    number: int
    text: str
    indented: bool = False
    raw: str = ""

    @property
    def width(self) -> int:
        return _width(self.raw or self.text)


def _layout_lines(lines: list[tuple[int, str]]) -> tuple[list[_Line], list[Removal], Counter[str]]:
    """Numbered, normalized paragraphs of numbered input lines, the private-use breaks removed, and the break counts."""
    numbered: list[_Line] = []
    removed: list[Removal] = []
    counts: Counter[str] = Counter()
    for number, raw in lines:
        pieces, kinds, dropped = split_layout(raw)
        counts.update(kinds)
        removed += [Removal(number, "private-use break", f"U+{ord(c):04X}") for c in dropped]
        first = _indented(raw)
        i = 0
        for piece in pieces:
            # Normalizing can make a break of its own (NFKC turns ¸ into a space and a combining cedilla, next to
            # a space already there): it is cut here too, so cleaning the cleaned text changes nothing.
            normal, more, _ = split_layout(_normalized_lines(piece)[0])
            counts.update(more)
            for part in normal:
                # Only short lines can be wrapped lines: a long one needs no raw text for its width.
                numbered.append(_Line(number, part.strip(), first or i > 0,
                                      (piece.strip() if len(normal) == 1 else part.strip()) if len(piece) <= 200 else ""))
                i += 1
    return numbered, removed, counts


# -- hard-wrapped text ---------------------------------------------------------------------------

# East Asian wide and full-width characters (Unicode's EastAsianWidth W and F): CJK, kana, hangul, full-width forms.
_WIDE = re.compile("[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3"
                   "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]")


def _width(line: str) -> int:
    """Display width: wide (CJK) characters count 2, others 1.

    >>> _width("2025年,GDP增长5%")
    16
    """
    return len(line) + len(_WIDE.findall(line))


def _clustered(lengths: list[int]) -> bool:
    """At least 8 values, most of them (60%) within 20% below some value: the lengths of wrapped lines."""
    if len(lengths) < 8:
        return False
    return any(bisect.bisect_right(lengths, n + 2) - bisect.bisect_left(lengths, 0.8 * n) >= 0.6 * len(lengths) for n in set(lengths))


def wrap_width(lines: list[str], widths: list[int] | None = None) -> int | None:
    """The fixed width a text was hard-wrapped at (PDF extraction, fixed-width exports), or None.

    In wrapped text most lines are within a few columns of one width and most of those full
    lines stop inside a sentence. A text written one paragraph per line has lines of every
    length, each ending a sentence. ``widths`` are the lines' display widths (by default
    computed from ``lines``: wide characters count two columns).

    >>> wrap_width(["依法行政推进法治建设" * 2, "各项任务落到实处。"] * 2 + ["深化改革优化营商环境" * 2] * 6)
    40
    >>> wrap_width(["一、主要举措。", "2024年,我镇坚持依法行政,取得成效。", "全年开展普法活动10次。"] * 4) is None
    True
    """
    if not _clustered(sorted(len(line) for line in lines if len(line) >= 8)):  # a quick look at lengths first
        return None
    widths = widths or [_width(line) for line in lines]
    candidates = sorted(w for w in widths if w >= 16)
    if len(candidates) < 8:
        return None
    best, best_count = 0, 0
    for width in sorted(set(candidates)):
        count = bisect.bisect_right(candidates, width + 2) - bisect.bisect_left(candidates, 0.85 * width)
        if count >= best_count:
            best, best_count = width, count
    if best_count < 0.6 * len(candidates):
        return None
    full = [line for line, w in zip(lines, widths) if 0.85 * best <= w <= best + 2]
    open_ended = sum(1 for line in full if not _ends_sentence(line))
    return best if open_ended >= 0.5 * len(full) else None


def _rejoin(lines: list[_Line]) -> tuple[list[_Line], int]:
    """Join the lines of a hard-wrapped text back into paragraphs; return them and the number of joins.

    A full line (within 15% of the wrap width, as the page showed it) continues on the next
    one unless that one is indented or opens a heading.
    """
    texts = [line.text for line in lines]
    if not _clustered(sorted(len(text) for text in texts if len(text) >= 8)):
        return lines, 0
    width = wrap_width(texts, [line.width for line in lines])
    if width is None:
        return lines, 0
    out: list[_Line] = []
    tail_width = 0  # width of the last wrapped line of the paragraph being built
    joins = 0
    for line in lines:
        if out and tail_width >= 0.85 * width and not line.indented and not _HEADING_START.match(line.text):
            paragraph = out[-1].text
            glue = " " if paragraph[-1:].isascii() and paragraph[-1:].isalnum() and line.text[:1].isascii() and line.text[:1].isalnum() else ""
            out[-1] = out[-1]._replace(text=paragraph + glue + line.text)
            joins += 1
        else:
            out.append(line)
        tail_width = line.width
    return out, joins


# -- repeated text -------------------------------------------------------------------------------

def _drop_repeated_lines(lines: list[_Line]) -> tuple[list[_Line], list[Removal]]:
    """Drop a line that repeats the line just before it (a scraper's doubled paragraph or heading)."""
    kept: list[_Line] = []
    removed: list[Removal] = []
    for line in lines:
        if kept and len(line.text) >= 2 and line.text == kept[-1].text:
            removed.append(Removal(line.number, "repeated line", line.text))
        else:
            kept.append(line)
    return kept, removed


def _header_like(text: str) -> bool:
    """A short line that ends no sentence: a title, date, speaker or addressee line."""
    return len(text) <= 60 and text[-1:] not in "。!?;"


def _repeated_copy(lines: list[_Line]) -> tuple[int, int] | None:
    """The lines ``[start, end)`` that are a second copy of the report, or None.

    The report's first sentence (its first line of 30 characters or more with a full stop) is looked for
    again further down. If the text from there to the end is the beginning of the report
    again (a page that repeats its title and opening, or a whole second copy), the second
    copy goes, with the title lines just above it that repeat the header. If instead the
    first copy is the beginning of the second (a truncated first copy), the first goes.
    Whitespace and line breaks do not count: a copy may be wrapped otherwise.
    """
    compact = ["".join(line.text.split()) for line in lines]
    anchor_line = next((i for i, c in enumerate(compact) if len(c) >= 30 and "。" in c), None)
    if anchor_line is None:
        return None
    starts, total = [], 0
    for c in compact:
        starts.append(total)
        total += len(c)
    joined = "".join(compact)
    anchor = compact[anchor_line]
    first = starts[anchor_line]
    second = joined.find(anchor, first + len(anchor))
    if second < 0:
        return None
    line = bisect.bisect_right(starts, second) - 1
    header = joined[:first]
    copy_start = line  # the copy's own title lines, which repeat the header, go with it
    while copy_start - 1 > anchor_line and _header_like(compact[copy_start - 1]) and compact[copy_start - 1] in header:
        copy_start -= 1
    first_copy = joined[first:starts[copy_start]]
    second_copy = joined[second:]
    if len(second_copy) >= 20 and first_copy.startswith(second_copy):
        return copy_start, len(lines)
    if len(first_copy) >= 200 and second_copy.startswith(first_copy):
        return anchor_line, line
    return None


def _drop_repeats(lines: list[_Line]) -> tuple[list[_Line], list[Removal]]:
    """Lines repeating the one before, then a repeated copy of the report, removed."""
    lines, repeated = _drop_repeated_lines(lines)
    lines, copy = _drop_repeated_copy(lines)
    return lines, repeated + copy


def _drop_repeated_copy(lines: list[_Line]) -> tuple[list[_Line], list[Removal]]:
    """Collapse a report that is in its file twice (or that repeats its opening at the end) to one copy."""
    removed: list[Removal] = []
    for _ in range(4):  # a file copied three or four times over
        found = _repeated_copy(lines)
        if found is None:
            break
        start, end = found
        removed += [Removal(line.number, "repeated copy of the report", line.text) for line in lines[start:end]]
        lines = lines[:start] + lines[end:]
    return lines, removed


# -- the whole pass ------------------------------------------------------------------------------

def clean_text(text: str, *, simplify: bool = True) -> CleanResult:
    """Normalize ``text``, find its paragraphs, strip a web page to its text, simplify a traditional-script copy, drop debris.

    Paragraph breaks are read from any layout (:func:`split_layout`; hard-wrapped lines are
    joined, :func:`wrap_width`). Blank lines are dropped; every other removed line is recorded
    with its rule and its line number in ``text``, and so is a private-use character taken
    as a paragraph break. A line repeating the one before it, and a second copy of the report
    in the same file, are removed too.

    >>> r = clean_text("日期:2024-02-26\\n\\n字号:\\n关于2023年法治政府建设情况的报告\\n扫一扫在手机打开当前页")
    >>> r.text, [x.rule for x in r.removed]
    ('关于2023年法治政府建设情况的报告', ['publication date', 'font size widget', 'scan to open'])
    >>> clean_text("各位代表:\u3000\u3000一、工作回顾\u3000\u3000过去一年。\t来源:人民网").text
    '各位代表:\\n一、工作回顾\\n过去一年。'
    """
    layout: Counter[str] = Counter()
    title = None
    if looks_like_html(text):
        numbered_html, markup, title = _strip_html("\n".join(_normalized_lines(text)))
        numbered, breaks, layout = _layout_lines(numbered_html)
        markup += breaks
    else:
        numbered, markup, layout = _layout_lines(list(enumerate(re.split(r"\r\n|\r|\n", text), start=1)))
    kept, removed = _drop_debris(numbered)
    kept, joins = _rejoin(kept)
    if joins:
        layout["hard wrap joined"] = joins
    kept, repeats = _drop_repeats(kept)
    removed += repeats
    # Decide on the kept text only, so a second pass makes the same decision (idempotence).
    traditional = simplify and is_traditional("\n".join(line.text for line in kept))
    if traditional:
        kept, removed_after = _drop_debris([line._replace(text=to_simplified(line.text)) for line in kept])
        kept, repeats = _drop_repeats(kept)
        removed += removed_after + repeats
    removed = sorted(markup + removed, key=lambda r: r.line)
    if title and traditional:
        title = to_simplified(title)
    return CleanResult("\n".join(line.text for line in kept), removed, chars_before=len(text), traditional=traditional,
                       layout=dict(layout), origins=[line.number for line in kept], page_title=title)


def _value_like(line: str, longest: int = 30) -> bool:
    """A short line that could be the value of a label above it (来源: / 四川日报), or a link's title."""
    return len(line) <= longest and line[-1] not in _SENTENCE_END and not _HEADING_START.match(line)


def _drop_debris(lines: list[_Line]) -> tuple[list[_Line], list[Removal]]:
    """Split numbered lines into kept body lines and removed debris; blank lines go silently.

    Besides the whole-line rules (:func:`debris_rule`), two kinds of debris span lines: a
    page-metadata label whose value sits on the next line (来源: / 四川日报, 责任编辑: / 李莎莎)
    and a breadcrumb whose items are separated by lines holding only ``>`` (首页 / > / 要闻);
    a link title follows the link id line above it.
    """
    kept: list[_Line] = []
    removed: list[Removal] = []
    pending: str | None = None  # the rule of a label (or link id) whose value may come next
    in_crumb = after_separator = False
    lines = [entry for entry in lines if entry.text]  # blank lines go silently
    last_rule: str | None = None
    for i, entry in enumerate(lines):
        number, line = entry.number, entry.text
        rule = debris_rule(line)
        if line in _SIZE_BUTTONS and rule == "portal widget":
            # 大 / 中 / 小 alone is a font-size button only beside another widget line, else a line of text.
            after = debris_rule(lines[i + 1].text) if i + 1 < len(lines) else None
            if last_rule not in _WIDGET_RULES and after not in _WIDGET_RULES:
                rule = None
        if rule is None and pending and _value_like(line, 30 if pending == "page metadata" else MAX_DEBRIS_LINE):
            rule = pending
        elif rule is None and after_separator and _BREADCRUMB_ITEM.fullmatch(line):
            rule = "breadcrumb"
        if rule is None:
            kept.append(entry)
        else:
            removed.append(Removal(number, rule, line))
        pending = None
        if rule == "page metadata" and _LABEL_ONLY.fullmatch(line):
            pending = rule
        elif rule == "link id":
            pending = "related links"
        after_separator = (rule == "breadcrumb" and line.endswith(":")) or (
            in_crumb and rule == "symbol-only line" and line in (">", "»", "/", ">>", "›"))
        in_crumb = rule == "breadcrumb" or after_separator
        last_rule = rule
    return kept, removed


# -- boilerplate a corpus shares -------------------------------------------------------------------

# Title words (报告, 情况, ...) and a speaker's office before a name: metadata lines, never boilerplate.
_TITLE_WORDS = re.compile(r"报告|总结|情况|要点|规划|计划|纲要|决议|意见|通知|讲话")
_SPEAKER = re.compile(r".{0,24}(?:总理|省长|市长|主席|县长|区长|旗长|州长|镇长|乡长|书记|主任|委员|部长|厅长|局长)\s*[\u4e00-\u9fff·]{2,8}")


def _boilerplate_candidate(line: str) -> bool:
    """A line that may be page furniture: short, no sentence, no heading, title, signature or speaker line."""
    return (0 < len(line) <= MAX_DEBRIS_LINE and line[-1] not in "。!?;:…" and "。" not in line and not looks_like_heading(line)
            and not looks_like_signature(line) and not _TITLE_WORDS.search(line) and not _SPEAKER.fullmatch(line))


def shared_lines(texts: list[str], *, min_documents: int = 3, min_share: float = 0.05) -> dict[str, int]:
    """Lines found verbatim in at least ``max(min_documents, min_share × len(texts))`` of the texts, with their counts.

    Only short lines that are no sentence, heading, title, signature or speaker line can be
    shared boilerplate: a portal's banner, menu or footer (主办单位, 网站地图 ...) that no
    named debris rule knows. Three documents are the least: two reports may share a line
    by chance or by one unit's habit (its name), three copies of one short line that is not
    a heading are a template. In a large corpus a line must also be in 5% of the documents,
    so a phrase a few units happen to share is not taken for the sites' furniture.

    >>> page = "政务服务网\\n关于2024年法治政府建设情况的报告\\n{}\\n一、主要举措\\n全年开展普法{}次。\\n网站地图 联系我们"
    >>> shared_lines([page.format(unit, n) for unit, n in [("甲镇", 3), ("乙镇", 5), ("丙镇", 8), ("丁镇", 9)]])
    {'政务服务网': 4, '网站地图 联系我们': 4}
    """
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update({line for line in text.split("\n") if _boilerplate_candidate(line)})
    needed = max(min_documents, math.ceil(min_share * len(texts)))
    return {line: n for line, n in sorted(counts.items()) if n >= needed}


def drop_shared_lines(result: CleanResult, shared: dict[str, int], documents: int) -> int:
    """Remove the ``shared`` lines from a cleaned text, in place, each recorded in its audit; return how many.

    The rule names the share: ``corpus boilerplate (in 12 of 31 documents)``.
    """
    lines = result.text.split("\n")
    origins = result.origins or list(range(1, len(lines) + 1))
    kept = [(line, origin) for line, origin in zip(lines, origins) if line not in shared]
    if len(kept) == len(lines):
        return 0
    removed = [Removal(origin, f"corpus boilerplate (in {shared[line]} of {documents} documents)", line)
               for line, origin in zip(lines, origins) if line in shared]
    result.removed = sorted(result.removed + removed, key=lambda r: r.line)
    result.text = "\n".join(line for line, _ in kept)
    result.origins = [origin for _, origin in kept]
    return len(removed)

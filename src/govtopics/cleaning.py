"""Cleaning: one canonical character form, and web-page debris removed with an audit trail.

Reports scraped from government portals carry the page around them: publication dates,
font-size and share widgets, QR-code instructions, page counters. Those lines are removed
by named rules that only ever match a *whole short line*, so body text is never touched.
Every removed line is kept in the audit (:class:`Removal`). A page saved whole (HTML in a
``.txt`` file) is first reduced to its text: tags go, and so do scripts, styles and the page
head, whose text is kept in the audit under the rule ``"html markup"``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser

__all__ = ["Removal", "CleanResult", "normalize_text", "clean_text", "to_simplified", "is_traditional", "looks_like_html", "strip_html"]

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


# (rule name, pattern matched against a whole stripped line)
DEBRIS_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in [
        ("publication date", r"(发布|发文|成文|更新)?(日期|时间)\s*:\s*\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}日?(\s*\d{1,2}:\d{2}(:\d{2})?)?\s*"),
        ("page metadata", r"(来源|信息来源|作者|责任编辑|编辑|发布机构|索引号|文号|浏览次数|访问量|点击数|阅读数|阅读量|浏览量)\s*:.{0,40}"),
        ("font size widget", r"[\[(]?\s*(字号|字体)\s*[\])]?\s*:?\s*([\[(]?\s*[大中小]\s*[\])]?\s*)*"),
        ("share widget", r"(分享(到)?|分享至)\s*:?\s*((微信|微博|QQ|QQ空间|朋友圈|新浪微博|腾讯微博)\s*)*"),
        ("print widget", r"[\[(]?\s*(打印(本页)?|关闭(窗口|本页)?|返回顶部|收藏|保存)\s*[\])]?\s*:?\s*"),
        ("scan to open", r"扫一扫在手机(上)?打开当前页"),
        ("wechat share", r"微信扫一扫\s*:?\s*(分享)?|微信里点[\"'“”]?发现[\"'“”]?\s*,?\s*扫一下|二维码便可将本文分享至朋友圈\s*。?|用微信扫描二维码.{0,20}"),
        ("page header date", r"今天是\s*:?\s*\d{4}年\d{1,2}月\d{1,2}日.{0,20}"),
        ("breadcrumb", r"(当前位置|您现在的位置|您的位置)\s*:.{0,50}"),
        ("page counter", r"(第\s*\d+\s*页\s*(/|,)?\s*(共\s*\d+\s*页)?|共\s*\d+\s*页|-\s*\d+\s*-|\d+\s*/\s*\d+|上一页|下一页)"),
        ("number-only line", r"[\d\s.\-/]+"),
    ]
)


@dataclass(frozen=True)
class Removal:
    """One line removed by cleaning: its 1-based line number in the decoded text, the rule, the text."""

    line: int
    rule: str
    text: str


@dataclass
class CleanResult:
    """Cleaned text and the audit of what cleaning took away."""

    text: str
    removed: list[Removal] = field(default_factory=list)
    chars_before: int = 0
    traditional: bool = False
    # The text of a saved page's <title> (also in the "html markup" removal of its head), for metadata.
    page_title: str | None = None

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


def debris_rule(line: str) -> str | None:
    """Name of the debris rule that matches the whole of ``line``, or None for body text.

    >>> debris_rule("扫一扫在手机打开当前页"), debris_rule("一是全面压实领导责任。")
    ('scan to open', None)
    """
    stripped = line.strip()
    if not stripped or len(stripped) > MAX_DEBRIS_LINE:
        return None
    for name, pattern in DEBRIS_RULES:
        if pattern.fullmatch(stripped):
            return name
    return None


# A few hundred characters that exist only in traditional script; enough to tell a mirror-site copy.
_TRADITIONAL_ONLY = set(
    "這個們為發與區縣鎮鄉關於報設務執貫徹導體機構開會議經濟營環規範決權責監督審查調解紛糾諮詢說訴訟複覆辦處罰許證"
    "實際當嚴將進學習對應歲時間從來過還後動員黨員幹團結義廣東華國號萬億條項級層總標準態網絡據組織劃統籌協調"
    "選舉優質專業傳統現代農業產業資源財務會計檢驗驗收應該"
)


def is_traditional(text: str, threshold: float = 0.02) -> bool:
    """True when traditional-only characters make up more than ``threshold`` of the CJK characters.

    >>> is_traditional("關於2020年法治政府建設情況的報告"), is_traditional("关于2020年法治政府建设情况的报告")
    (True, False)
    """
    cjk = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if not cjk:
        return False
    return sum(c in _TRADITIONAL_ONLY for c in cjk) / len(cjk) > threshold


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
_HTML_START = re.compile(r"^\s*(<!doctype\s+html|<html[\s>])", re.IGNORECASE | re.MULTILINE)
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


def clean_text(text: str, *, simplify: bool = True) -> CleanResult:
    """Normalize ``text``, strip a web page to its text, simplify a traditional-script copy, drop debris lines.

    Blank lines are dropped; every other removed line is recorded with its rule and its line
    number in ``text``.

    >>> r = clean_text("日期:2024-02-26\\n\\n字号:\\n关于2023年法治政府建设情况的报告\\n扫一扫在手机打开当前页")
    >>> r.text, [x.rule for x in r.removed]
    ('关于2023年法治政府建设情况的报告', ['publication date', 'font size widget', 'scan to open'])
    """
    lines = _normalized_lines(text)
    page = "\n".join(lines)
    title = None
    if looks_like_html(page):
        numbered, markup, title = _strip_html(page)
    else:
        numbered, markup = list(enumerate(lines, start=1)), []
    kept, removed = _drop_debris(numbered)
    # Decide on the kept text only, so a second pass makes the same decision (idempotence).
    traditional = simplify and is_traditional("\n".join(line for _, line in kept))
    if traditional:
        kept, removed_after = _drop_debris([(number, to_simplified(line)) for number, line in kept])
        removed += removed_after
    removed = sorted(markup + removed, key=lambda r: r.line)
    if title and traditional:
        title = to_simplified(title)
    return CleanResult("\n".join(line for _, line in kept), removed, chars_before=len(text), traditional=traditional,
                       page_title=title)


def _drop_debris(lines: list[tuple[int, str]]) -> tuple[list[tuple[int, str]], list[Removal]]:
    """Split numbered lines into kept body lines and removed debris; blank lines go silently."""
    kept: list[tuple[int, str]] = []
    removed: list[Removal] = []
    for number, line in lines:
        if not line:
            continue
        rule = debris_rule(line)
        if rule is None:
            kept.append((number, line))
        else:
            removed.append(Removal(number, rule, line))
    return kept, removed

"""Structure: the heading hierarchy of a report, its canonical parts, and analysis units.

Parts are read from the outline each genre is written to, not from any one corpus:

- **rule_of_law** (法治政府建设情况报告): the template of the 2019 central regulation
  (《法治政府建设与责任落实督察工作规定》, art. 25): the year's measures and results
  (``achievements``), shortcomings and their causes (``problems``), the principal leaders'
  first-responsibility duties (``duties``), next year's arrangements (``plans``), other matters.
  Units word and order it freely, so each top-level section is labelled by what its heading
  says. Top-level headings that name themes instead (依法全面履行政府职能, 强化对行政权力的
  制约和监督, ... the tasks of the 实施纲要) report the year's work: ``achievements``.
- **government_work** (政府工作报告): the outline every people's government follows: the review of
  the past year or five years (工作回顾, 一年来, ...: ``achievements``), closed by the difficulties
  (我们也清醒看到... 困难和问题: ``problems``), then the year's general requirements, targets and
  tasks (总体要求, 主要预期目标, 重点工作, 工作安排: ``plans``), with the thematic task sections and
  the government's self-building after them (``plans`` too). A review section's heading may be
  numbered (一、2025年工作回顾) or not (“十四五”时期工作回顾).

Old State Council reports (1950s-1980s) are organised by theme (一、关于社会主义革命 二、关于社会
主义建设 ...), each section mixing what was done and what is to be done. A themed section is
``plans`` once a review section has come before it (the outline: everything after the review is
forward-looking) and ``other`` when nothing marks the report's time frame. A glossary appended
to the report (注释, 名词解释, 附注) is ``other``.

A section that holds two parts ("存在的问题及下一步工作打算", "1998年工作回顾和1999年工作的总体
要求") is split where the second starts; so is a review whose last paragraphs report the
difficulties. The halves keep the title; the later ones are marked ``continued``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

__all__ = ["GENRES", "PARTS", "Section", "Unit", "cn_number", "detect_genre", "heading", "header_length", "label_part",
           "looks_like_heading", "looks_like_signature", "parse_structure", "split_units"]

PARTS = ("achievements", "duties", "problems", "plans", "other")
# rule_of_law: the annual 法治政府建设情况报告 (and 依法行政 reports); government_work: a 政府工作报告 delivered to a
# people's congress; other: anything else.
GENRES = ("rule_of_law", "government_work", "other")

_CN_NUM = "一二三四五六七八九十"
_HEADINGS = (
    (1, re.compile(rf"^[{_CN_NUM}]{{1,3}}\s*[、.]\s*")),
    (2, re.compile(rf"^\(\s*[{_CN_NUM}]{{1,3}}\s*\)\s*")),
    (3, re.compile(r"^\d{1,2}\s*[、.](?!\d)\s*")),
    (4, re.compile(r"^\(\s*\d{1,2}\s*\)\s*")),
)
# A line holding only a numeral (一, 二 ...) marks a section in old typesetting.
_BARE_NUMERAL = re.compile(rf"[{_CN_NUM}]{{1,3}}")
MAX_TITLE = 60
# An unnumbered heading (“十四五”时期工作回顾) is short, stands alone and ends no sentence.
MAX_UNNUMBERED = 40
_TERMINATOR = "。;!?"

_PART_RULES = (
    ("other", re.compile(r"其他|其它")),
    ("duties", re.compile(r"第一责任人|主要负责人|负责人履行|履职情况|履行.{0,6}职责")),
    ("problems", re.compile(r"不足|问题|短板|差距|困难|薄弱|有待|不够|欠缺")),
    ("plans", re.compile(r"下一步|下一年|下步|明年|来年|今后|思路|打算|安排|计划|目标|展望")),
    ("achievements", re.compile(r"举措|成效|成绩|开展情况|工作情况|主要做法|做法|进展|完成情况|主要工作|落实情况|基本情况")),
)
# Section names of a 政府工作报告, in the order of its outline.
_GLOSSARY = re.compile(r"(?:附\s*:?\s*|附件\s*\d{0,2}\s*:?\s*)?(?:《[^》]{1,20}》)?(?:有关内容|相关)?"
                       r"(?:名词解释|名词注释|名词解读|术语解释|注释|附注|注解)\s*:?")
_ANNEX = re.compile(r"附件\s*\d{0,2}\s*[:.、]?\s*([^。;!?]{0,40})")
_GWR_REVIEW = re.compile(r"回顾|成就|成绩|成效|进展|执行情况|完成情况|总结|过去(?:的)?[一二三四五六七八九十两几]年|[一二三四五六七八九十两几]年来")
_GWR_PROBLEMS = re.compile(r"困难和问题|问题和困难|存在的问题|主要问题|不足|问题和挑战|挑战和问题|矛盾和问题|风险挑战")
_GWR_PLANS = re.compile(r"任务|目标|要求|部署|安排|建议|打算|今年|明年|今后|展望|方针|重点工作|主要考虑|政策取向|措施|"
                        r"自身建设|政府建设|计划(?:草案|的安排|安排)")
_PLAN_INTRO = re.compile(
    rf"(?:^|(?<=[{_TERMINATOR}:]))[^{_TERMINATOR}:]{{0,30}}?"
    rf"(?:下一步|下一年|明年|今后|来年|(?:19|20)\d{{2}}年度?)[^{_TERMINATOR}:]{{0,20}}?(?:将|要|计划|打算)"
)
# The opening clause of the paragraph that turns from results to difficulties.
_PROBLEMS_OPENING = re.compile(
    r"^.{0,30}?(?:清醒(?:地)?(?:看到|认识到)|(?:存在|面临|还有)(?:的)?(?:一些|不少|诸多|许多)?(?:突出)?(?:困难|问题|不足|短板|差距|挑战)"
    r"|(?:困难|问题|矛盾|短板|不足)(?:和|与|、)(?:挑战|不足|问题|困难|差距|短板)|问题也不容忽视|不足之处|差距和不足"
    r"|(?:看到|肯定|总结)(?:成绩|成就)(?:和经验)?的同时|老问题、新挑战)"
)
# The opening clause of the paragraph that turns to the coming year.
_PLANS_OPENING = re.compile(r"^.{0,40}?(?:今年|明年|新的一年|今后|下一步|未来(?:五|几)年)|^.{0,12}?(?:19|20)\d{2}年[^。]{0,20}?(?:将|要)")
# The speaker's opening lines: 现在,我代表国务院,向大会报告政府工作,请予审议.
_ADDRESS_LINE = re.compile(r"^各位代表|我代表.{0,30}(?:报告|作)|请予审议|提出意见")
# The opening of the review in a report whose review has no heading.
_REVIEW_OPENING = re.compile(r"^(?:首先|下面)?(?:报告|回顾)|^(?:刚刚)?过去(?:的)?[一五这]年|^[一五三几]年来")
# Enumerations inside a section: 一是, (一), 1.
_ENUMERATION = (
    ("shi", re.compile(rf"^([{_CN_NUM}]{{1,2}})是")),
    ("paren", re.compile(rf"^\(\s*([{_CN_NUM}]{{1,3}})\s*\)")),
    ("arabic", re.compile(r"^(\d{1,2})\s*[、.](?!\d)")),
)
_INLINE_SHI = re.compile(rf"(?:^|(?<=[{_TERMINATOR}:,]))\s*([{_CN_NUM}]{{1,2}})是")
_ENUM_START = re.compile(rf"^(?:[{_CN_NUM}]{{1,2}}是|\d{{1,2}}\s*[、.](?!\d))")
_ENUM_SPLIT = re.compile(rf"(?:(?<=[{_TERMINATOR}:])|^)\s*(?=[{_CN_NUM}]{{1,2}}是)")
_SIGNATURE = re.compile(
    r"^(?:.{0,30}(?:人民政府|政府|委员会|办事处|局|办公室)(?:\s+.{0,30}(?:人民政府|政府|委员会|办事处|局|办公室))*"
    r"|(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[\d\s.\-/年月日]+)$"
)


@dataclass
class Section:
    """A top-level section: its heading title, its report part, and its body lines.

    ``continued`` marks the second and later pieces of a section split between two parts;
    they repeat the title of the first.
    """

    title: str
    part: str
    lines: list[str] = field(default_factory=list)
    continued: bool = False

    @property
    def chars(self) -> int:
        """Characters of body text, whitespace not counted."""
        return sum(len(re.sub(r"\s", "", line)) for line in self.lines)


@dataclass
class Unit:
    """An analysis unit: a paragraph (or one enumerated point of a long one) with its place in the report."""

    index: int
    part: str
    heading_path: tuple[str, ...]
    text: str


# -- genre -------------------------------------------------------------------------------------

# A title line naming a 政府工作报告: a year or place at most before it, no verb of a sentence that cites one.
_GWR_TITLE = re.compile(r"(?m)^[^\n。,:;!?]{0,20}?政府\s*工\s*作\s*报\s*告")
_CITES = re.compile(r"落实|贯彻|按照|根据|执行|完成|提出|确定|部署|学习|法治|依法")
# The congress addressed: only a 政府工作报告 is delivered to the deputies of a people's congress.
_ADDRESS = re.compile(r"(?m)^\s*各位代表\s*[:,!]|向(?:本次|这次)?大会(?:作|报告)(?:政府)?工作|代表.{2,12}(?:人民政府|国务院|省政府|市政府|县政府),?向.{0,30}大会(?:作|报告|提出)")
_ROL_TITLE = re.compile(r"(?:法治政府建设|法治建设|依法行政|依法治[省市县区镇乡国]|法治政府)[^\n。]{0,24}?(?:报告|总结|情况)")
_ROL_WORDS = re.compile(r"法治政府|法治建设|依法行政|依法治[省市县区镇乡]")


def detect_genre(text: str, head_chars: int = 3000) -> str:
    """The report's genre (:data:`GENRES`), read from its opening.

    A 政府工作报告 names itself in a title line or addresses the congress (各位代表:); a
    rule-of-law report names its subject in its title (法治政府建设情况的报告). Whichever comes
    first decides, so a mention of the other genre further down (落实县政府工作报告...; 法治政府
    建设取得新进展) does not. Without either, a rule-of-law subject in the opening decides.
    Lines on the reading path are enough: texts without line breaks and pages with cruft above
    the title are read the same way.

    >>> detect_genre("政府工作报告\\n各位代表:现在,我代表国务院,向大会报告政府工作。")
    'government_work'
    >>> detect_genre("关于2022年法治政府建设情况的报告\\n2022年,我镇坚持依法行政。"), detect_genre("会议纪要\\n会议议定事项。")
    ('rule_of_law', 'other')
    >>> detect_genre("2023年,我县认真落实县政府工作报告部署,深入推进法治政府建设。")
    'rule_of_law'
    """
    head = text[:head_chars]
    found: list[tuple[int, str]] = []
    for match in _GWR_TITLE.finditer(head):
        if not _CITES.search(match.group()):
            found.append((match.start(), "government_work"))
            break
    if address := _ADDRESS.search(head):
        found.append((address.start(), "government_work"))
    if title := _ROL_TITLE.search(head):
        found.append((title.start(), "rule_of_law"))
    if found:
        return min(found)[1]
    return "rule_of_law" if _ROL_WORDS.search(head[:600]) else "other"


# -- headings ----------------------------------------------------------------------------------

def cn_number(numeral: str) -> int | None:
    """The value of a Chinese numeral up to 99, or of Arabic digits.

    >>> cn_number("三"), cn_number("十二"), cn_number("二十"), cn_number("12"), cn_number("是")
    (3, 12, 20, 12, None)
    """
    if numeral.isdigit():
        return int(numeral)
    if not numeral or any(c not in _CN_NUM for c in numeral):
        return None
    digits = [_CN_NUM.index(c) + 1 for c in numeral]
    if len(digits) == 1:
        return digits[0]
    if len(digits) == 2:
        return 10 + digits[1] if digits[0] == 10 else digits[0] * 10 if digits[1] == 10 else None
    return digits[0] * 10 + digits[2] if digits[1] == 10 and digits[0] < 10 and digits[2] < 10 else None


def heading(line: str) -> tuple[int, str, str] | None:
    """``(level, title, rest)`` when ``line`` opens with a heading marker, else None.

    The title runs to the first full stop; what follows on the same line is body text.

    >>> heading("(二)聚焦主责主业,依法行政能力得到新提升。一是行政效能持续优化。")
    (2, '聚焦主责主业,依法行政能力得到新提升', '一是行政效能持续优化。')
    >>> heading("一是全面压实领导责任。") is None
    True
    """
    for level, pattern in _HEADINGS:
        match = pattern.match(line)
        if not match:
            continue
        body = line[match.end():]
        stop = re.search(rf"[{_TERMINATOR}]", body)
        title, rest = (body[: stop.start()], body[stop.end():].strip()) if stop else (body, "")
        if not title or len(title) > MAX_TITLE:
            return None
        return level, title.strip(), rest
    return None


def _marker(line: str) -> tuple[int, int] | None:
    """``(level, number)`` of a heading or list marker opening ``line`` (a bare numeral line counts as level 1).

    The title may be of any length here: a long list item still counts in its list.
    """
    if _BARE_NUMERAL.fullmatch(line):
        number = cn_number(line)
        return (1, number) if number else None
    for level, pattern in _HEADINGS:
        match = pattern.match(line)
        if match:
            number = cn_number(re.sub(r"[^0-9一二三四五六七八九十]", "", match.group()))
            return (level, number) if number else None
    return None


def header_length(lines: list[str]) -> int:
    """How many lines at the top are title, unit and addressee lines rather than body.

    They are short and do not end a sentence; the first heading or sentence ends them.

    >>> header_length(["重庆市开州区大进镇人民政府", "关于2025年度法治政府建设情况的报告", "区委、区政府:", "2025年,大进镇……。"])
    3
    """
    count = 0
    for line in lines:
        head = heading(line)
        if len(line) > MAX_TITLE or line.endswith("。") or (head and head[0] == 1):
            break
        count += 1
    return count


def _title_part(title: str, genre: str) -> str | None:
    """The part a heading announces in this genre; None when it names none (a theme)."""
    if genre == "government_work":
        if _GLOSSARY.fullmatch(title):
            return "other"
        review, plans = _GWR_REVIEW.search(title), _GWR_PLANS.search(title)
        if review and plans and plans.start() > review.start():
            return "review+plans"
        if review:
            return "achievements"
        if _GWR_PROBLEMS.search(title):
            return "problems"
        return "plans" if plans else None
    hits = [part for part, pattern in _PART_RULES if pattern.search(title)]
    if not hits:
        return None
    if "problems" in hits and "plans" in hits and "duties" not in hits:
        return "mixed"
    return hits[0]


def label_part(title: str, genre: str = "rule_of_law") -> str:
    """The report part a top-level heading announces; ``"mixed"`` for problems-and-plans.

    For a 政府工作报告, ``"review+plans"`` for a review followed by the coming year's tasks.
    A heading that names no part (a theme) is ``"other"`` here; :func:`parse_structure`
    places themed sections by where they stand in the report.

    >>> label_part("2025年推进法治政府建设的主要举措和成效"), label_part("存在的问题及2025年工作安排")
    ('achievements', 'mixed')
    >>> [label_part(t, "government_work") for t in ["2025年工作回顾", "2026年重点工作", "1998年工作回顾和1999年工作的总体要求"]]
    ['achievements', 'plans', 'review+plans']
    """
    return _title_part(title, genre) or "other"


def _signature_start(lines: list[str]) -> int:
    """Index of the first signature line: unit names and dates at the end, never a heading.

    >>> _signature_start(["正文。", "三、需要提请区政府", "西仓镇人民政府", "2025年12月9日"])
    2
    """
    start = len(lines)
    while start > 0 and len(lines[start - 1]) <= 80 and _SIGNATURE.match(lines[start - 1]) and not heading(lines[start - 1]):
        start -= 1
    return start


# -- cutting the body into top-level sections --------------------------------------------------

def _top_level(lines: list[str]) -> int | None:
    """The heading level of the report's top sections: the highest whose numbering runs 1 and on (1, 2 or 1, 3 ...).

    >>> _top_level(["一、工作", "(一)学习", "(二)执法", "二、问题"]), _top_level(["(一)形势", "一、农业", "二、能源", "(二)方针"])
    (1, 1)
    """
    first: dict[int, bool] = {}
    running: set[int] = set()
    for line in lines:
        marker = _marker(line)
        if marker is None:
            continue
        level, number = marker
        if number == 1:
            first.setdefault(level, True)
        elif first.get(level):
            running.add(level)
    if running:
        return min(running)
    return min(first) if first else None


def _unnumbered_heading(line: str, genre: str, numbered: bool) -> bool:
    """A line standing as a heading without a marker (“十四五”时期工作回顾, 过去五年的回顾).

    It is short, ends no sentence or clause and holds no full stop. In a report whose
    sections are numbered it must name a part of the genre's outline; in a 政府工作报告
    without numbered sections (old reports), any such line heads a section.
    """
    if not 4 <= len(line) <= MAX_UNNUMBERED or line[-1] in "。;!?:,、" or "。" in line or heading(line):
        return False
    if line.startswith(("-", "—", "(", "[", "《", "各位代表", "同志们")) or _ENUM_START.match(line) or _SIGNATURE.match(line):
        return False
    if len(re.findall(r"[\u4e00-\u9fff]", line)) < 4:
        return False
    cue = _title_part(line, genre)
    return cue not in (None, "other") or (genre == "government_work" and not numbered)


def looks_like_heading(line: str) -> bool:
    """A heading of either genre: numbered, a bare numeral, a glossary or annex heading, or an unnumbered one naming a part.

    >>> looks_like_heading("(三)加强执法"), looks_like_heading("2025年工作回顾"), looks_like_heading("网站地图 联系我们")
    (True, True, False)
    """
    return bool(heading(line) or _BARE_NUMERAL.fullmatch(line) or _GLOSSARY.fullmatch(line) or _ANNEX.fullmatch(line)
                or any(_unnumbered_heading(line, genre, True) for genre in ("rule_of_law", "government_work")))


def looks_like_signature(line: str) -> bool:
    """A signature line: a unit's name or a date.

    >>> looks_like_signature("西仓镇人民政府"), looks_like_signature("2025年12月9日"), looks_like_signature("版权所有")
    (True, True, False)
    """
    return bool(_SIGNATURE.match(line))


@dataclass
class _Draft:
    """A section being cut: its title, the line(s) that opened it, its lines, and what kind of heading opened it."""

    title: str
    head: str | None
    lines: list[str] = field(default_factory=list)
    annex: bool = False
    unnumbered: bool = False


def _pure_heading(line: str) -> bool:
    """A heading line holding only its title (一、总任务), as in a table of contents."""
    head = heading(line)
    return bool(_BARE_NUMERAL.fullmatch(line)) or (head is not None and not head[2])


def _is_contents(drafts: list[_Draft]) -> bool:
    """The top sections cut so far are a table of contents: two or more titles with nothing but titles under them."""
    entries = drafts[1:]
    return len(entries) >= 3 and all(d.head and _pure_heading(d.head) for d in entries) and all(
        _pure_heading(x) for d in entries[:-1] for x in d.lines)


def _cut(body: list[str], genre: str) -> list[_Draft]:
    """Cut body lines into top-level sections.

    Top-level headings are those of the top level (:func:`_top_level`) numbered upwards. A
    numbering that starts again (一、 after 三、, or right under an unnumbered heading) is a
    list nested in the section, and its items go on (四、 after its 三、) until a number
    continues the top sequence instead; where both could, a title-only line after items that
    carry text is a top heading. A run of titles with nothing under them at the start (a table
    of contents) goes to the preamble. A glossary or annex heading opens a section, and after
    it only another one does.
    """
    top = _top_level(body)
    drafts = [_Draft("preamble", None)]
    last = 0
    nested: int | None = None  # the number of the last item of a list nested in the current section
    nested_rest = False  # the nested list's items carry text after their titles
    in_annex = False
    i = 0
    while i < len(body):
        line = body[i]
        i += 1
        if _GLOSSARY.fullmatch(line) and len(line) <= 30 or _ANNEX.fullmatch(line) and len(line) <= 50:
            title, head = line, line
            annex_title = _ANNEX.fullmatch(line)
            if annex_title and not annex_title.group(1) and i < len(body) and len(body[i]) <= MAX_UNNUMBERED and body[i][-1] not in "。;!?:":
                title, head, i = f"{line} {body[i]}", f"{line}\n{body[i]}", i + 1
            drafts.append(_Draft(title, head, annex=True))
            in_annex, nested = True, None
            continue
        marker = None if in_annex else _marker(line)
        if marker is not None and marker[0] == top:
            number = marker[1]
            head = heading(line)
            has_rest = bool(head and head[2])
            if number == 1 and last and _is_contents(drafts):
                for draft in drafts[1:]:
                    drafts[0].lines += [draft.head or draft.title, *draft.lines]
                del drafts[1:]
                last, nested = 0, None
            if nested is not None and number == nested + 1 and not (number == last + 1 and not has_rest and nested_rest):
                nested = number
            elif number == 1 and (last or drafts[-1].unnumbered):
                nested, nested_rest = 1, has_rest
            elif number > last and (head is not None or _BARE_NUMERAL.fullmatch(line)):
                last, nested = number, None
                title, rest = (head[1], head[2]) if head else (line, "")
                drafts.append(_Draft(title, line, [rest] if rest else []))
                continue
        elif not in_annex and _unnumbered_heading(line, genre, top is not None):
            drafts.append(_Draft(line, line, unnumbered=True))
            nested = None
            continue
        drafts[-1].lines.append(line)
    return drafts


# -- labelling ---------------------------------------------------------------------------------

def _enumeration(line: str) -> tuple[str, int] | None:
    for kind, pattern in _ENUMERATION:
        match = pattern.match(line)
        if match and (number := cn_number(match.group(1))):
            return kind, number
    return None


def _plan_start(lines: list[str], fallback: bool = True) -> tuple[int, int] | None:
    """Where the plans start in a problems-and-plans section: ``(line, offset in the line)``.

    In order of the lines: a sub-heading naming plans (下一步打算); a sentence announcing the
    coming year (2025年,我镇将...); an enumeration starting again at 一是/(一)/1. after its
    second item (the problems' list is over). With ``fallback`` (the section's title names both
    parts), a sub-heading or the first item of a list after problems written as running text
    (no heading and no list of their own).
    """
    highest: dict[str, int] = {}
    problems_heading = False
    for i, line in enumerate(lines):
        head = heading(line)
        title = head[1] if head else line if _unnumbered_heading(line, "rule_of_law", True) else None
        if title is not None:
            part = _title_part(title, "rule_of_law")
            if part == "plans" and i > 0:
                return i, 0
            if part in ("problems", "mixed"):
                problems_heading = True
                continue
        intro = _PLAN_INTRO.search(line)
        if intro:
            return i, intro.start()
        enum = _enumeration(line)
        if enum and enum[1] == 1 and highest.get(enum[0], 0) >= 2:
            return i, 0
        if fallback and i > 0 and not problems_heading and not highest and (head is not None or enum and enum[1] == 1):
            return i, 0
        if enum:
            highest[enum[0]] = max(highest.get(enum[0], 0), enum[1])
        for match in _INLINE_SHI.finditer(line):
            if number := cn_number(match.group(1)):
                highest["shi"] = max(highest.get("shi", 0), number)
    return None


def _split_at(lines: list[str], where: tuple[int, int] | None) -> tuple[list[str], list[str]]:
    if where is None:
        return lines, []
    i, offset = where
    before, after = lines[i][:offset].strip(), lines[i][offset:].strip()
    return lines[:i] + ([before] if before else []), [after] + lines[i + 1:]


def _problems_start(lines: list[str]) -> int | None:
    """The paragraph that turns from results to difficulties, in the second half of a review."""
    for i in range(max(1, len(lines) // 2), len(lines)):
        if _PROBLEMS_OPENING.search(lines[i]):
            return i
    return None


def _plans_opening(lines: list[str]) -> int | None:
    return next((i for i, line in enumerate(lines) if i > 0 and _PLANS_OPENING.search(line)), None)


def _review_split(section: Section) -> list[Section]:
    """A review section of a 政府工作报告 cut where the difficulties start, and again where the plans do."""
    start = _problems_start(section.lines)
    if start is None:
        return [section]
    pieces = [Section(section.title, "achievements", section.lines[:start], section.continued)]
    problems = section.lines[start:]
    plans_at = _plans_opening(problems)
    if plans_at is None:
        return pieces + [Section(section.title, "problems", problems, True)]
    return pieces + [Section(section.title, "problems", problems[:plans_at], True),
                     Section(section.title, "plans", problems[plans_at:], True)]


_TIME_ANCHOR = re.compile(r"“[^”]{2,8}”(?:时期|期间)?|(?:19|20)\d{2}年|[一二三四五六七八九〇零]{4}年|今年|明年|今后|新时期|下一步")


def _time_anchor(text: str) -> str | None:
    match = _TIME_ANCHOR.search(text)
    return match.group() if match else None


def _review_plans_split(section: Section) -> list[Section]:
    """A heading naming a review and the tasks after it: cut where a paragraph opens on the tasks' time frame."""
    plans = _GWR_PLANS.search(section.title)
    anchor = _time_anchor(section.title[_GWR_REVIEW.search(section.title).end():]) if plans else None
    start = None
    if anchor:
        anchors = (anchor, "今年") if anchor.endswith("年") and anchor[0].isdigit() else (anchor,)
        start = next((i for i, line in enumerate(section.lines) if i > 0 and any(a in line[:60].split("。")[0] for a in anchors)), None)
    if start is None:
        start = _plans_opening(section.lines[len(section.lines) // 2:])
        start = None if start is None else start + len(section.lines) // 2
    review = Section(section.title, "achievements", section.lines[:start] if start else section.lines, section.continued)
    pieces = _review_split(review)
    if start:
        pieces.append(Section(section.title, "plans", section.lines[start:], True))
    return pieces


def _label_government_work(drafts: list[_Draft]) -> list[Section]:
    parts = [None if i == 0 else _title_part(d.title, "government_work") for i, d in enumerate(drafts)]
    sections: list[Section] = []
    preamble = Section("preamble", "other", drafts[0].lines)
    outline_started = False  # a review or plans section has come: themed sections after it are tasks
    if not any(p in ("achievements", "review+plans") for p in parts):
        start = next((i for i, line in enumerate(preamble.lines[:4]) if _REVIEW_OPENING.search(line)), None)
        if start is None and _problems_start(preamble.lines) is not None:
            # No opening formula, but the turn to the difficulties: what comes before it, after the address, is the review.
            start = next((i for i, line in enumerate(preamble.lines) if not _ADDRESS_LINE.search(line)), None)
        if start is not None and len(preamble.lines) - start >= 3:
            sections.append(Section("preamble", "other", preamble.lines[:start]))
            sections += _review_split(Section("preamble", "achievements", preamble.lines[start:], True))
            outline_started = True
        else:
            sections.append(preamble)
    else:
        sections.append(preamble)
    for draft, part in zip(drafts[1:], parts[1:]):
        if part is None:
            part = "plans" if outline_started else "other"
        if part != "other":
            outline_started = True
        section = Section(draft.title, part, draft.lines)
        if part == "achievements":
            sections += _review_split(section)
        elif part == "review+plans":
            sections += _review_plans_split(section)
        else:
            sections.append(section)
    return sections


def _label_rule_of_law(drafts: list[_Draft], genre: str) -> list[Section]:
    sections = [Section("preamble", "other", drafts[0].lines)]
    before_results_end = True  # no problems, duties or plans section yet: themed sections report results
    last = "other"
    for draft in drafts[1:]:
        part = _title_part(draft.title, genre)
        if part is None:
            part = "other" if draft.annex else "achievements" if before_results_end else "plans" if last == "plans" else "other"
        if part in ("problems", "mixed", "duties", "plans"):
            before_results_end = False
        last = part
        if part == "mixed":
            problems, plans = _split_at(draft.lines, _plan_start(draft.lines))
            sections.append(Section(draft.title, "problems", problems))
            if plans:
                sections.append(Section(draft.title, "plans", plans, True))
        else:
            sections.append(Section(draft.title, part, draft.lines))
    parts = {s.part for s in sections}
    if "problems" not in parts:
        last_results = next((i for i in range(len(sections) - 1, 0, -1) if sections[i].part == "achievements"), None)
        if last_results is not None:
            sections[last_results:last_results + 1] = _review_split(sections[last_results])
    parts = {s.part for s in sections}
    if "plans" not in parts:
        last_problems = next((i for i in range(len(sections) - 1, 0, -1) if sections[i].part == "problems"), None)
        if last_problems is not None:
            section = sections[last_problems]
            problems, plans = _split_at(section.lines, _plan_start(section.lines, fallback=False))
            if plans:
                sections[last_problems:last_problems + 1] = [
                    Section(section.title, "problems", problems, section.continued), Section(section.title, "plans", plans, True)]
    return sections


def parse_structure(text: str, genre: str | None = None) -> list[Section]:
    """Cut a cleaned report into top-level sections labelled with :data:`PARTS`.

    The preamble (after the title lines, see :func:`header_length`) and the signature are
    ``other`` sections titled ``"preamble"`` and ``"signature"``. The genre (``None``: read it
    with :func:`detect_genre`) decides how headings are read; see the module's description.

    >>> [(s.title, s.part) for s in parse_structure("前言很长。\\n一、主要举措和成效\\n正文。\\n二、存在的问题及下一步打算\\n问题。明年将努力。")]
    [('preamble', 'other'), ('主要举措和成效', 'achievements'), ('存在的问题及下一步打算', 'problems'), ('存在的问题及下一步打算', 'plans')]
    >>> gwr = "各位代表:\\n现在,我代表市政府报告工作。\\n一、2025年工作回顾\\n过去一年,经济增长5%。\\n我们也清醒看到,困难不少。\\n二、2026年重点工作\\n稳增长。"
    >>> [(s.title, s.part) for s in parse_structure(gwr)][1:]
    [('2025年工作回顾', 'achievements'), ('2025年工作回顾', 'problems'), ('2026年重点工作', 'plans')]
    """
    lines = [line for line in text.split("\n") if line.strip()]
    genre = genre or detect_genre(text)
    lines = lines[header_length(lines):]
    end = _signature_start(lines)
    body, signature = lines[:end], lines[end:]
    drafts = _cut(body, genre)
    if genre == "government_work":
        sections = _label_government_work(drafts)
    else:
        sections = _label_rule_of_law(drafts, genre)
    result = [s for i, s in enumerate(sections) if s.lines or s.title != "preamble" or s.continued]
    result = [s for s in result if s.lines or not s.continued]
    if signature:
        result.append(Section("signature", "other", signature))
    return result


# -- units -------------------------------------------------------------------------------------

def _pieces(text: str, pattern: str) -> list[str]:
    """``text`` cut after each match of the stop ``pattern`` (closing quotes stay with the stop)."""
    return [piece for piece in re.findall(rf".*?(?:{pattern})[”’\"'」』)]*|.+$", text, flags=re.S) if piece]


def _pack(atoms: list[str], max_chars: int) -> list[str]:
    """Consecutive atoms joined into chunks of at most ``max_chars``, of about even size.

    A chunk is closed before an atom that would overflow it, or whose larger half would
    fall beyond the even share of the text.
    """
    total = sum(map(len, atoms))
    target = total / max(1, math.ceil(total / max_chars))
    chunks: list[str] = []
    current = ""
    for atom in atoms:
        if current and (len(current) + len(atom) > max_chars or len(current) + len(atom) / 2 > target):
            chunks.append(current)
            current = ""
        current += atom
    if current:
        chunks.append(current)
    return chunks


def _bounded(text: str, max_chars: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``max_chars``: at sentence ends, then at clauses, then anywhere."""
    if len(text) <= max_chars:
        return [text]
    atoms: list[str] = []
    for sentence in _pieces(text, r"[。!?;]+"):
        if len(sentence) <= max_chars:
            atoms.append(sentence)
            continue
        for clause in _pieces(sentence, r"[,:、]+"):
            size = math.ceil(len(clause) / math.ceil(len(clause) / max_chars))  # even pieces
            atoms += [clause[i:i + size] for i in range(0, len(clause), size)]
    return _pack(atoms, max_chars)


def _split_enumeration(text: str, max_chars: int, min_chars: int = 40) -> list[str]:
    """Split a paragraph longer than ``max_chars`` before each 一是/二是…; short pieces join their neighbour.

    A piece still longer than ``max_chars`` is cut at sentence ends (then clauses), so no
    piece is longer than ``max_chars``.

    >>> [len(p) for p in _split_enumeration("一是学习宪法。" * 30 + "二是普法宣传。" * 10, 100)]
    [98, 98, 84]
    """
    if len(text) <= max_chars:
        return [text]
    cuts = [m.start() for m in _ENUM_SPLIT.finditer(text) if m.start() > 0]
    pieces = [text[a:b].strip() for a, b in zip([0, *cuts], [*cuts, len(text)])]
    merged: list[str] = []
    for piece in pieces:
        if merged and (len(merged[-1]) < min_chars or len(piece) < min_chars) and len(merged[-1]) + len(piece) <= max_chars:
            merged[-1] += piece
        else:
            merged.append(piece)
    return [chunk for piece in merged if piece for chunk in _bounded(piece, max_chars)]


def _joins_next(line: str) -> bool:
    """A heading line without body text, which is joined to the paragraph after it."""
    head = heading(line)
    if head is not None:
        return not head[2]
    return 4 <= len(line) <= MAX_UNNUMBERED and line[-1] not in "。;!?:,、" and "。" not in line and not _SIGNATURE.match(line)


def split_units(sections: list[Section], max_chars: int = 300) -> list[Unit]:
    """Analysis units of the sections: one per paragraph, long paragraphs split, none longer than ``max_chars``.

    A long paragraph is cut before its enumerations (一是, 二是, ...), then at sentence ends,
    then at clauses. A sub-heading line without body text is joined to the paragraph that
    follows it, so its words are not lost; the pair is cut like a paragraph if it is too long.
    Signature lines are not units.

    >>> [u.text for u in split_units(parse_structure("一、主要举措和成效\\n(一)加强学习\\n一是学习宪法。"))]
    ['(一)加强学习\\n一是学习宪法。']
    >>> [len(u.text) for u in split_units([Section("preamble", "other", ["依法行政,推进法治建设。" * 40])], 300)]
    [240, 240]
    """
    units: list[Unit] = []
    for section in sections:
        if section.title == "signature":
            continue
        path: list[str] = [section.title]
        pending = ""
        for line in section.lines:
            head = heading(line)
            if head:
                level, title, _ = head
                path = path[: max(level - 1, 1)] + [title]
            if _joins_next(line):
                pending = f"{pending}{line}\n"
                continue
            for piece in _split_enumeration(pending + line, max_chars):
                units.append(Unit(len(units), section.part, tuple(path), piece))
            pending = ""
        for piece in _bounded(pending.rstrip("\n"), max_chars) if pending else []:
            units.append(Unit(len(units), section.part, tuple(path), piece))
    return units

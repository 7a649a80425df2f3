"""Structure: the heading hierarchy of a report, its canonical parts, and analysis units.

Annual rule-of-law reports follow the template of the 2019 central regulation
(《法治政府建设与责任落实督察工作规定》): achievements, shortcomings and their causes, the
leaders' first-responsibility duties, next year's plans, other matters. Units word and order
it freely, so each top-level section (一、…) is labelled by what its heading says. A section
that holds both problems and plans ("存在的问题及下一步工作打算") is split where the plan starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["GENRES", "PARTS", "Section", "Unit", "detect_genre", "heading", "header_length", "label_part", "parse_structure",
           "split_units"]

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
MAX_TITLE = 60
_TERMINATOR = "。;!?"

_PART_RULES = (
    ("other", re.compile(r"其他|其它")),
    ("duties", re.compile(r"第一责任人|主要负责人|负责人履行|履职情况|履行.{0,6}职责")),
    ("problems", re.compile(r"不足|问题|短板|差距|困难|薄弱")),
    ("plans", re.compile(r"下一步|下一年|下步|明年|来年|今后|思路|打算|安排|计划|目标|展望")),
    ("achievements", re.compile(r"举措|成效|成绩|开展情况|工作情况|主要做法|做法|进展|完成情况|主要工作|落实情况|基本情况")),
)
_PLAN_INTRO = re.compile(
    rf"(?:^|(?<=[{_TERMINATOR}:]))[^{_TERMINATOR}:]{{0,30}}?"
    rf"(?:下一步|下一年|明年|今后|来年|(?:19|20)\d{{2}}年度?)[^{_TERMINATOR}:]{{0,20}}?(?:将|要|计划|打算)"
)
_ENUM_START = re.compile(rf"^(?:[{_CN_NUM}]{{1,2}}是|\d{{1,2}}\s*[、.](?!\d))")
_ENUM_SPLIT = re.compile(rf"(?:(?<=[{_TERMINATOR}:])|^)\s*(?=[{_CN_NUM}]{{1,2}}是)")
_SIGNATURE = re.compile(
    r"^(?:.{0,30}(?:人民政府|政府|委员会|办事处|局|办公室)(?:\s+.{0,30}(?:人民政府|政府|委员会|办事处|局|办公室))*"
    r"|(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[\d\s.\-/年月日]+)$"
)


@dataclass
class Section:
    """A top-level section: its heading title, its report part, and its body lines."""

    title: str
    part: str
    lines: list[str] = field(default_factory=list)

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


_GOVERNMENT_WORK = re.compile(r"政府工作报告|各位代表\s*[:,]|向大会(?:作|报告)政府工作")
_RULE_OF_LAW = re.compile(r"法治政府|法治建设|依法行政|依法治[省市县区镇乡]")


def detect_genre(text: str, head_chars: int = 600) -> str:
    """The report's genre (:data:`GENRES`), read from its opening: title lines and the first sentences.

    A 政府工作报告 names itself or addresses the congress (各位代表:); a rule-of-law report names its subject.

    >>> detect_genre("政府工作报告\\n各位代表:现在,我代表国务院,向大会报告政府工作。")
    'government_work'
    >>> detect_genre("关于2022年法治政府建设情况的报告\\n2022年,我镇坚持依法行政。"), detect_genre("会议纪要\\n会议议定事项。")
    ('rule_of_law', 'other')
    """
    head = text[:head_chars]
    if _GOVERNMENT_WORK.search(head):
        return "government_work"
    if _RULE_OF_LAW.search(head):
        return "rule_of_law"
    return "other"


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


def label_part(title: str) -> str:
    """The report part a top-level heading announces; ``"mixed"`` for problems-and-plans.

    >>> label_part("2025年推进法治政府建设的主要举措和成效"), label_part("存在的问题及2025年工作安排")
    ('achievements', 'mixed')
    """
    hits = [part for part, pattern in _PART_RULES if pattern.search(title)]
    if not hits:
        return "other"
    if "problems" in hits and "plans" in hits and "duties" not in hits:
        return "mixed"
    return hits[0]


def _split_mixed(lines: list[str]) -> tuple[list[str], list[str]]:
    """Split a problems-and-plans section where the plan starts."""
    for i, line in enumerate(lines):
        head = heading(line)
        if i > 0 and (head is not None and head[0] >= 2 or _ENUM_START.match(line)):
            return lines[:i], lines[i:]
        intro = _PLAN_INTRO.search(line)
        if intro:
            start = intro.start()
            before, after = line[:start].strip(), line[start:].strip()
            return lines[:i] + ([before] if before else []), [after] + lines[i + 1:]
    return lines, []


def _signature_start(lines: list[str]) -> int:
    """Index of the first signature line: unit names and dates at the end, never a heading.

    >>> _signature_start(["正文。", "三、需要提请区政府", "西仓镇人民政府", "2025年12月9日"])
    2
    """
    start = len(lines)
    while start > 0 and len(lines[start - 1]) <= 80 and _SIGNATURE.match(lines[start - 1]) and not heading(lines[start - 1]):
        start -= 1
    return start


def parse_structure(text: str) -> list[Section]:
    """Cut a cleaned report into top-level sections labelled with :data:`PARTS`.

    The preamble (after the title lines, see :func:`header_length`) and the signature are
    ``other`` sections titled ``"preamble"`` and ``"signature"``.

    >>> [(s.title, s.part) for s in parse_structure("前言很长。\\n一、主要举措和成效\\n正文。\\n二、存在的问题及下一步打算\\n问题。明年将努力。")]
    [('preamble', 'other'), ('主要举措和成效', 'achievements'), ('存在的问题及下一步打算', 'problems'), ('存在的问题及下一步打算', 'plans')]
    """
    lines = [line for line in text.split("\n") if line.strip()]
    lines = lines[header_length(lines):]
    end = _signature_start(lines)
    body, signature = lines[:end], lines[end:]
    sections = [Section("preamble", "other")]
    for line in body:
        head = heading(line)
        if head and head[0] == 1:
            title = head[1]
            sections.append(Section(title, label_part(title), [head[2]] if head[2] else []))
        else:
            sections[-1].lines.append(line)
    result: list[Section] = []
    for section in sections:
        if section.part == "mixed":
            problems, plans = _split_mixed(section.lines)
            result.append(Section(section.title, "problems", problems))
            if plans:
                result.append(Section(section.title, "plans", plans))
        elif section.lines or section.title != "preamble":
            result.append(section)
    if signature:
        result.append(Section("signature", "other", signature))
    return result


def _split_enumeration(text: str, max_chars: int, min_chars: int = 40) -> list[str]:
    """Split a paragraph longer than ``max_chars`` before each 一是/二是…; short pieces join their neighbour."""
    if len(text) <= max_chars:
        return [text]
    cuts = [m.start() for m in _ENUM_SPLIT.finditer(text) if m.start() > 0]
    pieces = [text[a:b].strip() for a, b in zip([0, *cuts], [*cuts, len(text)])]
    merged: list[str] = []
    for piece in pieces:
        if merged and (len(merged[-1]) < min_chars or len(piece) < min_chars):
            merged[-1] += piece
        else:
            merged.append(piece)
    return [piece for piece in merged if piece]


def split_units(sections: list[Section], max_chars: int = 300) -> list[Unit]:
    """Analysis units of the sections: one per paragraph, long paragraphs split at enumerations.

    A sub-heading line without body text is joined to the paragraph that follows it, so
    its words are not lost. Signature lines are not units.

    >>> [u.text for u in split_units(parse_structure("一、主要举措和成效\\n(一)加强学习\\n一是学习宪法。"))]
    ['(一)加强学习\\n一是学习宪法。']
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
                level, title, rest = head
                path = path[: max(level - 1, 1)] + [title]
                if not rest:
                    pending = f"{pending}{line}\n"
                    continue
            for piece in _split_enumeration(line, max_chars):
                units.append(Unit(len(units), section.part, tuple(path), pending + piece))
                pending = ""
        if pending:
            units.append(Unit(len(units), section.part, tuple(path), pending.rstrip("\n")))
    return units

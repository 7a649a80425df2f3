"""Metadata of a report: the year reported on, the issuing unit, its level and its parent places.

Each field records where it came from (``sources``), so a researcher can audit the rules:
``title`` (the report's title line), ``header`` (a unit line above the body), ``opening``
(the first sentence, "2025年,西仓镇人民政府……"), ``heading`` (a section heading such as
"一、2025年推进……"), ``signature``, ``body`` (a mention such as "中共巫山县委"), or ``user``.
Publication, page-header and signature dates ("日期:2024-02-26", "2025年12月9日") are never years.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .structure import header_length, heading

__all__ = ["Metadata", "extract_metadata", "split_admin", "LEVELS", "YEAR_RANGE"]

LEVELS = ("township", "county", "city", "province", "department", "unknown")
# Years outside this range are treated as misreadings ("no year"), not as report years.
YEAR_RANGE = (1980, 2050)

_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_YEAR = re.compile(
    r"(?<![\d\-~至到—])((?:19|20)\d{2}|[〇零一二三四五六七八九]{4})\s*年(度)?"
    r"(?!\s*[\d一二三四五六七八九十]{1,2}\s*月)(?!\s*[-~至到]\s*(?:19|20)?\d{2})"
)
_RANGE = re.compile(r"(?:19|20)\d{2}\s*[-~至到]\s*(?:19|20)\d{2}")
_TITLE_WORDS = re.compile(r"报告|总结|情况|工作要点")
_ADDRESSEE = re.compile(r"[:]$")

_MASK = r"某|[xX×*]{1,3}"
ADMIN_SUFFIX = r"特别行政区|自治区|自治州|自治县|自治旗|省|市|地区|盟|州|区|县|旗|街道|镇|乡|苏木"
_ADMIN = re.compile(rf"(?:中共)?({_MASK}|[\u4e00-\u9fff]{{2,10}}?)({ADMIN_SUFFIX})")
# Words that make a "place" a phrase: 依法治县, 法治建设区 ...
_NOT_A_NAME = re.compile(r"依法|法治|治理|建设|工作|关于|报告|情况|政府|年度?$")
_GOV_SUFFIX = r"人民政府|政府|街道办事处|办事处|管理委员会|管委会"
_DEPT_SUFFIX = r"局|厅|委员会|委|办公室|办|中心"
_UNIT_LINE = re.compile(rf"^(?!中共)(.{{2,40}}?)({_GOV_SUFFIX}|{_DEPT_SUFFIX})$")
_PARENT_MENTION = re.compile(r"中共([\u4e00-\u9fff]{2,5}?[县区旗市])委|(?:[\u4e00-\u9fff]{2,4}?[省市])([\u4e00-\u9fff]{2,4}?[县区旗])")

_LEVEL_OF_SUFFIX = {
    "街道": "township", "镇": "township", "乡": "township", "苏木": "township",
    "县": "county", "区": "county", "旗": "county", "自治县": "county", "自治旗": "county",
    "市": "city", "州": "city", "自治州": "city", "地区": "city", "盟": "city",
    "省": "province", "自治区": "province", "特别行政区": "province",
}
_MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}
_RANK = {"province": 0, "city": 1, "county": 2, "township": 3}


@dataclass
class Metadata:
    """What a report says about itself. ``sources`` maps each field to where it was found."""

    year: int | None = None
    unit: str | None = None
    level: str = "unknown"
    places: list[str] = field(default_factory=list)
    unit_place: str | None = None
    genre: str = "other"
    sources: dict[str, str] = field(default_factory=dict)


def find_year(line: str) -> int | None:
    """The first reported-on year in ``line``; dates and year ranges are not years.

    >>> find_year("关于2020年度法治建设工作情况的报告"), find_year("2025年12月9日"), find_year("纲要(2021-2025年)")
    (2020, None, None)
    """
    for match in _YEAR.finditer(_RANGE.sub(" ", line)):
        year = int(match.group(1).translate(_CN_DIGITS))
        if YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            return year
    return None


def split_admin(name: str) -> tuple[list[str], str]:
    """Split an administrative name into its chain of places and the remainder.

    >>> split_admin("重庆市开州区大进镇人民政府")
    (['重庆市', '开州区', '大进镇'], '人民政府')
    >>> split_admin("XX县司法局")
    (['XX县'], '司法局')
    """
    chain: list[str] = []
    rest = name
    while True:
        match = None if re.match(_GOV_SUFFIX, rest) else _ADMIN.match(rest)
        if not match or _NOT_A_NAME.search(match.group(1)):
            break
        chain.append(match.group(1) + match.group(2))
        rest = rest[match.end():]
    return chain, rest


def _suffix_level(place: str) -> str:
    if place in _MUNICIPALITIES:
        return "province"
    for suffix in sorted(_LEVEL_OF_SUFFIX, key=len, reverse=True):
        if place.endswith(suffix):
            return _LEVEL_OF_SUFFIX[suffix]
    return "unknown"


def _is_heading1(line: str) -> bool:
    head = heading(line)
    return head is not None and head[0] == 1


def _opening(lines: list[str], header: list[str]) -> str | None:
    """The first long sentence of the report (the preamble), if any."""
    for line in lines[: len(header) + 2]:
        if len(line) > 40 and not _is_heading1(line):
            return line
    return None


def _unit_candidates(lines: list[str], header: list[str], opening: str | None) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for line in header:
        if _ADDRESSEE.search(line):
            continue
        year_match = _YEAR.search(line)
        if year_match and _TITLE_WORDS.search(line):
            prefix = re.sub(r"^关于|关于$", "", line[: year_match.start()]).strip()
            if prefix and _ADMIN.match(prefix):
                found.append((prefix, "title"))
            elif not prefix:
                chain, rest = split_admin(line[year_match.end():])
                gov = re.match(_GOV_SUFFIX, rest)
                if chain:
                    found.append(("".join(chain) + (gov.group(0) if gov else ""), "title"))
        elif _UNIT_LINE.match(line) and _ADMIN.match(line):
            found.append((line, "header"))
    if opening:
        match = re.match(rf"^(?:{_YEAR.pattern}|一年来|今年以来)\s*,?\s*", opening)
        if match:
            chain, rest = split_admin(opening[match.end():])
            if chain:
                gov = re.match(rf"{_GOV_SUFFIX}|[\u4e00-\u9fff]{{0,6}}?(局|厅|办公室)", rest)
                found.append(("".join(chain) + (gov.group(0) if gov else ""), "opening"))
    for line in lines[-4:]:
        for part in re.split(r"\s{2,}", line):
            if _UNIT_LINE.match(part) and _ADMIN.match(part) and not part.startswith("中共"):
                found.append((part, "signature"))
    return found


def _pick_unit(candidates: list[tuple[str, str]]) -> tuple[str, str] | None:
    """Prefer a government unit line, then a department, then a bare place name."""

    def score(item: tuple[str, str]) -> tuple[int, int]:
        name = item[0]
        chain, rest = split_admin(name)
        if re.fullmatch(_GOV_SUFFIX, rest):
            kind = 0
        elif re.fullmatch(rf".*({_DEPT_SUFFIX})", rest):
            kind = 1
        else:
            kind = 2
        return kind, -len(chain)

    return min(candidates, key=score) if candidates else None


def _parent_from_body(text: str, unit_place: str | None, level: str) -> list[str]:
    counts: Counter[str] = Counter()
    for match in _PARENT_MENTION.finditer(text):
        place = match.group(1) or match.group(2)
        if place == unit_place or _NOT_A_NAME.search(place) or place[-2] == "治":
            continue
        if _RANK.get(_suffix_level(place), 9) < _RANK.get(level, -1):
            counts[place] += 1
    return [counts.most_common(1)[0][0]] if counts else []


def extract_metadata(text: str) -> Metadata:
    """Read year, unit, level and places from a cleaned report.

    >>> m = extract_metadata("重庆市开州区大进镇人民政府\\n关于2025年度法治政府建设情况的报告\\n区委、区政府:\\n" + "2025年,在区委的领导下,大进镇……" * 3)
    >>> m.year, m.unit, m.level, m.places, m.sources["year"]
    (2025, '大进镇人民政府', 'township', ['重庆市', '开州区'], 'title')
    """
    lines = [line for line in text.split("\n") if line.strip()]
    header = lines[: header_length(lines)]
    opening = _opening(lines, header)
    meta = Metadata()

    for line in header:
        if _TITLE_WORDS.search(line) and (year := find_year(line)):
            meta.year, meta.sources["year"] = year, "title"
            break
    if meta.year is None and opening:
        match = re.match(_YEAR.pattern, opening)
        if match and (year := find_year(match.group(0))):
            meta.year, meta.sources["year"] = year, "opening"
    if meta.year is None:
        for line in lines:
            if _is_heading1(line) and (year := find_year(line)):
                meta.year, meta.sources["year"] = year, "heading"
                break
    if meta.year is None:
        meta.sources["year"] = "not found"

    picked = _pick_unit(_unit_candidates(lines, header, opening))
    if picked is None:
        meta.sources["unit"] = "not found"
        return meta
    name, source = picked
    chain, rest = split_admin(name)
    meta.unit = (chain[-1] if chain else "") + rest
    meta.unit_place = chain[-1] if chain else None
    meta.places = chain[:-1]
    if re.fullmatch(rf".*({_DEPT_SUFFIX})", rest) and not re.fullmatch(_GOV_SUFFIX, rest):
        meta.level = "department"
    elif meta.unit_place:
        meta.level = _suffix_level(meta.unit_place)
    meta.sources["unit"] = meta.sources["level"] = source
    meta.sources["places"] = source if meta.places else "not named"
    if not meta.places and meta.level in _RANK:
        parents = _parent_from_body(text, meta.unit_place, meta.level)
        if parents:
            meta.places, meta.sources["places"] = parents, "body"
        elif unnamed := re.search(r"(?<![\u4e00-\u9fff])([县区市])(委|政府)", text):
            meta.sources["places"] = f"not named (the text refers to its {unnamed.group(0)})"
    return meta

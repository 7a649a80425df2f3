"""Metadata of a report: its year, the issuing unit, its level, its parent places and the period it reviews.

Where each field comes from, strongest first (the first that gives a value wins; the others are
checked against it and a disagreement is listed in ``Metadata.conflicts``):

1. ``table``: a metadata table the researcher supplies (``load_corpus(..., metadata=...)``).
2. ``title``: the title block at the top: the title line ("关于2025年度法治政府建设情况的报告"), then ``header``
   for a unit line above it ("重庆市开州区大进镇人民政府"); a 政府工作报告's delivery line ("——2026年1月26日在广东省第十四届
   人民代表大会第五次会议上") and speaker line ("广东省省长 某某"); then ``page title``, the report title in the
   saved page's HTML ``<title>``.
3. ``file name``: a year standing alone (``2012_国务院.txt``, ``大进镇-2025.txt``; not a digit run inside a
   longer number or a hash) and a unit or place (``2025_宁夏.txt``).
4. the body: ``opening`` (the first sentence: "2025年,西仓镇人民政府……", "现在,我代表省人民政府……"),
   ``heading`` ("一、2021年推进……"), ``signature``, ``page source`` (来源/发布机构 lines that cleaning removed),
   ``self-reference`` (我县, 本街道, 我局 ...) and ``body`` (a parent named as 中共巫山县委 or 重庆市巫山县).

``year`` is the year the title names. For a rule-of-law report (``genre == "rule_of_law"``) that is the
year reported on; for a 政府工作报告 (``"government_work"``) it is the year the report is delivered, as
researchers label them (2012年政府工作报告 reviews 2011). ``period`` keeps the year or years of the work
reviewed where the text says so: "2011" (一、2011年工作回顾), "2016-2020" (过去五年, "十三五"时期). Publication,
page-header and signature dates are never years; a 政府工作报告's delivery date is its year.

``unit`` is the issuing body. A government is named as its place plus 人民政府 (街道: 办事处), however the
text shortens it (上海市政府工作报告, 县政府, a bare 南昌县 in a title): one unit keeps one name across
years. A department is named without its place prefix (长治市人力资源和社会保障局 -> 人力资源和社会保障局);
the prefix goes to ``places`` and the level stays ``department``. ``places`` are the parent places,
outermost first. ``names`` lists every name the report uses for itself and its parents, for the
tokenizer. A 市 is a prefecture-level ``city`` unless the text shows a city above it (a 某市某市 chain,
or a 市委 above it that is not its own), then it is a county-level city and ``county``.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd

from .structure import detect_genre, header_length, heading

__all__ = ["Metadata", "AuditNote", "MetadataTableError", "TableJoin", "extract_metadata", "filename_metadata",
           "split_admin", "find_year", "parse_name", "read_metadata_table", "apply_table", "LEVELS", "YEAR_RANGE",
           "SOURCES", "ADMIN_SUFFIX"]

LEVELS = ("national", "province", "city", "county", "township", "department", "unknown")
# Where a field can come from, strongest first; see the module docstring.
SOURCES = ("table", "title", "header", "page title", "file name", "opening", "heading", "signature", "page source",
           "self-reference", "body")
# Years outside this range are misreadings ("no year"), not report years: the PRC's first reports are of 1949-1954.
YEAR_RANGE = (1949, 2050)

_CN_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")
_CN_YEAR = "[〇○零一二三四五六七八九]{4}"
_YEAR = re.compile(
    rf"(?<![\d\-~至到—])((?:19|20)\d{{2}}|{_CN_YEAR})\s*年(度)?"
    r"(?!\s*[\d一二三四五六七八九十]{1,2}\s*月)(?!\s*[-~至到]\s*(?:19|20)?\d{2})"
)
_RANGE = re.compile(r"((?:19|20)\d{2})\s*年?\s*[-~至到]\s*((?:19|20)\d{2})")
_TITLE_WORDS = re.compile(r"报告|总结|情况|工作要点|白皮书")
# A 政府工作报告's delivery line: "——2026年1月26日在广东省第十四届人民代表大会……".
_DELIVERY = re.compile(rf"^[-—\s(]*((?:19|20)\d{{2}}|{_CN_YEAR})\s*年\s*[\d一二三四五六七八九十]{{1,2}}\s*月\s*"
                       r"[\d一二三四五六七八九十]{1,3}\s*日(?:\s*至\s*[\d一二三四五六七八九十]{1,3}\s*日)?\s*在")
_CONGRESS = re.compile(r"在(.{2,24}?)第[一二三四五六七八九十\d]{1,4}届(全国)?人民代表大会")
_SPEAKER = re.compile(r"^(.{1,24}?)(?:代理|代)?(总理|副总理|省长|市长|县长|区长|州长|盟长|旗长|镇长|乡长|主席)"
                      r"(?:兼.{0,20}?)?\s*[\u4e00-\u9fff·]{0,4}(?:各位代表.*)?$")

_MASK = r"某某|某|[xX×*○]{1,3}"
ADMIN_SUFFIX = r"特别行政区|自治区|自治州|自治县|自治旗|省|市|地区|盟|州|区|县|旗|街道|镇|乡|苏木"
_NAME = r"[\u4e00-\u9fff]{2,10}?"
# One-character county names (沛县, 赵县) stand at the start of a name; these characters make words, not names.
_ONE_CHAR_COUNTY = r"(?<![\u4e00-\u9fff])(?![本该全我各某每一两此其他市省州区乡镇村城郊])[\u4e00-\u9fff](?=县)"
_ADMIN = re.compile(rf"(?:中共)?({_MASK}|{_ONE_CHAR_COUNTY}|{_NAME})({ADMIN_SUFFIX})")
# Words that make a "place" a phrase: 依法治县, 法治建设区, 推进城市, 全县各乡镇, 城市和农村 ... A name may start with 全 or 本
# (全椒县, 本溪市) where no level follows them (全县, 本市), and start or end with 和 (和平区, 太和县).
_NOT_A_NAME = re.compile(r"依法|法治|治理|建设|工作|关于|报告|情况|政府|年度?$|推进|加强|开展|全面|深化|城市|农村|城乡|"
                         r"老旧|各|我|及|与|的|在|为|对|等|区域|地区|代表|局|厅|署|院|"
                         r"(?<=.)[全本]|[全本](?=[省市县区镇乡州旗街盟]|$)|(?<=.)和(?=.)")
# Endings that look like a 区/市 but are not administrative places.
_NOT_A_PLACE = re.compile(r"(社区|小区|园区|街区|景区|片区|辖区|校区|库区|牧区|老区|灾区|厂区|功能区|示范区|"
                          r"试验区|保护区|先行区|集聚区|服务区|商圈|超市|夜市|集市|股市|楼市|上市|门市|菜市|街市)$")
# Endings that places share with phrases: 晋城市 and 智慧城市, 成都市 and 国际大都市, 东城区 and 主城区, 南山区 and 偏远山区,
# 东营区 and 兵营区. Such a place has one character before the ending, not a word of size or kind (大城市, 深山区);
# the few whose name has two (石景山区) are listed.
_SHARED_ENDING = re.compile(r"^(.+?)(城市|都市|城区|山区|营区)$")
_PHRASE_HEADS = {"城市": "大小中新老旧古名", "都市": "大新首", "城区": "主中旧", "山区": "大小深高老穷荒边远", "营区": "兵军老新"}
_TWO_CHARACTER_NAMES = frozenset({"石景山区", "元宝山区", "八公山区", "共青城市"})


def _not_a_place(place: str) -> bool:
    """True for a phrase that ends like an administrative place.

    >>> [_not_a_place(p) for p in ("晋城市", "成都市", "东城区", "石景山区", "大城市", "智慧城市", "主城区", "幸福社区")]
    [False, False, False, False, True, True, True, True]
    """
    if _NOT_A_PLACE.search(place):
        return True
    shared = _SHARED_ENDING.match(place)
    if shared is None or place in _TWO_CHARACTER_NAMES:
        return False
    head, ending = shared.groups()
    return len(head) != 1 or head in _PHRASE_HEADS[ending]


_GOV_SUFFIX = r"人民政府|政府|街道办事处|办事处|管理委员会|管委会"
_DEPT_SUFFIX = (r"总局|管理局|监督管理局|局|厅|部|委员会|委|办公室|办|署|中心|总队|支队|大队|所")
_DEPARTMENT = re.compile(rf"[\u4e00-\u9fff]{{1,20}}?(?:{_DEPT_SUFFIX})")
# A committee of the Party (县委, 党工委, 依法治县办) is never the issuing department.
_PARTY = re.compile(r"(?:^|[省市县区镇乡旗州])委$|党委|党组|工委|纪委|依法治|全面依法|委员会办公室$|^中共|^党|^(?:工作)?委员会$")
_NOT_A_DEPARTMENT = re.compile(r"关于|报告|情况|推进|加强|开展|落实|贯彻|深化|我|本|各|全|政府")
_LEVEL_PREFIX = {"省": "province", "自治区": "province", "市": "city", "州": "city", "盟": "city",
                 "县": "county", "区": "county", "旗": "county", "镇": "township", "乡": "township",
                 "街道": "township", "苏木": "township"}
_LEVEL_OF_SUFFIX = {
    "街道": "township", "镇": "township", "乡": "township", "苏木": "township", "街": "township",
    "县": "county", "区": "county", "旗": "county", "自治县": "county", "自治旗": "county",
    "市": "city", "州": "city", "自治州": "city", "地区": "city", "盟": "city",
    "省": "province", "自治区": "province", "特别行政区": "province",
}
_RANK = {"national": -1, "province": 0, "city": 1, "county": 2, "township": 3}
_FIVE_YEAR_PLANS = {"六五": 1981, "七五": 1986, "八五": 1991, "九五": 1996, "十五": 2001, "十一五": 2006,
                    "十二五": 2011, "十三五": 2016, "十四五": 2021, "十五五": 2026}
_SOURCE_RANK = {name: rank for rank, name in enumerate(SOURCES)}


@cache
def _provinces() -> tuple[dict[str, str], frozenset[str]]:
    """Short form -> full name of the province-level units, and the four municipalities."""
    short: dict[str, str] = {}
    municipalities = set()
    text = (resources.files("govtopics") / "data" / "provinces.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        full, abbreviation, *kind = line.split("\t")
        short[abbreviation] = full
        if kind and kind[0] == "municipality":
            municipalities.add(full)
    return short, frozenset(municipalities)


@dataclass
class Metadata:
    """What a report says about itself. ``sources`` maps each field to where it was found (:data:`SOURCES`)."""

    year: int | None = None
    unit: str | None = None
    level: str = "unknown"
    places: list[str] = field(default_factory=list)
    unit_place: str | None = None
    genre: str = "other"
    period: str | None = None
    names: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    # (field, message): values from weaker sources that disagree with the kept one.
    conflicts: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class AuditNote:
    """One line of the metadata audit: which document (or table row), which field, what happened.

    >>> str(AuditNote("2012_x", "year", "table says 2012, title says 2011: table kept"))
    '2012_x: year: table says 2012, title says 2011: table kept'
    """

    subject: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.field}: {self.message}"


def _to_int_year(text: str) -> int:
    return int(text.translate(_CN_DIGITS))


def find_year(line: str) -> int | None:
    """The first reported-on year in ``line``; dates and year ranges are not years.

    >>> find_year("关于2020年度法治建设工作情况的报告"), find_year("2025年12月9日"), find_year("纲要(2021-2025年)")
    (2020, None, None)
    >>> find_year("一九九○年国民经济计划")
    1990
    """
    for match in _YEAR.finditer(_RANGE.sub(" ", line)):
        year = _to_int_year(match.group(1))
        if YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            return year
    return None


def split_admin(name: str) -> tuple[list[str], str]:
    """Split an administrative name into its chain of places and the remainder.

    >>> split_admin("重庆市开州区大进镇人民政府")
    (['重庆市', '开州区', '大进镇'], '人民政府')
    >>> split_admin("XX县司法局"), split_admin("河北省赵县人民政府")
    ((['XX县'], '司法局'), (['河北省', '赵县'], '人民政府'))
    """
    chain: list[str] = []
    rest = name
    while True:
        match = None if re.match(_GOV_SUFFIX, rest) else _ADMIN.match(rest)
        if not match or _NOT_A_NAME.search(match.group(1)):
            break
        place = match.group(1) + match.group(2)
        if _not_a_place(place):
            break
        chain.append(place)
        rest = rest[match.end():]
    return chain, rest


def _suffix_level(place: str) -> str:
    """Level of a place from its suffix; the four municipalities are provinces.

    >>> _suffix_level("上海市"), _suffix_level("阿拉善盟"), _suffix_level("古美路街道"), _suffix_level("宁夏回族自治区")
    ('province', 'city', 'township', 'province')
    """
    if place in _provinces()[1]:
        return "province"
    for suffix in sorted(_LEVEL_OF_SUFFIX, key=len, reverse=True):
        if place.endswith(suffix):
            return _LEVEL_OF_SUFFIX[suffix]
    return "unknown"


def _core(place: str) -> str:
    """A place's name without its suffix, for comparing 宁夏 with 宁夏回族自治区 or 大进 with 大进镇."""
    full = _provinces()[0].get(place, place)
    core = re.sub(rf"(?:[\u4e00-\u9fff]{{1,6}}族)*(?:{ADMIN_SUFFIX}|街)$", "", full)
    core = re.sub(r"(回|壮|维吾尔)$", "", core)
    return core or full


@dataclass
class Name:
    """A parsed unit name: parent chain, the unit's own place, its body and kind, and its level."""

    chain: list[str]
    body: str
    kind: str  # "government", "department", "place", "national"
    level: str
    place: str | None = None

    @property
    def unit(self) -> str:
        """The canonical unit name (see the module docstring)."""
        if self.kind == "national" or self.kind == "department":
            return self.body
        place = self.place or ""
        if self.kind == "place" and not place:
            return ""
        if place.endswith("街道") or place.endswith("街"):
            return (place if place.endswith("街道") else place + "道") + "办事处"
        if self.body in ("管理委员会", "管委会"):
            return place + self.body
        return place + "人民政府"


def parse_name(text: str, *, whole: bool = True) -> Name | None:
    """Parse a unit or place name as a title, header, signature or file name gives it.

    With ``whole`` the entire string must be the name; otherwise a name at its start is taken.
    Short forms of provinces (宁夏, 广东) are names only when they are the whole string.

    >>> n = parse_name("长治市人力资源和社会保障局"); (n.unit, n.level, n.chain, n.place)
    ('人力资源和社会保障局', 'department', ['长治市'], None)
    >>> n = parse_name("宁夏"); (n.unit, n.level, n.place)
    ('宁夏回族自治区人民政府', 'province', '宁夏回族自治区')
    >>> [parse_name(s).unit for s in ("赵县人民政府", "省交通运输厅", "海滨街", "县人民政府", "国务院")]
    ['赵县人民政府', '交通运输厅', '海滨街道办事处', '县人民政府', '国务院']
    """
    text = re.sub(r"\s+", "", text)
    text = re.sub(r"^(?:关于|中共\S{1,20}?(?:委员会|委(?!员会))(?=\S))", "", text)
    text = re.sub(r"(?:关于|的|之|,|:)$", "", text)
    if not text:
        return None
    text = re.sub(r"^中华人民共和国(?=.)", "", text)
    if re.fullmatch(r"国务院|中央人民政府|中央政府|政务院", text) or (not whole and re.match(r"国务院(?!办公厅|各)", text)):
        return Name([], "国务院" if text.startswith("国务院") else text, "national", "national")
    short, _ = _provinces()
    if whole and text in short:
        full = short[text]
        return Name([], "", "place", "province", full)
    chain, rest = split_admin(text)
    prefix_level = None
    if not chain and (department := _short_province_department(rest, whole)) is not None:
        return department
    if not chain:
        end = "$" if whole else ""
        unnamed = re.match(rf"^(自治区|街道|苏木|省|市|州|盟|县|区|旗|镇|乡)(?={_GOV_SUFFIX}|[\u4e00-\u9fff]{{2,12}}?(?:{_DEPT_SUFFIX}){end})", rest)
        if unnamed:
            prefix_level, rest = _LEVEL_PREFIX[unnamed.group(1)], rest[unnamed.end():]
            if re.match(_GOV_SUFFIX, rest):
                chain = [unnamed.group(1)]
        elif whole and re.fullmatch(r"[\u4e00-\u9fff]{2,6}街", rest) and not _NOT_A_NAME.search(rest) and not _not_a_place(rest):
            chain, rest = [rest], ""  # 海滨街: a 街道 written short, only as a whole name
    office = re.fullmatch(r"(?:人民)?政府办(?:公室)?", rest) if whole else re.match(r"(?:人民)?政府办公室", rest)
    if office:  # the government's general office is a department
        return Name(chain, "人民政府办公室", "department", "department")
    gov = re.match(_GOV_SUFFIX, rest)
    if chain and gov and (not whole or gov.end() == len(rest)):
        place = chain[-1]
        level = prefix_level or _chain_level(chain)
        return Name(chain[:-1], gov.group(0), "government", level, place)
    if rest and (not whole or _DEPARTMENT.fullmatch(rest)):
        department = _DEPARTMENT.fullmatch(rest) if whole else _DEPARTMENT.match(rest)
        if department and not _PARTY.search(department.group(0)) and not _NOT_A_DEPARTMENT.search(department.group(0)):
            body = department.group(0)
            if whole or len(body) >= 3:
                return Name(chain, body, "department", "department")
        return None
    if chain and not rest:
        return Name(chain[:-1], "", "place", _chain_level(chain), chain[-1])
    return None


def _short_province_department(text: str, whole: bool) -> Name | None:
    """A department under a province written short (宁夏司法厅, 广西交通运输厅): the province goes to the chain."""
    for abbreviation, full in _provinces()[0].items():
        if text.startswith(abbreviation) and len(text) > len(abbreviation) and abbreviation != "兵团":
            rest = parse_name(text[len(abbreviation):], whole=whole)
            if rest is not None and rest.kind == "department" and not rest.chain:
                return Name([full], rest.body, "department", "department")
    return None


def _chain_level(chain: list[str]) -> str:
    """Level of the last place of a chain; a 市 under a 市/州/盟/地区 is a county-level city.

    >>> _chain_level(["浙江省", "金华市", "义乌市"]), _chain_level(["浙江省", "金华市"]), _chain_level(["县"])
    ('county', 'city', 'county')
    """
    last = chain[-1]
    if last in _LEVEL_PREFIX:
        return _LEVEL_PREFIX[last]
    level = _suffix_level(last)
    if level == "city" and last.endswith("市") and len(chain) > 1 and _suffix_level(chain[-2]) == "city":
        return "county"
    return level


def _is_heading1(line: str) -> bool:
    head = heading(line)
    return head is not None and head[0] == 1


def _lines(text: str) -> list[str]:
    """Lines for reading metadata: TABs and runs of spaces (full-width indents) also end a line, and a
    title that runs into the first sentence ("……情况报告 2020年,在……") is a line of its own."""
    lines = [part.strip() for line in text.split("\n") for part in re.split(r"\t|\s{2,}|-{2,}|—{2,}", line.strip())
             if part.strip()]
    if lines and len(lines[0]) > 60 and (title := re.match(r"^.{4,50}?(?:报告|总结)(?=\s)", lines[0])):
        lines[:1] = [title.group(0), lines[0][title.end():].strip()]
    return lines


def _opening(lines: list[str], header: list[str]) -> str | None:
    """The first long sentence of the report (the preamble), if any."""
    for line in lines[len(header): len(header) + 3]:
        if len(line) > 30 and not _is_heading1(line):
            return line
    return None


_TITLE_STOP = re.compile(r"人民政府工作报告|政府工作报告|关于|(?:推进|深入推进)?(?:法治政府|法治建设|法治|依法行政|依法治)|"
                         r"工作报告|工作总结|年度|落实|贯彻|推进")


def _title_subject(line: str) -> str | None:
    """The unit a title line names: before its year, or between its year and its subject."""
    line = re.sub(r"^关于", "", line)
    year = _YEAR.search(line) or _RANGE.search(line)
    if year:
        before = re.sub(r"关于$", "", line[: year.start()]).strip()
        if before:
            return before
        line = line[year.end():]
        line = re.sub(r"^(?:度|年度)?\s*", "", line)
    stop = _TITLE_STOP.search(line)
    subject = line[: stop.start()] if stop else ""
    return subject or None


@dataclass
class _Found:
    name: Name
    source: str


def _title_block(lines: list[str], header: list[str], genre: str) -> tuple[list[_Found], list[tuple[int, str]], str | None]:
    """Unit candidates, years and a review period from the title block."""
    names: list[_Found] = []
    years: list[tuple[int, str]] = []
    period = None
    for line in header:
        line = re.sub(r"各位代表\s*:$", "", line)  # the speaker line runs into the address in some copies
        if not line or line.endswith(":"):
            continue  # an addressee: 区委、区政府:
        delivery = _DELIVERY.match(line)
        congress = _CONGRESS.search(line)
        if congress:
            if congress.group(2) or congress.group(1).endswith("中华人民共和国"):
                names.append(_Found(Name([], "国务院", "national", "national"), "title"))
            elif (found := parse_name(congress.group(1))) is not None:
                names.append(_Found(Name(found.chain, "人民政府", "government", found.level, found.place)
                                    if found.kind == "place" else found, "title"))
        if delivery:
            if genre == "government_work":
                year = _to_int_year(delivery.group(1))
                if YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
                    years.append((year, "delivery"))
            continue
        if _TITLE_WORDS.search(line):
            if (year := find_year(line)) is not None:
                years.append((year, "title"))
            elif (span := _RANGE.search(line)) and not re.search(r"纲要|规划|方案", line):
                years.append((int(span.group(2)), "title"))
                period = f"{span.group(1)}-{span.group(2)}"
            subject = _title_subject(line)
            if subject and (found := parse_name(subject)) is not None:
                names.append(_Found(found, "title"))
            continue
        speaker = _SPEAKER.match(line)
        if speaker:
            prefix = speaker.group(1)
            if prefix in _LEVEL_PREFIX:  # 省长 某某: the province, unnamed
                names.append(_Found(Name([], "人民政府", "government", _LEVEL_PREFIX[prefix], prefix), "title"))
            elif (found := parse_name(prefix)) is not None:
                names.append(_Found(Name(found.chain, "人民政府", "government", found.level, found.place)
                                    if found.kind == "place" else found, "title"))
            continue
        if len(line) <= 40 and (found := parse_name(line)) is not None:
            names.append(_Found(found, "header"))
    return names, years, period


_SELF = re.compile(r"(?:我|本)(自治区|街道|苏木|省|市|州|盟|县|区|旗|镇|乡|局|厅|委|办|部|署|中心)")
_SELF_LEVEL = {**_LEVEL_PREFIX, "局": "department", "厅": "department", "委": "department", "办": "department",
               "部": "department", "署": "department", "中心": "department"}
_OPENING_START = re.compile(rf"^(?:(?:{_YEAR.pattern})|一年来|今年以来|过去一年|近年来)\s*,?\s*(?:在[^,。]{{2,80}}?下\s*,\s*)?")


def _opening_names(opening: str | None, first_lines: list[str]) -> list[_Found]:
    """The subject of the opening sentence: 2025年,西仓镇人民政府…… / 2022年,县政府…… / 我代表省人民政府……"""
    found: list[_Found] = []
    represent = re.search(r"我(?:代表|受)([\u4e00-\u9fff]{0,24}?(?:人民政府|政府|国务院))", "\n".join(first_lines)[:300])
    if represent and (name := parse_name(represent.group(1))) is not None:
        found.append(_Found(name, "opening"))
    if not opening:
        return found
    start = _OPENING_START.match(opening)
    if start:
        subject = opening[start.end(): start.end() + 40]
        subject = re.sub(r"^(?:我|本)(?=自治区|街道|苏木|[省市州盟县区旗镇乡局厅委办部署]|中心)", "", subject)  # not 本溪市
        name = parse_name(subject, whole=False)
        if name is not None and name.kind != "place":
            found.append(_Found(name, "opening"))
        elif name is None and (self_ref := re.match(r"(自治区|街道|苏木|省|市|州|盟|县|区|旗|镇|乡)(?:委)?[、,]?(?:\1)?(?:人民)?政府", subject)):
            level = _LEVEL_PREFIX[self_ref.group(1)]
            found.append(_Found(Name([], "人民政府", "government", level, self_ref.group(1)), "opening"))
    return found


def _signature_names(lines: list[str]) -> list[_Found]:
    found = []
    for line in lines[-4:]:
        for part in re.split(r"\s+", line):
            name = parse_name(part) if 3 <= len(part) <= 40 else None  # 3: 司法部, 国务院
            if name is not None and name.kind in ("government", "department", "national"):
                found.append(_Found(name, "signature"))
    return found


_PARENT_MENTION = re.compile(
    r"中共([\u4e00-\u9fff]{2,5}?[县区旗市州])委(?!员会办公室)|(?<![\u4e00-\u9fff])([\u4e00-\u9fff]{2,5}?[省市])([\u4e00-\u9fff]{2,4}?[县区旗])"
    r"(?=委|人民政府|政府|[\u4e00-\u9fff]{0,2}(?:局|办|人大|法院|检察院))"
)


def _parent_from_body(text: str, unit_place: str | None, level: str) -> list[str]:
    """The parent place most named in the body (中共巫山县委, 重庆市巫山县人民政府), if named at least twice.

    Names ending like a neighbourhood or a policy phrase (幸福社区, 老旧小区, 推进城市) are never places.
    """
    counts: Counter[str] = Counter()
    for match in _PARENT_MENTION.finditer(text):
        place = match.group(1) or match.group(3)
        weight = 2 if match.group(1) else 1
        if match.group(2) and (_NOT_A_NAME.search(match.group(2)[:-1]) or _not_a_place(match.group(2))):
            continue
        if place == unit_place or _NOT_A_NAME.search(place[:-1]) or _not_a_place(place) or place[-2] == "治":
            continue
        if _RANK.get(_suffix_level(place), 9) < _RANK.get(level, -1):
            counts[place] += weight
    if not counts:
        return []
    place, count = counts.most_common(1)[0]
    return [place] if count >= 2 else []


def _self_level(text: str) -> str | None:
    """The level the report's self-references (我县, 本街道, 我局) point to, when one clearly dominates."""
    counts = Counter(_SELF_LEVEL[m.group(1)] for m in _SELF.finditer(text))
    if not counts:
        return None
    (level, n), *rest = counts.most_common(2) + [(None, 0)]
    return level if n >= 2 and n >= 2 * rest[0][1] else None


_REVIEW = re.compile(rf"((?:19|20)\d{{2}}|{_CN_YEAR})\s*年(?:和[^,。;]{{0,12}}?时期)?[^,。;\d]{{0,4}}?工作回顾|"
                     rf"首先(?:报告|回顾)\s*((?:19|20)\d{{2}}|{_CN_YEAR})\s*年")
_PLAN_PERIOD = re.compile(r"[\"“]?(六五|七五|八五|九五|十五|十一五|十二五|十三五|十四五|十五五)[\"”]?(?:时期|期间)(?:的)?(?:工作)?回顾|"
                          r"(六五|七五|八五|九五|十五|十一五|十二五|十三五|十四五|十五五)[\"”]?(?:时期|期间)")


def _review_period(lines: list[str], year: int | None, opening: list[str]) -> str | None:
    """The work a 政府工作报告 reviews: 一、2011年工作回顾 -> "2011"; 过去五年, "十三五"时期 -> "2016-2020"."""
    head = "\n".join(line[:150] for line in opening)
    for line in lines[:400]:
        if not (_is_heading1(line) or line.startswith("首先")) and "首先" not in line[:40]:
            continue
        plan = _PLAN_PERIOD.search(line)
        if plan and "回顾" in line:
            start = _FIVE_YEAR_PLANS[plan.group(1) or plan.group(2)]
            return f"{start}-{start + 4}"
        review = _REVIEW.search(line)
        if review:
            return str(_to_int_year(review.group(1) or review.group(2)))
    if year is not None:
        if re.search(r"过去五年|(?<!近)五年来", head):
            return f"{year - 5}-{year - 1}"
        if re.search(r"过去(?:的)?一年|一年来", head):
            return str(year - 1)
    return None


def filename_metadata(stem: str) -> tuple[int | None, Name | None, list[str]]:
    """Year and unit a file name gives, and notes on what it could not use.

    A year is 19xx/20xx standing alone: not inside a longer run of digits or letters (a hash).

    >>> y, n, _ = filename_metadata("2012_国务院"); (y, n.unit, n.level)
    (2012, '国务院', 'national')
    >>> y, n, _ = filename_metadata("大进镇-2025"); (y, n.unit, n.level)
    (2025, '大进镇人民政府', 'township')
    >>> filename_metadata("000_d150b2aa907695eb")
    (None, None, [])
    """
    notes: list[str] = []
    years = sorted({int(m) for m in re.findall(r"(?<![0-9A-Za-z])((?:19|20)\d{2})(?![0-9A-Za-z])", stem)
                    if YEAR_RANGE[0] <= int(m) <= YEAR_RANGE[1]})
    year = years[0] if len(years) == 1 else None
    if len(years) > 1:
        notes.append(f"file name has several years {', '.join(map(str, years))}: none taken")
    name = None
    if _TITLE_WORDS.search(stem) and (subject := _title_subject(stem)) is not None:
        name = parse_name(re.sub(r"^[\d\W_]+", "", subject))
    if name is None:
        for token in re.split(r"[\s_\-.()\[\]#,+/]+|(?<=\D)(?=\d)|(?<=\d)(?=\D)", stem):
            token = re.sub(r"(?:人民)?政府工作报告$|工作报告$|报告$", "", token)
            if len(token) >= 2 and re.search(r"[\u4e00-\u9fff]", token) and (name := parse_name(token)) is not None:
                break
    return year, name, notes


def extract_metadata(text: str, *, file_name: str | None = None, removed=(), page_title: str | None = None,
                     genre: str | None = None) -> Metadata:
    """Read year, unit, level, places and period from a cleaned report, its file name and cleaning's audit.

    ``removed`` is the cleaning audit (:class:`~govtopics.cleaning.Removal`): the page's 来源/发布机构 lines
    are read from there; ``page_title`` is the saved page's ``<title>`` (``CleanResult.page_title``).
    ``genre`` defaults to :func:`~govtopics.structure.detect_genre`.

    >>> m = extract_metadata("重庆市开州区大进镇人民政府\\n关于2025年度法治政府建设情况的报告\\n区委、区政府:\\n" + "2025年,在区委的领导下,大进镇……" * 3)
    >>> m.year, m.unit, m.level, m.places, m.sources["year"], m.period
    (2025, '大进镇人民政府', 'township', ['重庆市', '开州区'], 'title', '2025')
    >>> m = extract_metadata("政府工作报告\\n各位代表:\\n现在,我代表国务院,向大会报告政府工作。\\n一、2011年工作回顾\\n正文。", file_name="2012_x")
    >>> m.year, m.unit, m.level, m.period, m.sources["year"]
    (2012, '国务院', 'national', '2011', 'file name')
    """
    meta = Metadata(genre=genre or detect_genre(text))
    lines = _lines(text)
    header = lines[: header_length(lines)]
    opening = _opening(lines, header)

    candidates, title_years, period = _title_block(lines, header, meta.genre)
    page_years: list[tuple[int, str]] = []
    page_source: list[_Found] = []
    for part in re.split(r"\s*[_|]\s*|\s+[-—]+\s+|-{2,}", page_title or ""):
        if not part:
            continue
        if _TITLE_WORDS.search(part):
            if (year := find_year(part)) is not None:
                page_years.append((year, "page title"))
            if (subject := _title_subject(part)) and (name := parse_name(subject)) is not None:
                candidates.append(_Found(name, "page title"))
        elif (name := parse_name(part)) is not None and name.kind != "department":
                page_source.append(_Found(name, "page source"))  # the site's name: the portal, not the author
    for removal in removed:
        if removal.rule == "page metadata" and re.match(r"(来源|信息来源|发布机构|文章来源)", removal.text):
            value = (re.sub(r"^[^:]*:\s*", "", removal.text).split() or [""])[0]
            if value and (name := parse_name(value)) is not None:
                page_source.append(_Found(name, "page source"))
    file_year, file_name_found, file_notes = filename_metadata(file_name) if file_name else (None, None, [])
    if file_name_found is not None:
        candidates.append(_Found(file_name_found, "file name"))
    candidates += _opening_names(opening, lines[len(header): len(header) + 3])
    candidates += _signature_names(lines)
    candidates += page_source
    for note in file_notes:
        meta.conflicts.append(("year", note))

    _set_year(meta, lines, header, opening, title_years + page_years, file_year, period)
    _set_unit(meta, text, candidates, header)
    meta.names = _names(meta, header, candidates)
    return meta


def _set_year(meta: Metadata, lines, header, opening, title_years, file_year, period) -> None:
    government_work = meta.genre == "government_work"
    found: list[tuple[int, str]] = [(y, "title") for y, s in title_years if s == "title"]
    found += [(y, "title") for y, s in title_years if s == "delivery"]
    found += [(y, s) for y, s in title_years if s == "page title"]
    if file_year is not None:
        found.append((file_year, "file name"))
    if not government_work:
        if opening and (match := re.match(_YEAR.pattern, opening)) and (year := find_year(match.group(0))):
            found.append((year, "opening"))
        for line in lines[len(header):]:
            if _is_heading1(line) and (year := find_year(line)):
                found.append((year, "heading"))
                break
    if found:
        meta.year, meta.sources["year"] = found[0]
    if government_work:
        meta.period = period or _review_period(lines, meta.year, lines[len(header): len(header) + 4])
        if meta.year is None and meta.period and "-" not in meta.period:
            meta.year = int(meta.period) + 1
            meta.sources["year"] = f"body (reviews {meta.period})"
        if meta.period:
            meta.sources["period"] = "body"
        if meta.year is not None and file_year is not None and meta.period == str(file_year) and meta.year != file_year:
            meta.conflicts.append(("year", f"the file name's {file_year} is the year reviewed; the report is of {meta.year}"))
    else:
        text_years = [y for y, s in found if s != "file name"]
        if period:
            meta.period, meta.sources["period"] = period, "title"
        elif text_years:
            meta.period, meta.sources["period"] = str(text_years[0]), next(s for y, s in found if s != "file name")
    if meta.year is None:
        meta.sources["year"] = "not found"
    for year, source in found[1:]:
        if year != meta.year and (source == "file name" or found[0][1] == "file name" or source == "title"):
            meta.conflicts.append(("year", f"{meta.sources['year']} says {meta.year}, {source} says {year}: {meta.sources['year']} kept"))


def _specificity(found: _Found) -> tuple[int, int, int]:
    kind = {"government": 0, "national": 0, "department": 1, "place": 2}[found.name.kind]
    return _SOURCE_RANK[found.source], kind, -len(found.name.chain)


def _same_place(a: Name, b: Name) -> bool:
    if a.kind == "national" or b.kind == "national":
        return a.kind == b.kind
    if a.kind == "department" or b.kind == "department":
        return a.kind == b.kind and (a.body == b.body or a.body.endswith(b.body) or b.body.endswith(a.body))
    pa, pb = a.place or "", b.place or ""
    if pa in _LEVEL_PREFIX or pb in _LEVEL_PREFIX:  # 县人民政府: an unnamed place agrees with any of its level
        unnamed, named = (pa, pb) if pa in _LEVEL_PREFIX else (pb, pa)
        return named.endswith(unnamed) or a.level == b.level or (a.level, b.level) in (("city", "county"), ("county", "city"))
    return _core(pa) == _core(pb)


def _set_unit(meta: Metadata, text: str, candidates: list[_Found], header: list[str]) -> None:
    if not candidates:
        meta.sources["unit"] = "not found"
        level = _self_level(text)
        if level:
            meta.level, meta.sources["level"] = level, "self-reference"
        meta.sources["places"] = "not named"
        return
    best = min(candidates, key=_specificity)
    name = best.name
    agreeing = [c for c in candidates if _same_place(c.name, name)]
    # A government named bare in the title (南昌县) keeps its place; a fuller chain elsewhere gives the parents.
    chain = max((c.name.chain for c in agreeing), key=len, default=name.chain)
    if name.kind == "place" and meta.genre in ("rule_of_law", "government_work", "other"):
        name = Name(name.chain, "人民政府", "government", name.level, name.place)
    if name.kind == "government" and name.place in _LEVEL_PREFIX:
        # 县人民政府 with no name: a named place of the same level elsewhere gives it its name.
        named = [c for c in candidates if c.name.kind in ("government", "place") and c.name.place not in _LEVEL_PREFIX
                 and c.name.level == name.level]
        if named:
            found = min(named, key=_specificity)
            other = found.name
            name = Name(other.chain, name.body, "government", other.level, other.place)
            chain = other.chain
            best = _Found(name, found.source)
    meta.unit = name.unit or None
    meta.unit_place = name.place if name.place not in _LEVEL_PREFIX else None
    meta.places = [p for p in chain if p not in _LEVEL_PREFIX]
    meta.level = name.level
    if name.kind == "government" and name.level == "city" and name.place and name.place.endswith("市"):
        if _parent_city(text, name.place):
            meta.level = "county"
    meta.sources["unit"] = meta.sources["level"] = best.source
    meta.sources["places"] = best.source if meta.places else "not named"
    if meta.places and chain is not best.name.chain:
        meta.sources["places"] = next(c.source for c in agreeing if c.name.chain is chain)
    for other in candidates:
        if not _same_place(other.name, name) and _SOURCE_RANK[other.source] <= _SOURCE_RANK["signature"]:
            meta.conflicts.append(("unit", f"{best.source} says {meta.unit}, {other.source} says {other.name.unit or other.name.place}:"
                                           f" {best.source} kept"))
    if not meta.places and meta.level in _RANK and meta.level != "national":
        parents = _parent_from_body(text, meta.unit_place, meta.level)
        if parents:
            meta.places, meta.sources["places"] = parents, "body"
        elif unnamed := re.search(r"(?<![\u4e00-\u9fff])([省市州县区])(委|政府)", text):
            meta.sources["places"] = f"not named (the text refers to its {unnamed.group(0)})"


def _parent_city(text: str, place: str) -> bool:
    """True when the text shows a city above this 市: a 市委 or 市人民政府 of another city, or 县级市."""
    if "县级市" in text[:2000]:
        return True
    for match in re.finditer(r"(?:中共|在)([\u4e00-\u9fff]{2,4}?市)(?:委|人民政府)", text):
        other = match.group(1)
        if other != place and not _NOT_A_NAME.search(other[:-1]) and not _not_a_place(other) \
                and other not in _provinces()[1]:
            return True
    return False


def _names(meta: Metadata, header: list[str], candidates: list[_Found]) -> list[str]:
    """Every name the report uses for itself and its parent places, its own first."""
    names: list[str] = []

    def add(name: str | None) -> None:
        if name and name not in names and name not in _LEVEL_PREFIX:
            names.append(name)

    add(meta.unit_place)
    if meta.level in ("department", "national"):
        add(meta.unit)
    for place in meta.places:
        add(place)
    for line in header:
        if not line.endswith(":"):
            for place in split_admin(re.sub(r"^(?:关于|中共)", "", line))[0]:
                add(place)
    for found in candidates:
        if found.source in ("title", "header", "file name", "page title") and _same_place(found.name, _as_name(meta)):
            for place in [*found.name.chain, found.name.place]:
                add(place)
    for abbreviation, full in _provinces()[0].items():
        if full in names and abbreviation != "兵团":
            add(abbreviation)  # 宁夏 for 宁夏回族自治区: the short form reports use for themselves
    return names


def _as_name(meta: Metadata) -> Name:
    if meta.level == "national":
        return Name([], "国务院", "national", "national")
    if meta.level == "department":
        return Name(meta.places, meta.unit or "", "department", "department")
    return Name(meta.places, "", "government", meta.level, meta.unit_place)


# ---------------------------------------------------------------------------------------------------------------
# A metadata table the researcher supplies: joined to the files on their path under the corpus folder, or on id.

TABLE_FIELDS = ("year", "unit", "level", "places", "period")
_KEY_COLUMNS = ("path", "file", "filename", "file_name")
_LEVEL_WORDS = {"国家": "national", "中央": "national", "全国": "national", "省": "province", "省级": "province",
                "市": "city", "地级市": "city", "市级": "city", "县": "county", "县级": "county", "区县": "county",
                "乡镇": "township", "乡": "township", "镇": "township", "街道": "township", "乡镇街道": "township",
                "部门": "department"}


class MetadataTableError(ValueError):
    """A metadata table that cannot be used at all (missing, unreadable, empty, no key column); one-line message."""


def read_metadata_table(source) -> tuple[pd.DataFrame, str]:
    """Read a metadata table (CSV in UTF-8 with or without BOM or GB18030, .xlsx, or a DataFrame) as strings.

    Returns the table and the name used in audit lines. Raises :class:`MetadataTableError`.

    >>> frame, name = read_metadata_table(pd.DataFrame({"path": ["a.txt"], "year": [2020]}))
    >>> name, frame.to_dict("records")
    ('metadata table', [{'path': 'a.txt', 'year': '2020'}])
    """
    if isinstance(source, pd.DataFrame):
        frame, name = source.copy(), "metadata table"
    else:
        path = Path(source)
        name = path.name
        if not path.is_file():
            raise MetadataTableError(f"metadata table {path}: no such file")
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            try:
                import openpyxl  # noqa: F401
            except ImportError:
                raise MetadataTableError(f"metadata table {path}: reading .xlsx needs openpyxl "
                                         "(pip install openpyxl), or save the table as CSV") from None
            try:
                frame = pd.read_excel(path, dtype=str)
            except Exception as error:  # noqa: BLE001 - any reader error is an unreadable table
                raise MetadataTableError(f"metadata table {path}: unreadable ({error})") from None
        else:
            frame = _read_csv(path)
    frame.columns = [str(c).strip().lstrip("\ufeff").lower() for c in frame.columns]
    if frame.empty:
        raise MetadataTableError(f"metadata table {name} is empty: it has no rows")
    if not any(c in frame.columns for c in (*_KEY_COLUMNS, "id")):
        raise MetadataTableError(f"metadata table {name} needs a 'path' or an 'id' column to join on "
                                 f"(it has {', '.join(map(str, frame.columns))})")
    frame = frame.astype(object).where(frame.notna(), None)
    for column in frame.columns:
        frame[column] = [None if v is None or (isinstance(v, str) and not v.strip()) else
                         (str(v).strip() if not isinstance(v, float) or not v.is_integer() else str(int(v)))
                         for v in frame[column]]
    return frame.reset_index(drop=True), name


def _read_csv(path: Path) -> pd.DataFrame:
    data = path.read_bytes()
    if not data.strip():
        raise MetadataTableError(f"metadata table {path} is empty")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        try:
            return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
        except pd.errors.EmptyDataError:
            raise MetadataTableError(f"metadata table {path} is empty") from None
        except (pd.errors.ParserError, ValueError) as error:
            raise MetadataTableError(f"metadata table {path}: not a readable CSV ({str(error).strip()})") from None
    raise MetadataTableError(f"metadata table {path}: not UTF-8 or GB18030 text")


def _normal_key(path: str) -> str:
    key = unicodedata.normalize("NFC", path.strip().replace("\\", "/"))
    return re.sub(r"^\./", "", key)


class TableJoin:
    """Rows of a metadata table found by a file's path under the corpus folder, or by document id.

    A row is matched by the exact relative path, the path without its suffix, or (for a key without a
    folder) the file name alone. ``unmatched()`` lists the rows no file used.
    """

    def __init__(self, frame: pd.DataFrame, name: str):
        self.frame, self.name = frame, name
        self.by_path: dict[str, int] = {}
        self.by_id: dict[str, int] = {}
        self.used: dict[int, list[str]] = {}
        key_column = next((c for c in _KEY_COLUMNS if c in frame.columns), None)
        for index, row in frame.iterrows():
            for column, table in ((key_column, self.by_path), ("id", self.by_id)):
                value = row.get(column) if column else None
                if value is None:
                    continue
                key = _normal_key(value) if table is self.by_path else value
                if key in table:
                    raise MetadataTableError(f"metadata table {name}: {column} {value!r} is in rows "
                                             f"{self.row(table[key])} and {self.row(index)}")
                table[key] = index

    def row(self, index: int) -> int:
        """The row's line number in the file (the header is line 1)."""
        return index + 2

    def match(self, relative_path: str | None, doc_id: str) -> tuple[int, dict] | None:
        keys = []
        if relative_path:
            key = _normal_key(relative_path)
            keys = [key, re.sub(r"\.[^./]+$", "", key), key.rsplit("/", 1)[-1], re.sub(r"\.[^./]+$", "", key.rsplit("/", 1)[-1])]
        index = next((self.by_path[k] for k in keys if k in self.by_path), None)
        if index is None:
            index = self.by_id.get(doc_id)
        if index is None:
            return None
        self.used.setdefault(index, []).append(doc_id)
        return index, self.frame.loc[index].to_dict()

    def unmatched(self) -> list[AuditNote]:
        """Audit notes for rows no file matched and rows several files matched."""
        notes = []
        for index, row in self.frame.iterrows():
            label = f"{self.name} row {self.row(index)}"
            key = next((row.get(c) for c in (*_KEY_COLUMNS, "id") if row.get(c) is not None), None)
            if index not in self.used:
                notes.append(AuditNote(label, "table", f"no file matches {key!r}: row not used"))
            elif len(self.used[index]) > 1:
                notes.append(AuditNote(label, "table", f"{key!r} matches several files: {', '.join(self.used[index])}"))
        return notes


def apply_table(meta: Metadata, values: dict, where: str) -> tuple[dict, list[tuple[str, str]]]:
    """Put a table row's year/unit/level/places/period into ``meta`` (the table wins) and return its other columns.

    Returns ``(covariates, notes)``; a malformed value leaves the text's value and adds a note.

    >>> m = Metadata(year=2024, sources={"year": "title"})
    >>> apply_table(m, {"path": "a.txt", "year": "2025", "region": "west"}, "t.csv row 2")
    ({'region': 'west'}, [('year', 't.csv row 2 says 2025, title says 2024: table kept')])
    >>> apply_table(m, {"year": "2O25"}, "t.csv row 3")[1]
    [('year', "t.csv row 3 has a malformed year '2O25': 2025 from the table kept")]
    """
    notes: list[tuple[str, str]] = []
    for name in TABLE_FIELDS:
        raw = values.get(name)
        if raw is None or (isinstance(raw, float) and raw != raw):
            continue
        value: object = raw
        if name == "year":
            match = re.fullmatch(r"\s*((?:19|20)\d{2})(?:\.0+)?\s*年?\s*", str(raw))
            if not match or not YEAR_RANGE[0] <= int(match.group(1)) <= YEAR_RANGE[1]:
                kept = f"{meta.year} from the {meta.sources.get('year', 'text')}" if meta.year is not None else "no year"
                notes.append(("year", f"{where} has a malformed year {raw!r}: {kept} kept"))
                continue
            value = int(match.group(1))
        elif name == "level":
            value = _LEVEL_WORDS.get(str(raw).strip(), str(raw).strip().lower())
            if value not in LEVELS:
                notes.append(("level", f"{where} has an unknown level {raw!r} (one of {', '.join(LEVELS)}): "
                                       f"{meta.level} from the {meta.sources.get('level', 'text')} kept"))
                continue
        elif name == "places":
            value = [p for p in re.split(r"[/,;、|>\s]+", str(raw)) if p]
        else:
            value = str(raw)
        current = getattr(meta, name)
        if current not in (None, [], "unknown") and current != value:
            shown = "/".join(current) if isinstance(current, list) else current
            notes.append((name, f"{where} says {'/'.join(value) if isinstance(value, list) else value}, "
                                f"{meta.sources.get(name, 'text')} says {shown}: table kept"))
        setattr(meta, name, value)
        meta.sources[name] = "table"
        if name == "unit":
            meta.unit_place = None
            parsed = parse_name(str(value))
            if parsed is not None and parsed.kind != "department":
                meta.unit_place = parsed.place
            for place in ([parsed.place] if parsed and parsed.place else []):
                if place not in meta.names and place not in _LEVEL_PREFIX:
                    meta.names.insert(0, place)
        if name == "places":
            meta.names += [p for p in value if p not in meta.names]
    covariates = {k: v for k, v in values.items() if k not in (*TABLE_FIELDS, *_KEY_COLUMNS, "id", "text")}
    return covariates, notes

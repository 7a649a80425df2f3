"""Synthetic corpus of N rule-of-law reports, assembled from the seed reports: FOR TIMING, NOT FOR FINDINGS.

The reports are shuffled and substituted paragraphs of the five reports in ``seeds/``: their
topics, trends and keywords mean nothing (every year is drawn from the same five reports). Use
the corpus to measure how the build's time and memory grow with the number of reports
(``benchmarks/bench_build.py``), never to report anything about government reports.

Each report keeps the structure the library parses: a header line naming the unit
("重庆市XX区YY镇人民政府", "AB省CD市人民政府", "EF县司法局" ...), a title
"关于2019年法治政府建设情况的报告", an opening sentence, top-level headings 一、二、… for
achievements, problems, the leaders' duties and next year's plans (order, wording and presence
vary), numbered sub-headings and paragraphs. Years 2015-2025 are spread evenly; units are
townships (镇/乡/街道), counties (县/区), cities (市) and departments (司法局 …) with invented
two-character place names. The unit's own names replace the seed's town and county names; the
report's year replaces the seed's years (shifted by the same offset in the body); counts are
redrawn and sentences dropped or swapped, so paragraphs are not verbatim repeats. Encodings:
about 75% UTF-8, 10% GB18030, 8% UTF-16 with BOM, 7% UTF-8 with BOM; about 5% have CRLF line
ends and about 10% full-width punctuation. About 3,500 characters per report.

The same N and ``--seed`` give byte-identical files. The expected year, unit, level and places
of each file are written to ``OUT/.truth.tsv`` (hidden, so ``load_corpus`` does not see it).

    python benchmarks/make_corpus.py 1000 /tmp/corpus [--seed 1] [--check]

``--check`` loads (up to) 200 of the generated files with ``govtopics.load_corpus`` and
prints how many have the expected year, unit, level and places.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
YEARS = range(2015, 2026)

# Characters for invented place names: none is an administrative suffix (省市区县镇乡州旗盟…),
# none forms a word the metadata rules treat as "not a name" (法治, 建设, 工作, 年 …).
NAME_CHARS = (
    "安柏碧苍长辰澄翠丹德东峨枫丰凤福富高古广桂海禾和红虹鸿华桦槐黄嘉江金锦晋景靖九峻康兰岚蓝澜乐黎莲良林临灵柳龙隆芦鹿罗"
    "梅美明铭南宁平浦朴齐启清庆泉仁荣瑞润山上尚石双顺松泰棠桃天田通桐万旺望文五西溪仙祥湘兴杏秀轩雅岩阳杨耀宜永优榆玉元"
    "岳云长樟昭珍正枝中舟竹紫"
)
PROVINCE_SUFFIX = "省"
TOWN_SUFFIXES = ("镇", "镇", "镇", "乡", "街道")
DEPARTMENTS = ("司法局", "司法局", "市场监督管理局", "生态环境局", "交通运输局", "农业农村委员会", "应急管理局",
               "财政局", "卫生健康委员会", "人力资源和社会保障局", "城市管理局", "教育委员会")
LEVEL_WEIGHTS = (("township", 50), ("county", 20), ("city", 10), ("department", 20))
ENCODINGS = (("utf-8", 75), ("gb18030", 10), ("utf-16", 8), ("utf-8-sig", 7))

# Seed names replaced by the unit's own (seed town, seed county).
SEED_TOWNS = ("大进", "青木关", "西仓", "双龙", "雍溪")
SEED_COUNTIES = ("开州区", "沙坪坝区", "巫山县", "大足区")

HEADINGS = {
    "achievements": ("{y}年推进法治政府建设的主要举措和成效", "推进法治政府建设的主要举措和成效", "工作开展情况",
                     "推进法治政府建设的主要举措及成效", "{y}年法治政府建设主要工作及成效"),
    "problems": ("{y}年推进法治政府建设存在的不足和原因", "推进法治政府建设存在的不足和原因", "存在的不足和原因",
                 "存在的问题和不足"),
    "duties": ("党政主要负责人履行推进法治建设第一责任人职责情况",
               "{y}年主要负责人履行推进法治建设第一责任人职责,加强法治政府建设的有关情况"),
    "plans": ("{n}年推进法治政府建设的工作思路、目标举措", "下一年推进法治政府建设的主要安排", "{n}年工作安排",
              "下一步工作打算", "{n}年推进法治政府建设的工作思路目标举措"),
    "mixed": ("存在的问题及下一步工作打算", "存在的问题及{n}年工作安排"),
}
TITLES = ("关于{y}年法治政府建设情况的报告",) * 6 + ("关于{y}年度法治政府建设情况的报告",) * 3 + ("{y}年法治政府建设情况报告",)
ORDERS = (
    ("achievements", "problems", "duties", "plans"),
    ("achievements", "problems", "duties", "plans"),
    ("achievements", "duties", "problems", "plans"),
    ("achievements", "duties", "problems", "plans"),
    ("achievements", "problems", "plans"),
    ("achievements", "mixed"),
    ("achievements", "duties", "mixed"),
)
# Characters per part, before jitter (header, title and opening add about 300).
TARGETS = {"achievements": 1450, "problems": 450, "duties": 400, "plans": 600}
CN_NUM = "一二三四五六七八九十"
_H1 = re.compile(rf"^[{CN_NUM}]{{1,2}}、")
_H2 = re.compile(rf"^\([{CN_NUM}]{{1,2}}\)\s*")
_JUNK = re.compile(r"扫一扫|微信|二维码|日期:|字号|分享|打印")
_YEAR = re.compile(r"(?<![\d\-~至到—])(20\d{2})(?=\s*年)")
_COUNT = re.compile(r"(?<![\d\-年.])(\d{1,3})(?=\s*(?:余)?(?:次|场|件|名|个|条|人|项|期|篇|户|份|起|家|支|处|万))")
_FULL_WIDTH = str.maketrans({",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "!": "！", "?": "？"})


# -- seed pools ---------------------------------------------------------------------------------------


@dataclass
class Pools:
    openings: list[tuple[str, int]] = field(default_factory=list)  # (text, seed year)
    intros: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    blocks: dict[str, list[tuple[list[str], int]]] = field(default_factory=dict)  # part -> (lines, seed year)


def _part(title: str) -> str:
    if re.search(r"第一责任人|负责人", title):
        return "duties"
    if re.search(r"问题|不足", title):
        return "mixed" if re.search(r"打算|安排|下一步", title) else "problems"
    if re.search(r"安排|思路|打算|下一", title):
        return "plans"
    return "achievements"


def _blocks(lines: list[str]) -> tuple[list[str], list[list[str]]]:
    """(intro lines, blocks): a block is a sub-heading with its paragraphs, or one paragraph."""
    intro: list[str] = []
    blocks: list[list[str]] = []
    current: list[str] | None = None
    has_heading = any(_H2.match(line) for line in lines)
    for line in lines:
        if _H2.match(line):
            current = [line]
            blocks.append(current)
        elif current is not None:
            current.append(line)
        elif has_heading:
            intro.append(line)
        else:
            blocks.append([line])
    return intro, blocks


def load_pools(seeds: Path = SEEDS) -> Pools:
    pools = Pools(intros={p: [] for p in TARGETS}, blocks={p: [] for p in TARGETS})
    for path in sorted(seeds.glob("*.txt")):
        text = unicodedata.normalize("NFKC", path.read_text(encoding="utf-8")).replace("\u2014", "-")
        lines = [line.strip() for line in text.splitlines() if line.strip() and not _JUNK.search(line)]
        first = next(i for i, line in enumerate(lines) if _H1.match(line))
        seed_year = next(int(m.group(1)) for line in lines[:first + 1] if (m := _YEAR.search(line)))
        opening = next((line for line in reversed(lines[:first]) if len(line) > 40), None)
        if opening:
            pools.openings.append((opening, seed_year))
        heads = [i for i, line in enumerate(lines) if _H1.match(line)] + [len(lines)]
        for start, end in zip(heads, heads[1:]):
            part = _part(lines[start])
            body = [line for line in lines[start + 1:end] if "。" in line or _H2.match(line) or len(line) > 20]
            if part == "mixed":
                cut = next((i for i, line in enumerate(body) if i > 0 and (_H2.match(line) or line.startswith("一是"))), 1)
                sections = (("problems", body[:cut]), ("plans", body[cut:]))
            else:
                sections = ((part, body),)
            for name, section_lines in sections:
                intro, blocks = _blocks(section_lines)
                pools.intros[name] += [(line, seed_year) for line in intro]
                pools.blocks[name] += [(block, seed_year) for block in blocks]
    return pools


# -- units --------------------------------------------------------------------------------------------


@dataclass
class Unit:
    level: str
    header: str            # the unit line at the top, e.g. 重庆市安康区福田镇人民政府
    unit: str              # what load_corpus should read as the unit, e.g. 福田镇人民政府
    places: list[str]      # the parent places it should read
    place: str             # the unit's own place, e.g. 福田镇 (a department: its county/city)
    short: str             # the bare name, e.g. 福田
    parent: str            # the supervising level's one-character name: 区, 县, 市
    self_word: str         # 镇, 乡, 街道, 区, 县, 市, 局


def _name(rng: random.Random) -> str:
    return "".join(rng.sample(NAME_CHARS, 2))


def make_unit(rng: random.Random) -> Unit:
    level = rng.choices([lv for lv, _ in LEVEL_WEIGHTS], [w for _, w in LEVEL_WEIGHTS])[0]
    province = rng.choice(["重庆市", _name(rng) + PROVINCE_SUFFIX])
    in_municipality = province == "重庆市"
    county_suffix = rng.choice("区县")
    if level == "township":
        town, suffix = _name(rng), rng.choice(TOWN_SUFFIXES)
        county = _name(rng) + county_suffix
        chain = [province, county] if in_municipality else [_name(rng) + "市", county]
        if rng.random() < 0.25:  # some headers name only the county
            chain = chain[1:]
        gov = "街道办事处" if suffix == "街道" else "人民政府"
        place = town + suffix
        return Unit("township", "".join(chain) + place + gov, place + gov, chain, place, town,
                    county_suffix, "乡" if suffix == "乡" else ("街道" if suffix == "街道" else "镇"))
    if level == "county":
        name = _name(rng)
        place = name + county_suffix
        chain = [province] if in_municipality else [province, _name(rng) + "市"]
        return Unit("county", "".join(chain) + place + "人民政府", place + "人民政府", chain, place, name,
                    "市", county_suffix)
    if level == "city":
        name = _name(rng)
        place = name + "市"
        province = _name(rng) + PROVINCE_SUFFIX
        return Unit("city", province + place + "人民政府", place + "人民政府", [province], place, name, "省", "市")
    dept = rng.choice(DEPARTMENTS)
    name = _name(rng)
    place = name + rng.choice([county_suffix, county_suffix, "市"])
    chain = [province] if (in_municipality or place.endswith("市")) else []
    return Unit("department", "".join(chain) + place + dept, place + dept, chain, place, name,
                place[-1], "局" if dept.endswith("局") else "委")


# -- text ---------------------------------------------------------------------------------------------


def _substitute(text: str, unit: Unit, year: int, seed_year: int, rng: random.Random) -> str:
    """The unit's names for the seed's, the report's years for the seed's, counts redrawn."""
    county = unit.places[-1] if unit.level == "township" else unit.place
    for town in SEED_TOWNS:
        if unit.level == "department":  # a department's report names the department, not a government
            text = text.replace(town + "镇人民政府", unit.unit).replace(town + "镇", unit.unit)
        text = text.replace(town + "镇", unit.place).replace(town, unit.short)
    for seed_county in SEED_COUNTIES:
        text = text.replace(seed_county, county).replace(seed_county[:-1], county[:-1])
    own = unit.self_word
    if own != "镇":
        for word in ("我镇", "全镇", "本镇", "镇党委", "镇政府", "镇村", "镇级", "镇域", "镇长", "依法治镇", "镇委"):
            text = text.replace(word, word.replace("镇", own))
    parent = unit.parent
    if parent != "区":
        text = re.sub(r"(?<![社地城])区(委|政府|司法局)", lambda m: parent + m.group(1), text)
    text = _YEAR.sub(lambda m: str(year + int(m.group(1)) - seed_year), text)
    return _COUNT.sub(lambda m: str(rng.randint(1, 2 * int(m.group(1)) + 5)), text)


def _vary(text: str, rng: random.Random) -> str:
    """Drop or swap a sentence now and then, so paragraphs differ between reports."""
    sentences = [s for s in re.split(r"(?<=。)", text) if s]
    if len(sentences) >= 4 and rng.random() < 0.4:
        del sentences[rng.randrange(1, len(sentences))]
    if len(sentences) >= 4 and rng.random() < 0.4:
        i = rng.randrange(1, len(sentences) - 1)
        sentences[i], sentences[i + 1] = sentences[i + 1], sentences[i]
    return "".join(sentences)


def _section(part: str, pools: Pools, unit: Unit, year: int, rng: random.Random, target: int) -> list[str]:
    lines: list[str] = []
    intros, blocks = pools.intros[part], list(pools.blocks[part])
    if intros and rng.random() < 0.5:
        line, seed_year = rng.choice(intros)
        lines.append(_substitute(line, unit, year, seed_year, rng))
    rng.shuffle(blocks)
    chars, number = 0, 0
    for block, seed_year in blocks:
        if chars >= target:
            break
        for i, line in enumerate(block):
            line = _vary(_substitute(line, unit, year, seed_year, rng), rng)
            if i == 0 and _H2.match(line):
                number += 1
                line = f"({CN_NUM[number - 1] if number <= 10 else '十' + CN_NUM[number - 11]})" + _H2.sub("", line)
            lines.append(line)
            chars += len(line)
    return lines


def make_report(pools: Pools, unit: Unit, year: int, rng: random.Random) -> str:
    lines: list[str] = []
    if unit.level in ("township", "county") and rng.random() < 0.3:
        lines.append("中共" + "".join(unit.places) + unit.place + "委员会")
    lines.append(unit.header)
    lines.append(rng.choice(TITLES).format(y=year))
    if rng.random() < 0.7:
        lines.append(f"{unit.parent}委、{unit.parent}政府:")
    opening, seed_year = rng.choice(pools.openings)
    lines.append(_substitute(opening, unit, year, seed_year, rng))
    order = rng.choice(ORDERS)
    for number, part in enumerate(order, start=1):
        title = rng.choice(HEADINGS[part]).format(y=year, n=year + 1)
        lines.append(f"{CN_NUM[number - 1]}、{title}")
        scale = rng.uniform(0.8, 1.2)
        if part == "mixed":
            problems = pools.intros["problems"] + [(b[0], y) for b, y in pools.blocks["problems"] if not _H2.match(b[0])]
            line, seed_year = rng.choice(problems)
            lines.append(_substitute(line, unit, year, seed_year, rng))
            # the plans start at a sub-heading, where the library splits a problems-and-plans section
            plan_blocks = [(b, y) for b, y in pools.blocks["plans"] if _H2.match(b[0])]
            lines += _section("plans", Pools(intros={"plans": []}, blocks={"plans": plan_blocks}),
                              unit, year, rng, int(TARGETS["plans"] * scale))
        else:
            lines += _section(part, pools, unit, year, rng, int(TARGETS[part] * scale))
    if rng.random() < 0.4:
        lines += [unit.unit, f"{year + 1}年{rng.randint(1, 3)}月{rng.randint(1, 28)}日"]
    return "\n".join(lines) + "\n"


def generate(n: int, out: str | Path, seed: int = 1) -> list[dict[str, str]]:
    """Write ``n`` reports into ``out`` and ``out/.truth.tsv``; return the truth rows."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    pools = load_pools()
    rng = random.Random(seed)
    years = [YEARS[i % len(YEARS)] for i in range(n)]
    rng.shuffle(years)
    rows = []
    for i, year in enumerate(years):
        unit = make_unit(rng)
        text = make_report(pools, unit, year, rng)
        if rng.random() < 0.10:
            text = text.translate(_FULL_WIDTH)
        if rng.random() < 0.05:
            text = text.replace("\n", "\r\n")
        encoding = rng.choices([e for e, _ in ENCODINGS], [w for _, w in ENCODINGS])[0]
        name = f"r{i:06d}.txt"
        (out / name).write_bytes(text.encode(encoding))
        rows.append({"file": name, "year": str(year), "unit": unit.unit, "level": unit.level,
                     "places": "/".join(unit.places), "encoding": encoding,
                     "characters": str(len(re.sub(r"\s", "", text)))})
    with open(out / ".truth.tsv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return rows


def read_truth(out: str | Path) -> list[dict[str, str]]:
    with open(Path(out) / ".truth.tsv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def check(out: str | Path, sample: int = 200) -> bool:
    """Load up to ``sample`` generated files with the library and compare year, unit, level, places."""
    from govtopics import load_corpus

    out = Path(out)
    truth = read_truth(out)[:sample]
    corpus = load_corpus([out / row["file"] for row in truth])
    by_id = {doc.id: doc for doc in corpus}
    counts = dict.fromkeys(("loaded", "year", "unit", "level", "places"), 0)
    wrong: list[str] = []
    parts: dict[str, int] = {}
    for row in truth:
        doc = by_id.get(row["file"][:-4])
        if doc is None:
            continue
        counts["loaded"] += 1
        got = {"year": str(doc.year), "unit": doc.unit, "level": doc.level, "places": "/".join(doc.places)}
        for key, value in got.items():
            if value == row[key]:
                counts[key] += 1
            elif len(wrong) < 8:
                wrong.append(f"  {row['file']} ({row['encoding']}) {key}: expected {row[key]!r}, read {value!r}")
        for section in doc.sections:
            parts[section.part] = parts.get(section.part, 0) + 1
    n = len(truth)
    print(f"check on {n} files: " + ", ".join(f"{k} {v}/{n}" for k, v in counts.items()))
    for s in corpus.skipped:
        print(f"  skipped {s.path}: {s.reason}")
    print("\n".join(wrong))
    print("  sections by part: " + ", ".join(f"{k} {v}" for k, v in sorted(parts.items())))
    return all(v == n for v in counts.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="number of reports")
    parser.add_argument("out", help="output folder")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--check", action="store_true", help="load 200 files with govtopics and compare metadata")
    args = parser.parse_args(argv)
    rows = generate(args.n, args.out, args.seed)
    chars = sum(int(r["characters"]) for r in rows)
    print(f"wrote {len(rows)} reports, {chars / 1e6:.2f} M characters ({chars / len(rows):.0f} a report) to {args.out}")
    if args.check:
        return 0 if check(args.out) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Bad input: every file ends as a document or a skip with its reason, and never costs another document."""

import codecs
import io
import os
import random
import re
import time
import zipfile
from collections import Counter

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import seed_path
from govtopics import load_corpus
from govtopics.cleaning import clean_text, looks_like_html
from govtopics.metadata import YEAR_RANGE, extract_metadata
from govtopics.reading import MAX_BYTES, decode_bytes
from govtopics.structure import header_length, parse_structure, split_units

SEEDS = ["000", "001", "002", "003", "004"]
GOOD = ("good", 2022, "青木关镇人民政府", ["重庆市", "沙坪坝区"])  # seed 001, put next to each bad file


def seed_text(prefix: str) -> str:
    return seed_path(prefix).read_text(encoding="utf-8")


def with_good_seed(folder):
    (folder / f"{GOOD[0]}.txt").write_text(seed_text("001"), encoding="utf-8")
    return folder


def assert_good_seed_loaded(corpus):
    doc = corpus[GOOD[0]]
    assert (doc.id, doc.year, doc.unit, doc.places) == GOOD


def reasons(corpus) -> dict[str, str]:
    return {os.path.basename(s.path): s.reason for s in corpus.skipped}


# -- encodings, line ends, widths: the same text and metadata as the UTF-8 original -------------

def alternate_fullwidth(text: str) -> str:
    """Every other ASCII letter, digit or punctuation mark in its full-width form."""
    flip = iter(range(len(text)))
    return re.sub(r"[0-9A-Za-z,:;()!?%]", lambda m: chr(ord(m.group()) + 0xFEE0) if next(flip) % 2 else m.group(), text)


def gbk(text: str) -> bytes:
    return text.replace("\u2002", " ").encode("gbk")  # 003 has an en space GBK lacks; NFKC makes it a space anyway


VARIANTS = {
    "gbk": gbk,
    "utf-16-le-bom": lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
    "utf-16-be-bom": lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
    "utf-8-bom-crlf": lambda t: t.replace("\n", "\r\n").encode("utf-8-sig"),
    "cr-only": lambda t: t.replace("\n", "\r").encode("utf-8"),
    "mixed-widths": lambda t: alternate_fullwidth(t).encode("utf-8"),
    "gbk-crlf-mixed-widths": lambda t: gbk(alternate_fullwidth(t).replace("\n", "\r\n")),
}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("prefix", SEEDS)
def test_variant_loads_like_the_utf8_original(tmp_path, prefix, variant):
    (tmp_path / "variant.txt").write_bytes(VARIANTS[variant](seed_text(prefix)))
    neighbour = SEEDS[(SEEDS.index(prefix) + 1) % len(SEEDS)]
    (tmp_path / "zz_neighbour.txt").write_text(seed_text(neighbour), encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert corpus.skipped == []
    for doc, original in zip(corpus, [prefix, neighbour]):
        reference = load_corpus(seed_path(original))[0]
        assert doc.text == reference.text
        assert doc.meta == reference.meta  # year, unit, level, places and where each was found


# -- files that are not reports: each skipped with its reason, the good seed still loads --------

def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document><w:t>关于2023年法治政府建设情况的报告</w:t></w:document>")
    return buffer.getvalue()


BAD_FILES = {
    "empty.txt": (b"", "empty file"),
    "spaces.txt": (b" \t\r\n \n", "empty file"),
    "ideographic-spaces.txt": ("\u3000\u3000\n\u3000".encode("utf-8"), "empty file"),
    "bom-only.txt": (codecs.BOM_UTF8, "empty file"),
    "utf16-spaces.txt": (codecs.BOM_UTF16_LE + "  \r\n".encode("utf-16-le"), "empty file"),
    "random.txt": (random.Random(0).randbytes(5000), "binary file: NUL bytes and no text encoding fits"),
    "png.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(200), "binary file: a PNG image"),
    "docx-renamed.txt": (docx_bytes(), "binary file: a zip archive (.docx, .xlsx, ...)"),
    "pdf-renamed.txt": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "binary file: a PDF document"),
    "report.docx": (docx_bytes(), "unsupported file type .docx"),
    "numbers-only.txt": (b"1\n- 2 -\n3/5\n", "no text left after removing web-page debris"),
    "title-only.txt": ("关于2023年法治政府建设情况的报告\n".encode("utf-8"), "no body text: only title or header lines"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_file_is_skipped_with_its_reason(tmp_path, name):
    data, reason = BAD_FILES[name]
    (with_good_seed(tmp_path) / name).write_bytes(data)
    corpus = load_corpus(tmp_path)
    assert reasons(corpus)[name] == reason
    assert [d.id for d in corpus] == [GOOD[0]] and len(corpus.skipped) == 1
    assert_good_seed_loaded(corpus)


def test_unreadable_file_and_folder(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("running as root: file permissions are not enforced")
    (with_good_seed(tmp_path) / "locked.txt").write_text(seed_text("000"), encoding="utf-8")
    (tmp_path / "locked.txt").chmod(0)
    (tmp_path / "locked_dir").mkdir()
    (tmp_path / "locked_dir" / "inside.txt").write_text(seed_text("002"), encoding="utf-8")
    (tmp_path / "locked_dir").chmod(0)
    try:
        corpus = load_corpus(tmp_path)
    finally:
        (tmp_path / "locked.txt").chmod(0o644)
        (tmp_path / "locked_dir").chmod(0o755)
    assert reasons(corpus) == {"locked.txt": "unreadable: Permission denied", "locked_dir": "unreadable: Permission denied"}
    assert_good_seed_loaded(corpus)


def test_read_errors_are_recorded_as_unreadable(tmp_path, monkeypatch):
    """The errors of a permission-000 file and folder, forced, so this also runs as root."""
    (with_good_seed(tmp_path) / "locked.txt").write_text(seed_text("000"), encoding="utf-8")
    (tmp_path / "locked_dir").mkdir()
    (tmp_path / "locked_dir" / "inside.txt").write_text(seed_text("002"), encoding="utf-8")
    real_open, real_scandir = type(tmp_path).open, os.scandir

    def open_(path, *args, **kwargs):
        if path.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    def scandir(path):
        if os.path.basename(path) == "locked_dir":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(type(tmp_path), "open", open_)
    monkeypatch.setattr(os, "scandir", scandir)
    corpus = load_corpus(tmp_path)
    assert reasons(corpus) == {"locked.txt": "unreadable: Permission denied", "locked_dir": "unreadable: Permission denied"}
    assert_good_seed_loaded(corpus)


def test_links_and_special_files_get_a_reason_and_do_not_hang(tmp_path):
    with_good_seed(tmp_path)
    os.mkfifo(tmp_path / "pipe.txt")  # reading it would block forever
    (tmp_path / "broken.txt").symlink_to(tmp_path / "gone.txt")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "linked").symlink_to(tmp_path / "elsewhere")
    corpus = load_corpus(tmp_path)
    assert reasons(corpus) == {
        "pipe.txt": "not a regular file",
        "broken.txt": "no such file or folder (broken link)",
        "linked": "link to a folder, not followed",
    }
    assert_good_seed_loaded(corpus)


# -- size limit --------------------------------------------------------------------------------

def write_repeated(path, text: str, size: int) -> None:
    """``text`` repeated to ``size`` bytes, cut at the end of a line."""
    chunk = text.encode("utf-8") * (1_000_000 // len(text.encode("utf-8")) + 1)
    with open(path, "wb") as handle:
        while handle.tell() < size:
            handle.write(chunk)
        handle.truncate(size)
    with open(path, "rb+") as handle:
        handle.seek(size - 4096)
        handle.truncate(size - 4096 + handle.read().rindex(b"\n") + 1)


def test_200_mb_file_is_skipped_fast_and_reported(tmp_path):
    write_repeated(with_good_seed(tmp_path) / "dump.txt", seed_text("000"), 200_000_000)
    start = time.perf_counter()
    corpus = load_corpus(tmp_path)
    assert time.perf_counter() - start < 5
    assert MAX_BYTES == 50_000_000
    assert reasons(corpus) == {"dump.txt": "too large: 200 MB > 50 MB limit"}
    assert_good_seed_loaded(corpus)


def test_max_bytes_sets_the_limit_and_none_lifts_it(tmp_path):
    write_repeated(tmp_path / "big.txt", seed_text("000") + "\n", 20_000_000)
    assert reasons(load_corpus(tmp_path, max_bytes=10_000_000)) == {"big.txt": "too large: 20 MB > 10 MB limit"}
    # 7 million characters: past max_chars, whose limit is lifted the same way
    assert reasons(load_corpus(tmp_path, max_bytes=None)) == {"big.txt": "too long: 7,039,676 characters > 1,000,000 limit"}
    corpus = load_corpus(tmp_path, max_bytes=None, max_chars=None)
    assert corpus.skipped == []
    assert (corpus[0].year, corpus[0].unit) == (2025, "大进镇人民政府")
    assert len(corpus[0].text) > 6_000_000


# -- years -------------------------------------------------------------------------------------

def test_report_without_a_year_is_loaded_with_year_not_found(tmp_path):
    (with_good_seed(tmp_path) / "undated.txt").write_text(re.sub(r"(19|20)\d\d", "", seed_text("000")), encoding="utf-8")
    corpus = load_corpus(tmp_path)
    doc = corpus["undated"]
    assert (doc.year, doc.meta.sources["year"], doc.unit) == (None, "not found", "大进镇人民政府")
    assert_good_seed_loaded(corpus)


@pytest.mark.parametrize("year", ["1900", "2099", "1948", "2051"])
def test_year_out_of_range_is_no_year(tmp_path, year):
    (with_good_seed(tmp_path) / "odd.txt").write_text(re.sub(r"20\d\d", year, seed_text("000")), encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert f"关于{year}年度法治政府建设情况的报告" in corpus["odd"].text
    assert (corpus["odd"].year, corpus["odd"].meta.sources["year"]) == (None, "not found")
    assert_good_seed_loaded(corpus)


def test_a_year_with_a_single_report(tmp_path):
    for prefix in ["000", "001", "002"]:
        (tmp_path / f"{prefix}.txt").write_text(seed_text(prefix), encoding="utf-8")
    assert Counter(d.year for d in load_corpus(tmp_path)) == {2025: 2, 2022: 1}


# -- duplicates and ids ------------------------------------------------------------------------

def test_same_text_in_any_encoding_is_a_duplicate_of_the_first(tmp_path):
    text = seed_text("000")
    (tmp_path / "a_original.txt").write_text(text, encoding="utf-8")
    (tmp_path / "b_copy.txt").write_text(text, encoding="utf-8")
    (tmp_path / "c_gbk.txt").write_bytes(text.encode("gbk"))
    (tmp_path / "d_utf16.txt").write_bytes(text.encode("utf-16"))
    (tmp_path / "e_crlf_fullwidth.txt").write_bytes(alternate_fullwidth(text).replace("\n", "\r\n").encode("utf-8"))
    with_good_seed(tmp_path)
    corpus = load_corpus(tmp_path)
    assert [d.id for d in corpus] == ["a_original", "good"]
    assert reasons(corpus) == dict.fromkeys(["b_copy.txt", "c_gbk.txt", "d_utf16.txt", "e_crlf_fullwidth.txt"], "duplicate of a_original")
    assert load_corpus(tmp_path).skipped == corpus.skipped  # sorted, so the same file is kept every time
    everything = load_corpus(tmp_path, deduplicate=False)
    assert len(everything) == 6 and everything.skipped == []


def test_duplicate_rows_of_a_dataframe():
    text = seed_text("002")
    corpus = load_corpus(pd.DataFrame({"id": ["x", "y"], "text": [text, text]}))
    assert [d.id for d in corpus] == ["x"] and corpus.skipped[0].path == "y" and corpus.skipped[0].reason == "duplicate of x"


def test_same_file_name_in_two_folders_gets_two_ids(tmp_path):
    for folder, prefix in [("a", "000"), ("b", "002")]:
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "report.txt").write_text(seed_text(prefix), encoding="utf-8")
    assert [d.id for d in load_corpus(tmp_path)] == ["report", "b/report"]
    listed = load_corpus([tmp_path / "a" / "report.txt", tmp_path / "b" / "report.txt"])
    assert [d.id for d in listed] == ["report", (tmp_path / "b" / "report").as_posix()]


# -- HTML saved as .txt ------------------------------------------------------------------------

def html_page(report: str) -> str:
    paragraphs = "\n".join(f"      <p style=\"text-indent:2em\">{line}</p>" for line in report.split("\n") if line.strip())
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
  <meta charset="gb2312">
  <title>关于2025年度法治政府建设情况的报告_重庆市开州区人民政府</title>
  <style>.nav {{ color: #333; }} p {{ line-height: 2; }}</style>
  <script>var _hmt = _hmt || []; (function() {{ var hm = document.createElement("script"); }})();</script>
</head>
<body>
  <div class="nav"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a></div>
  <div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 法治政府建设</div>
  <div class="info">发布日期：2026-01-15&nbsp;&nbsp;</div>
  <div class="font">【字体：<a>大</a> <a>中</a> <a>小</a>】</div>
  <div class="article">
    <!-- 正文开始 -->
{paragraphs}
  </div>
  <div class="share">分享到：<a>微信</a> <a>微博</a></div>
  <script type="text/javascript">document.write('<img src="/count.gif">');</script>
</body>
</html>
"""


def test_html_page_saved_as_txt_is_reduced_to_its_report(tmp_path):
    report = seed_text("000")
    page = html_page(report)
    (with_good_seed(tmp_path) / "page.txt").write_bytes(page.encode("gbk"))
    corpus = load_corpus(tmp_path)
    doc, reference = corpus["page"], load_corpus(seed_path("000"))[0]
    assert (doc.year, doc.unit, doc.level, doc.places) == (2025, "大进镇人民政府", "township", ["重庆市", "开州区"])
    assert doc.text.split("\n")[0] == "首页 | 政务公开"  # page text outside the report stays: it is not markup
    assert doc.text.endswith(reference.text)
    assert not re.search(r"[<>{}]|_hmt|nbsp", doc.text)
    removed = [(r.rule, r.text) for r in doc.cleaning.removed]
    assert removed[0] == ("html markup", f"{len(re.findall(r'<[!/a-z]', page)) - 1} tags")  # one <img is script text
    assert ("html markup", "关于2025年度法治政府建设情况的报告_重庆市开州区人民政府 .nav { color: #333; } p { line-height: 2; } "
            "var _hmt = _hmt || []; (function() { var hm = document.createElement(\"script\"); })();") in removed
    assert ("html markup", "正文开始") in removed
    assert ("html markup", "document.write('<img src=\"/count.gif\">');") in removed
    assert {rule for rule, _ in removed} == {"html markup", "breadcrumb", "publication date", "font size widget", "share widget"}
    assert_good_seed_loaded(corpus)


def test_html_detection():
    assert looks_like_html("  <html><body>正文</body></html>")
    assert looks_like_html("HTTP/1.1 200 OK\nContent-Type: text/html\n\n<!DOCTYPE html>\n<p>正文</p>")
    assert looks_like_html("<p>一、主要举措</p>" * 5)  # ten tags, no <html>
    assert not looks_like_html(seed_text("003"))
    assert not looks_like_html("收入<5万元,占比>30%的农户<br>共12户")


# -- thousands of tiny files -------------------------------------------------------------------

def test_thousands_of_tiny_files_are_all_recorded_quickly(tmp_path):
    kinds = [
        lambda i: b"" if i % 2 else b" \n",
        lambda i: b"\x00\x01\x02" + bytes(range(i % 17)),
        lambda i: f"{i}\n".encode(),
        lambda i: f"目录{i}".encode(),
        lambda i: f"依法行政{i}。".encode(),
        lambda i: "依法行政。".encode(),
    ]
    for i in range(3000):
        data = kinds[i % 6](i)
        assert len(data) <= 20
        (tmp_path / f"{i:04d}.txt").write_bytes(data)
    start = time.perf_counter()
    corpus = load_corpus(tmp_path)
    assert time.perf_counter() - start < 10
    assert len(corpus) + len(corpus.skipped) == 3000
    assert len(corpus) == 501
    assert Counter(s.reason for s in corpus.skipped) == {
        "empty file": 500,
        "binary file: control bytes in the content": 500,
        "no text left after removing web-page debris": 500,
        "no body text: only title or header lines": 500,
        "duplicate of 0005": 499,
    }


# -- hidden entries ----------------------------------------------------------------------------

def test_hidden_files_and_folders_are_not_inputs(tmp_path):
    with_good_seed(tmp_path)
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + bytes(100))
    (tmp_path / "._good.txt").write_bytes(b"\x00\x05\x16\x07" + bytes(60))  # macOS resource fork
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD.txt").write_text(seed_text("002"), encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert [d.id for d in corpus] == ["good"] and corpus.skipped == []
    assert_good_seed_loaded(corpus)
    named = load_corpus(tmp_path / ".git" / "HEAD.txt")  # named explicitly, a hidden file is an input
    assert (named[0].id, named[0].year) == ("HEAD", 2025)


# -- audit line numbers ------------------------------------------------------------------------

def test_leading_blank_lines_keep_the_audit_line_numbers():
    result = clean_text("\n\n扫一扫在手机打开当前页\n本县坚持依法行政。")
    assert [(r.line, r.rule) for r in result.removed] == [(3, "scan to open")]


# -- fuzzing -----------------------------------------------------------------------------------

MARKERS = ["一、", "二、", "十一、", "三.", "(三)", "( 四 )", "1.", "2、", "(4)", "1.5", "一是", "二是", "", "", ""]
WORDS = ["问题", "下一步", "打算", "举措和成效", "第一责任人", "其他", "人民政府", "委员会", "2024年", "2025年12月9日",
         "将", "。", ";", "!", ":", " ", "\u3000", "一是", "区委、区政府:", "关于2023年度法治政府建设情况的报告"]
cjk = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4E40), max_size=30)
line = st.tuples(
    st.sampled_from(MARKERS), st.lists(st.one_of(cjk, st.sampled_from(WORDS), st.text(max_size=8)), max_size=8).map("".join)
).map("".join)
report = st.lists(line, max_size=20).map("\n".join)
TAGS = ["<html>", "</html>", "<head>", "</head>", "<title>", "</title>", "<body>", "<p>", "</p>", "<br>", "<br/>",
        "<div class='x'>", "</div>", "<script>", "</script>", "<style>", "</style>", "<!-- c -->", "<!DOCTYPE html>",
        "&nbsp;", "&#65292;", "&#13;", "<", ">", "</", "<!", "&", "<p", "\n", "\n<html>", "扫一扫在手机打开当前页"]
page = st.lists(st.one_of(st.sampled_from(TAGS), line, st.text(max_size=8)), max_size=40).map("".join)


def no_space(text: str) -> str:
    return re.sub(r"\s", "", text)


def without_markers(text: str) -> str:
    """The text without whitespace and without the characters heading markers and title stops are made of.

    What remains must come through structuring in the same order, nothing lost or doubled;
    numerals, digits and stops of the body are left out of the comparison with the markers.
    """
    return re.sub(r"[\s一二三四五六七八九十0-9、.()。;!?]", "", text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(page, report))
@example("0 \u00b8")  # NFKC makes the cedilla a space and a combining mark: a break only the second pass saw
def test_cleaning_html_never_raises_and_is_idempotent(text):
    once = clean_text(text).text
    assert clean_text(once).text == once


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report, st.integers(min_value=10, max_value=400), st.sampled_from(["rule_of_law", "government_work", None]))
def test_structure_keeps_every_character_and_bounds_units(raw, max_chars, genre):
    """Header lines, section titles, units and signature lines give back the whole cleaned text.

    Lost are only whitespace, heading markers and the stop ending a heading's title; a section
    split between two parts carries its title once. No unit is longer than ``max_chars``.
    """
    text = clean_text(raw).text
    sections = parse_structure(text, genre)
    lines = [text_line for text_line in text.split("\n") if text_line.strip()]
    rebuilt = lines[: header_length(lines)]
    per_section = []
    for i, section in enumerate(sections):
        is_signature = section.title == "signature" and i == len(sections) - 1
        if not (is_signature or section.title == "preamble" or section.continued):
            rebuilt.append(section.title)
        units = [] if is_signature else split_units([section], max_chars)
        per_section += units
        rebuilt += section.lines if is_signature else [u.text for u in units]
    all_units = split_units(sections, max_chars)
    assert [u.text for u in all_units] == [u.text for u in per_section]
    assert all(len(u.text) <= max_chars for u in all_units)
    assert without_markers("".join(rebuilt)) == without_markers(text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(report, page, st.text()))
def test_metadata_never_raises_and_years_are_in_range(text):
    year = extract_metadata(clean_text(text).text).year
    assert year is None or YEAR_RANGE[0] <= year <= YEAR_RANGE[1]


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=9999), line)
def test_title_year_is_found_exactly_when_in_range(year, body):
    body = re.sub(r"[0-9\n]", "", body)  # no other year, no other line
    meta = extract_metadata(f"关于{year}年度法治政府建设情况的报告\n一年来,我们坚持依法行政。{body}")
    assert meta.year == (year if YEAR_RANGE[0] <= year <= YEAR_RANGE[1] else None)


def test_decode_bytes_names_what_a_binary_file_is():
    for data, kind in [(b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(50), "an old Office document (.doc, .xls, ...)")]:
        with pytest.raises(ValueError, match=re.escape(f"binary file: {kind}")):
            decode_bytes(data)


def test_copy_cut_inside_its_last_character_keeps_the_text_before(tmp_path):
    data = seed_text("004").encode("utf-8")
    end = data.rindex("。".encode())
    (with_good_seed(tmp_path) / "cut.txt").write_bytes(data[: end + 2])  # 2 of the 3 bytes of the last 。
    corpus = load_corpus(tmp_path)
    doc = corpus["cut"]
    assert doc.encoding == "utf-8, last character cut"
    assert doc.text == clean_text(data[:end].decode("utf-8")).text
    assert (doc.year, doc.unit) == (2024, "雍溪镇人民政府")
    assert_good_seed_loaded(corpus)


def test_private_use_code_points_in_chinese_prose_are_not_binary_but_dense_or_foreign_ones_are():
    report = seed_text("001")
    with_breaks = "\ue004".join(report.split("\n"))  # a stand-in for every line end: about 0.5% of the text
    assert decode_bytes(with_breaks.encode("utf-8"))[0] == with_breaks
    glyphs = report.replace("法治", "法\ue0a1")  # a site's glyph for a character it could not encode
    assert decode_bytes(glyphs.encode("utf-8"))[0] == glyphs
    for text in ["\ue004" * 100 + report[:1000], ("abc def \ue004" * 200)]:  # over 5%, or not Chinese prose
        with pytest.raises(ValueError, match="binary file: control bytes in the content"):
            decode_bytes(text.encode("utf-8"))
    with pytest.raises(ValueError, match="binary file"):
        decode_bytes(report.replace("。", "\x01").encode("utf-8"))  # control characters keep the strict rule

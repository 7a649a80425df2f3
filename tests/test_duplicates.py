"""Corpus-level passes: boilerplate lines a corpus shares, and near-duplicate reports across files."""

import re
from pathlib import Path

import pandas as pd

from govtopics import load_corpus
from govtopics.cleaning import shared_lines
from govtopics.duplicates import near_duplicates

FIXTURES = Path(__file__).parent / "fixtures" / "reports"


def fixture(name: str) -> str:
    return (FIXTURES / f"{name}.txt").read_text(encoding="utf-8").rstrip("\n")


def shingles(text: str, k: int = 5) -> set[str]:
    """Exact shingle set, computed independently of the code under test."""
    chars = re.sub(r"[\W_]+", "", text)
    return {chars[i:i + k] for i in range(len(chars) - k + 1)}


def jaccard(a: str, b: str) -> float:
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb)


def body(doc) -> str:
    return "\n".join(u.text for u in doc.units)


# -- boilerplate shared by a corpus -----------------------------------------------------------------

TOWN_REPORT = """欢迎访问某县政务服务网
{town}人民政府
关于2024年度法治政府建设情况的报告
一、主要举措和成效
{town}全年开展普法宣传活动{n}场,发放宣传资料{m}份。
聘请法律顾问1名,审查合同和规范性文件共{k}件。
二、存在的问题和下一步打算
普法形式较为单一,执法力量仍显不足。
2025年,我镇将创新普法方式,充实执法力量。
{extra}
本站由县大数据中心维护"""


def town_corpus(tmp_path: Path) -> Path:
    towns = [("甲镇", 12, 3000, 37), ("乙镇", 8, 1500, 21), ("丙镇", 20, 5200, 44), ("丁镇", 15, 2600, 30)]
    for i, (town, n, m, k) in enumerate(towns):
        extra = "技术支持热线:12345" if i < 2 else "本年度无其他需要报告的情况。"  # a line two sites share
        (tmp_path / f"{i}_{town}.txt").write_text(TOWN_REPORT.format(town=town, n=n, m=m, k=k, extra=extra), encoding="utf-8")
    return tmp_path


def test_lines_shared_by_the_corpus_are_found_and_headings_sentences_titles_are_not(tmp_path):
    corpus = load_corpus(town_corpus(tmp_path), boilerplate=False)
    assert shared_lines([doc.text for doc in corpus]) == {"本站由县大数据中心维护": 4, "欢迎访问某县政务服务网": 4}
    # Three copies are the least, and 5% of the corpus: with 100 reports a line needs 5.
    texts = ["首页导航\n正文第{}段。".format(i) for i in range(100)]
    assert shared_lines(texts[:2]) == {} and shared_lines(texts[:3]) == {"首页导航": 3}
    assert shared_lines(texts[:4] + ["正文。"] * 96) == {}
    assert shared_lines(texts[:5] + ["正文。"] * 95) == {"首页导航": 5}


def test_shared_boilerplate_is_removed_audited_and_the_report_restructured(tmp_path):
    corpus = load_corpus(town_corpus(tmp_path))
    assert len(corpus) == 4 and corpus.skipped == []
    for doc in corpus:
        boilerplate = [(r.line, r.text) for r in doc.cleaning.removed if r.rule == "corpus boilerplate (in 4 of 4 documents)"]
        assert boilerplate == [(1, "欢迎访问某县政务服务网"), (11, "本站由县大数据中心维护")]
        assert doc.text.split("\n")[0].endswith("人民政府") and "政务服务网" not in doc.text
        assert all("维护" not in u.text and "政务服务网" not in u.text for u in doc.units)
        assert [s.part for s in doc.sections] == ["achievements", "problems", "plans"]
    assert any("技术支持热线" in u.text for u in corpus["0_甲镇"].units)  # in two reports only: kept


# -- near-duplicate reports ---------------------------------------------------------------------

def repost_corpus(tmp_path: Path) -> Path:
    original = fixture("rule_of_law_thematic")
    lines = original.split("\n")
    (tmp_path / "a_original.txt").write_text(original, encoding="utf-8")
    repost = ["政务公开 > 法治政府建设", "某县市场监督管理局2023年法治政府建设年度报告", "发布时间:2024-01-20", *lines[2:]]
    (tmp_path / "b_repost.txt").write_text("\n".join(repost), encoding="utf-8")
    (tmp_path / "c_truncated.txt").write_text("\n".join(lines[:13]), encoding="utf-8")
    (tmp_path / "d_other.txt").write_text(fixture("rule_of_law_enumerated"), encoding="utf-8")
    (tmp_path / "e_next_year.txt").write_text(original.replace("2023年", "2024年"), encoding="utf-8")
    return tmp_path


def test_reposts_and_truncated_copies_are_skipped_as_near_duplicates(tmp_path):
    corpus = load_corpus(repost_corpus(tmp_path))
    reference = load_corpus(tmp_path, near_duplicate=None)
    assert [doc.id for doc in corpus] == ["a_original", "d_other", "e_next_year"]  # e states another year
    reasons = {Path(s.path).name: s.reason for s in corpus.skipped}
    assert set(reasons) == {"b_repost.txt", "c_truncated.txt"}
    for name, copy in [("b_repost.txt", "b_repost"), ("c_truncated.txt", "c_truncated")]:
        match = re.fullmatch(r"near-duplicate of a_original \(similarity (\d\.\d\d)\)", reasons[name])
        assert match, reasons[name]
        exact = jaccard(body(reference[copy]), body(reference["a_original"]))
        assert abs(float(match.group(1)) - exact) <= 0.1, (name, exact)
    assert jaccard(body(reference["d_other"]), body(reference["a_original"])) < 0.2
    # Exact copies only: every report stays.
    assert len(load_corpus(tmp_path, near_duplicate=None)) == 5


def test_near_duplicates_keep_the_longest_copy_and_do_not_depend_on_the_order():
    sentences = [f"第{i}项工作全年推进{i * 13}次,覆盖群众{i * 97}人,满意率{50 + i % 50}%。" for i in range(60)]
    full = "".join(sentences)
    half = "".join(sentences[:35])
    edited = "".join(sentences[:56]) + "".join(s.replace("工作", "事") for s in sentences[56:58])  # two edited, two dropped
    other = "".join(f"其他单位第{i}项事务共办理{i * 7}件。" for i in range(80))
    texts = [half, other, full, edited]
    found = near_duplicates(texts)
    assert [(i, j) for i, j, _ in found] == [(0, 2), (3, 2)]  # the full text is kept
    for i, j, similarity in found:
        assert abs(similarity - jaccard(texts[i], texts[j])) <= 0.1
    reordered = near_duplicates([texts[k] for k in (3, 2, 1, 0)])
    assert sorted((i, j) for i, j, _ in reordered) == [(0, 1), (3, 1)]
    assert near_duplicates(texts, keys=[2023, None, 2024, 2024]) == [found[1]]  # half states another year than full


def test_near_duplicate_pass_runs_on_a_dataframe_too():
    original = fixture("work_report_city")
    frame = pd.DataFrame({"id": ["x", "y"], "text": [original, "转载自某市新闻网\n" + original + "\n(全文完)"]})
    corpus = load_corpus(frame, deduplicate=True)
    assert [doc.id for doc in corpus] == ["x"] or [doc.id for doc in corpus] == ["y"]
    assert len(corpus.skipped) == 1 and corpus.skipped[0].reason.startswith("near-duplicate of ")

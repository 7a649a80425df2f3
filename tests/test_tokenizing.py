import io
import os
import pickle
import re
import sqlite3
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govtopics import Stopwords, Tokenizer, segment, tokenize
from govtopics.cleaning import normalize_text
from govtopics.metadata import Metadata
from govtopics.reading import Corpus, Document
from govtopics.segmenting import ENGINES, _strip_quotes, _strip_quotes_slowly, dictionary_entries, domain_terms
from govtopics.stopwords import LAYERS, STOPWORD_LAYERS, Layer, check_layers, layer_table
from govtopics.structure import Unit
from govtopics.tokenizing import document_names, token_agreement

ISSUE_TERMS = [
    "习近平法治思想", "法治政府", "依法行政", "放管服", "枫桥经验", "三重一大", "法律明白人", "一站式", "民法典",
    "宪法宣传周", "八五普法", "谁执法谁普法", "行政执法三项制度", "双随机一公开", "合法性审查", "法律顾问",
    "矛盾纠纷", "网格员", "营商环境", "村规民约", "第一责任人", "理论学习中心组", "政务公开", "行政复议",
    "行政诉讼", "公共法律服务", "人民调解",
]

# A paragraph in the township reports' manner (written for this test), and its analysis tokens worked
# out by hand: segmentation with the domain dictionary's terms (法治政府, 重大行政决策程序, 合法性审查,
# 人民调解, 矛盾纠纷 ...), quoted slogans whole, then every word looked up in the layer files:
#   numbers     2024 年 45 件 3 个 120 余起          places      青山镇
#   function    以 为                                 scaffolding 一是 二是 三是 全年
#   formulaic   坚持 指导 扎实 推进 建设 健全 开展 深化 设立 加强
PARAGRAPH = (
    "2024年,青山镇坚持以习近平法治思想为指导,扎实推进法治政府建设。一是健全重大行政决策程序,全年开展合法性审查45件;"
    "二是深化“放管服”改革,设立“一窗综办”窗口3个;三是加强人民调解,化解矛盾纠纷120余起。"
)
PARAGRAPH_TOKENS = [
    "习近平法治思想", "法治政府", "重大行政决策程序", "合法性审查", "放管服", "改革", "一窗综办", "窗口",
    "人民调解", "化解", "矛盾纠纷",
]

# Sentences segmented by hand (domain terms whole; ordinary words as a dictionary cuts them).
HAND_SEGMENTED = [
    ("大进镇深入推进行政执法三项制度,建立健全矛盾纠纷多元化解机制。", {"大进镇"},
     "大进镇 深入 推进 行政执法三项制度 , 建立健全 矛盾纠纷 多元化解 机制 。"),
    ("落实谁执法谁普法普法责任制,培养法律明白人120名。", set(),
     "落实 谁执法谁普法 普法责任制 , 培养 法律明白人 120 名 。"),
    ("持续优化营商环境,政务服务事项实现一网通办。", set(),
     "持续 优化 营商环境 , 政务服务 事项 实现 一网通办 。"),
    ("发布以案释法典型案例8个,创建民主法治示范村3个。", set(),
     "发布 以案释法 典型 案例 8 个 , 创建 民主法治示范村 3 个 。"),
]


def _document(doc_id, meta, unit_texts):
    units = [Unit(i, "achievements", (), normalize_text(t)) for i, t in enumerate(unit_texts)]
    return Document(id=doc_id, text="\n".join(u.text for u in units), meta=meta, units=units)


# Two small reports whose removal table is counted by hand below.
TWO_REPORTS = Corpus([
    _document("a", Metadata(year=2024, unit="青山镇人民政府", unit_place="青山镇", places=["白云县"]), [
        "2024年,青山镇坚持以习近平法治思想为指导,扎实推进法治建设。",
        "组织机关干部学法4次,白云县司法局授课。",
    ]),
    _document("b", Metadata(year=2024, unit="红石乡人民政府", unit_place="红石乡"), [
        "排查矛盾纠纷36起,红石乡调解成功率100%。",
    ]),
])
TWO_REPORTS_REMOVED = {
    ("places", "青山镇"): 1, ("places", "白云县"): 1, ("places", "红石乡"): 1,
    # 扎实推进 is one entry of the formulaic list, so the segmenter learns it and cuts it whole.
    ("formulaic", "坚持"): 1, ("formulaic", "指导"): 1, ("formulaic", "扎实推进"): 1, ("formulaic", "组织"): 1,
    ("function", "以"): 1, ("function", "为"): 1,
    ("numbers", "2024"): 1, ("numbers", "年"): 1, ("numbers", "4"): 1, ("numbers", "次"): 1, ("numbers", "36"): 1,
    ("numbers", "起"): 1, ("numbers", "100%"): 1,
    ("punctuation", ","): 4, ("punctuation", "。"): 3,
}
TWO_REPORTS_TOKENS = [
    ["习近平法治思想", "法治建设"], ["机关干部", "学法", "司法局", "授课"], ["排查", "矛盾纠纷", "调解", "成功率"],
]


@pytest.fixture(scope="module")
def jieba_tok():
    return Tokenizer(cache=False, progress=False)


@pytest.fixture(scope="module")
def seed_tokens(seed_corpus, jieba_tok):
    return jieba_tok.tokenize_corpus(seed_corpus)


@pytest.fixture
def toy_layer():
    """A layer registered for one test, then removed, so that other tests see the shipped registry."""
    STOPWORD_LAYERS.register("toy", Layer("words of a test", words=["窗口", "授课"]))
    try:
        yield STOPWORD_LAYERS["toy"]
    finally:
        del STOPWORD_LAYERS["toy"]


@pytest.mark.parametrize("backend", ["jieba", "rjieba"])
def test_a_paragraph_gives_the_tokens_worked_out_by_hand(backend):
    tok = Tokenizer(backend=backend, cache=False)
    assert tok.tokenize(PARAGRAPH, names={"青山镇", "青山"}) == PARAGRAPH_TOKENS


def test_the_removal_table_matches_the_hand_count(jieba_tok):
    removed = jieba_tok.removed_counts(TWO_REPORTS)
    assert {(r.reason, r.token): r.count for r in removed.itertuples()} == TWO_REPORTS_REMOVED
    assert jieba_tok.tokenize_corpus(TWO_REPORTS)["tokens"].tolist() == TWO_REPORTS_TOKENS


@pytest.mark.parametrize("backend", ["jieba", "rjieba"])
def test_both_backends_agree_with_a_hand_segmentation(backend):
    tok = Tokenizer(backend=backend, cache=False)
    same = total = 0
    for text, names, hand in HAND_SEGMENTED:
        words = tok.segment(text, names)
        same += token_agreement(words, hand.split()) * max(len(words), len(hand.split()))
        total += max(len(words), len(hand.split()))
    assert same / total >= 0.95, (backend, same / total)


def test_domain_terms_are_never_split_where_they_occur(seed_corpus, jieba_tok):
    found = Counter()
    for doc in seed_corpus:
        tokens = jieba_tok.segment(doc.text, document_names(doc))
        plain = re.sub(r"\s", "", normalize_text(doc.text).replace("“", "").replace("”", ""))
        assert "".join(tokens) == plain
        cuts, pos = set(), 0
        for token in tokens:
            pos += len(token)
            cuts.add(pos)
        for term in ISSUE_TERMS:
            for match in re.finditer(term, plain):
                assert not cuts & set(range(match.start() + 1, match.end())), (doc.id, term)
                found[term] += 1
    assert len(found) >= 15  # the seeds really exercise the rule
    assert found["习近平法治思想"] >= 15


def test_whole_report_keeps_its_unit_name(seed_corpus, jieba_tok):
    doc = seed_corpus[0]
    tokens = jieba_tok.segment(doc.text, document_names(doc))
    assert doc.unit == "大进镇人民政府" and "大" not in tokens[:40]
    assert tokens.count("大进镇") == doc.text.count("大进镇") > 0


def test_a_plain_string_has_no_names_unless_given():
    paragraph = "2024年,青山镇人民政府开展法治培训。"
    # By hand: 2024 年 | 青 山镇 (jieba's dictionary has 山镇, "mountain town") | 人民政府 (scaffolding) |
    # 开展 (formulaic) | 法治 | 培训. With the names, 青山镇 is one piece, and removed.
    assert tokenize(paragraph) == tokenize(paragraph, names=()) == ["山镇", "法治", "培训"]
    assert tokenize(paragraph, names={"青山镇", "青山"}) == ["法治", "培训"]
    report = "白云县青山镇人民政府\n关于2024年度法治政府建设情况的报告\n" + paragraph
    assert "山镇" in tokenize(report)  # no metadata is read from a string, not even its header
    assert segment(paragraph, names={"青山镇"})[3] == "青山镇"
    with pytest.raises(TypeError, match="load_corpus"):
        document_names(report)


def test_document_names_come_from_the_metadata_only():
    meta = Metadata(unit="青山镇人民政府", unit_place="青山镇", places=["白云县"])
    # The header names another unit: the metadata (read once at load, perhaps given by the user) wins.
    doc = _document("x", meta, ["红石乡人民政府", "关于2024年度法治政府建设情况的报告", "正文。"])
    assert document_names(doc) == {"青山镇", "青山", "白云县", "白云"}
    meta.names = ["青山镇人民政府", "白云县", "黄河市"]  # the field metadata is adding
    assert document_names(doc) == {"青山镇人民政府", "青山镇", "青山", "白云县", "白云", "黄河市", "黄河"}
    assert document_names(Metadata()) == frozenset()


def test_quoted_slogans(jieba_tok):
    assert "一窗综办" in jieba_tok.segment("大力推进“一窗综办”“网上办”")
    assert "八五普法" in jieba_tok.segment("深入落实“八五”普法")
    assert "放管服" in jieba_tok.segment('深化"放管服"改革')
    long_quote = jieba_tok.segment("形成“党委领导、政府负责、部门协同、社会参与”的格局")
    assert "党委领导、政府负责、部门协同、社会参与" not in long_quote and "部门" in long_quote


def test_top_30_tokens_are_content_words(seed_tokens):
    counts = Counter(t for tokens in seed_tokens["tokens"] for t in tokens)
    top = {t for t, _ in counts.most_common(30)}
    assert {"普法", "执法", "矛盾纠纷", "习近平法治思想", "法律顾问", "行政执法", "依法行政"} <= top
    # Words a reader of these reports knows as 套话 or scaffolding, listed here by hand (not read from the layers).
    assert not top & {"工作", "加强", "推进", "开展", "落实", "进一步", "切实", "全面", "持续", "不断", "一是", "我镇", "全镇"}


def test_analysis_tokens_have_no_digits_punctuation_or_single_characters(seed_tokens):
    tokens = [t for ts in seed_tokens["tokens"] for t in ts]
    assert all(len(t) >= 2 for t in tokens)
    assert not [t for t in tokens if re.fullmatch(r"[\d.%]+|\W+", t)]


def test_layers_can_be_switched_off_and_extended(tmp_path):
    text = "加强行政执法队伍建设,一是开展培训和宣传。"
    assert "加强" not in tokenize(text, names=())
    assert "加强" in Tokenizer(stopwords=Stopwords(layers=("function",)), cache=False).tokenize(text)
    words = tmp_path / "mine.txt"
    words.write_text("# my own list\n培训\n", encoding="utf-8")
    mine = Tokenizer(stopwords=Stopwords(extra_words=["执法队伍"], extra_files=[words]), cache=False)
    assert mine.tokenize(text) == ["行政", "宣传"]


def test_a_new_layer_is_one_registration(toy_layer, tmp_path):
    assert check_layers(["toy"]) == ["toy"]
    assert ("toy", "word list", 2) in [(r["layer"], r["kind"], r["entries"]) for r in layer_table()]
    with_toy = Stopwords(layers=[*LAYERS, "toy"])  # switched on by name, like the shipped layers
    tok = Tokenizer(stopwords=with_toy, cache=tmp_path, progress=False)
    assert tok.tokenize(PARAGRAPH, names={"青山镇"}) == [t for t in PARAGRAPH_TOKENS if t != "窗口"]
    removed = tok.removed_counts(TWO_REPORTS)
    assert removed[removed.reason == "toy"][["token", "count"]].values.tolist() == [["授课", 1]]
    # The layer reaches spawned worker processes (the layer travels with the Stopwords, words and all).
    units = [(f"{u.text}\n{i}", document_names(d)) for i in range(20) for d in TWO_REPORTS for u in d.units]
    parallel = Tokenizer(stopwords=with_toy, cache=False, n_jobs=2, progress=False).tokenize_many(*zip(*units))
    assert parallel == [["习近平法治思想", "法治建设"], ["机关干部", "学法", "司法局"], ["排查", "矛盾纠纷", "调解", "成功率"]] * 20
    default = Tokenizer(cache=tmp_path)
    assert "toy" not in default.stopwords.layers and default.fingerprint() != tok.fingerprint()  # another cache key
    assert "授课" in default.tokenize_corpus(TWO_REPORTS)["tokens"][1]


def test_registering_a_layer_changes_no_analysis_that_does_not_ask_for_it(toy_layer):
    with_toy = Tokenizer(stopwords=Stopwords(layers=[*LAYERS, "toy"]), cache=False).fingerprint()
    registered = Tokenizer(cache=False).fingerprint()
    del STOPWORD_LAYERS["toy"]
    try:
        assert Tokenizer(cache=False).fingerprint() == registered != with_toy
    finally:
        STOPWORD_LAYERS.register("toy", toy_layer)


def test_constructing_a_tokenizer_reads_nothing(tmp_path, monkeypatch):
    user_dict, extra = tmp_path / "dict.txt", tmp_path / "extra.txt"
    user_dict.write_text("青山镇综治中心 5000 nz\n", encoding="utf-8")
    extra.write_text("授课\n", encoding="utf-8")

    def no_io(*args, **kwargs):
        raise AssertionError(f"I/O while constructing: {args[:1]}")

    with monkeypatch.context() as patch:
        for target, name in [(io, "open"), (os, "open"), (os, "mkdir"), (os, "stat"), (sqlite3, "connect")]:
            patch.setattr(target, name, no_io)
        patch.setattr("builtins.open", no_io)
        tokenizers = [
            Tokenizer(user_dicts=[user_dict], stopwords=Stopwords(extra_files=[extra]), cache=tmp_path / "cache"),
            Tokenizer(backend="rjieba", pos=True, n_jobs=2),
        ]
    assert not (tmp_path / "cache").exists()
    tok = tokenizers[0]
    assert tok.tokenize("青山镇综治中心组织授课。") == ["青山镇综治中心"]
    assert (tmp_path / "cache" / "tokens-v3.sqlite").exists() is False  # tokenize alone does not open the cache
    tok.tokenize_many(["青山镇综治中心组织授课。"])
    assert (tmp_path / "cache" / "tokens-v3.sqlite").exists()
    with pytest.raises(FileNotFoundError):
        Tokenizer(user_dicts=[tmp_path / "missing.txt"], cache=False).tokenize("法治")


def test_pos_filter_keeps_nouns_and_verbs():
    tok = Tokenizer(backend="rjieba", pos=True, cache=False)
    tokens = tok.tokenize("依法化解矛盾纠纷,群众非常满意。")
    assert "矛盾纠纷" in tokens and "群众" in tokens and "非常" not in tokens
    assert tok.why_removed("满意", tag="a") == "pos" and tok.why_removed("群众", tag="n") is None
    assert tok.why_removed("非常", tag="d") == "function"  # a layer is named before the part of speech


def test_rjieba_agrees_with_jieba_on_the_seeds(seed_corpus, jieba_tok):
    fast = Tokenizer(backend="rjieba", cache=False)
    same = total = 0
    for doc in seed_corpus:
        names = document_names(doc)
        a, b = jieba_tok.segment(doc.text, names), fast.segment(doc.text, names)
        same += token_agreement(a, b) * max(len(a), len(b))
        total += max(len(a), len(b))
    assert same / total >= 0.99
    assert fast.tokenize_corpus(seed_corpus)["tokens"].map(len).sum() > 2500


def test_cache_is_hit_on_a_second_run(tmp_path, seed_corpus):
    first = Tokenizer(cache=tmp_path, progress=False)
    tokens = first.tokenize_corpus(seed_corpus)["tokens"].tolist()
    assert first.cache_stats["hits"] == 0 and first.cache_stats["misses"] == len(tokens)
    second = Tokenizer(cache=tmp_path, progress=False)
    assert second.tokenize_corpus(seed_corpus)["tokens"].tolist() == tokens
    assert second.cache_stats == {"hits": len(tokens), "misses": 0}
    other = Tokenizer(cache=tmp_path, stopwords=Stopwords(layers=("function",)), progress=False)
    other.tokenize_corpus(seed_corpus)
    assert other.cache_stats["hits"] == 0  # another configuration is another key


def test_parallel_gives_the_same_tokens(seed_corpus, seed_tokens):
    frame = seed_corpus.units_frame()
    names = {d.id: document_names(d) for d in seed_corpus}
    texts = list(frame["text"]) * 2
    name_sets = [names[d] for d in frame["doc_id"]] * 2
    parallel = Tokenizer(cache=False, n_jobs=2, progress=False).tokenize_many(texts, name_sets)
    assert parallel == seed_tokens["tokens"].tolist() * 2


def test_unknown_backend_and_layer_are_errors():
    with pytest.raises(ValueError, match="backend 'thulac'; choose from: jieba, rjieba"):
        Tokenizer(backend="thulac", cache=False)
    with pytest.raises(ValueError, match=r"layers \['slogans'\]"):
        Stopwords(layers=("function", "slogans"))


def test_phrases_join_frequent_bigrams_of_the_seeds(seed_corpus):
    frame = Tokenizer(cache=False).tokenize_corpus(seed_corpus, phrases=True)
    joined = Counter(t for ts in frame["tokens"] for t in ts if "_" in t)
    assert joined, "no bigram was joined"
    plain = Tokenizer(cache=False).tokenize_corpus(seed_corpus)
    pairs = Counter(f"{a}_{b}" for ts in plain["tokens"] for a, b in zip(ts, ts[1:]))
    assert all(pairs[p] >= 3 for p in joined)  # only bigrams seen at least min_count times


def test_workers_get_entries_and_words_not_paths(tmp_path):
    mine, own = tmp_path / "mine.txt", tmp_path / "own.txt"
    mine.write_text("# my terms\n一窗综办专窗 5000 nz\n", encoding="utf-8")
    own.write_text("配备\n", encoding="utf-8")
    tok = Tokenizer(cache=False, user_dicts=[mine], user_words=[("信访代办员", 5000, "nz")],
                    stopwords=Stopwords(extra_files=[own]))
    text = "设立一窗综办专窗,配备信访代办员。"
    assert tok.tokenize(text) == ["一窗综办专窗", "信访代办员"]
    shipped = pickle.dumps(tok._for_workers())  # what a process pool or a dask worker receives
    mine.unlink(), own.unlink()  # a remote worker cannot read our files
    worker = pickle.loads(shipped)
    assert worker.tokenize(text) == ["一窗综办专窗", "信访代办员"]
    assert worker.fingerprint() == tok.fingerprint()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="法治“”\"建设a\n", max_size=40))
def test_quotes_are_stripped_as_piece_by_piece(text):
    # The fast path (one replacement, spans shifted by the marks before them) against the plain one.
    assert _strip_quotes(text) == _strip_quotes_slowly(text)


@pytest.mark.parametrize("backend", ["jieba", "rjieba"])
def test_one_engine_call_cuts_as_the_pieces_one_by_one(backend):
    # Protected spans are cut as a mark in one engine call; cutting the pieces separately is the reference.
    segmenter = Tokenizer(backend=backend, cache=False).segmenter
    names = frozenset({"大进镇", "大进", "政府"})

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet="法治政府建设大进镇“”\"ab1 ,。%-", max_size=30), st.booleans())
    def check(text, drop):
        text = normalize_text(text)
        reference = []
        for piece, protected in segmenter.pieces(text, names):
            if not protected:
                reference += segmenter.engine.cut(piece)
            elif not (drop and piece in names):
                reference.append(piece)
        assert segmenter.cut(text, names, drop) == reference

    check()


def test_an_autonomous_region_is_also_removed_by_its_short_name(jieba_tok):
    doc = _document("r", Metadata(unit="宁夏回族自治区人民政府", unit_place="宁夏回族自治区"),
                    ["宁夏回族自治区坚持生态优先,宁夏枸杞产业链产值增长。"])
    assert document_names(doc) == {"宁夏回族自治区", "宁夏"}
    # By hand: 宁夏回族自治区 and 宁夏 (places) | 坚持 (formulaic) | 生态 优先 | 枸杞 产业链 产值 | 增长 (numbers:
    # a word of comparison).
    assert jieba_tok.tokenize_corpus(Corpus([doc]))["tokens"][0] == ["生态", "优先", "枸杞", "产业链", "产值"]


# A report's own names inside longer words (sentences written for these tests). Each row: the places of the
# metadata, a sentence, its analysis tokens worked out by hand. A short form (上海 of 上海市) inside a dictionary
# word that is another thing stays in it: a port, a university, a grassland, an idiom (长治久安), a phrase (维护和平).
# The name stays removed where the word names the place or its bodies (上海市 of 中共上海市委 and of
# 上海市人民政府), where it stands alone (上海 各区), and where the engine glues an unknown name to its
# neighbour (青柏为, 镇抖: the name is cut out as before).
NAMES_IN_WORDS = [
    (["上海市"], "上海市推进上海港和上海交通大学建设,中共上海市委要求上海各区落实。",
     # 上海市 (places) | 推进 (formulaic) | 上海港 | 和 (function) | 上海交通大学 | 建设 (formulaic) | 中共 (formulaic)
     # 上海市 (places) 委 (short) | 要求 (formulaic) | 上海 (places) | 各区 | 落实 (formulaic)
     ["上海港", "上海交通大学", "各区"]),
    (["内蒙古自治区"], "内蒙古自治区支持内蒙古大学发展,内蒙古草原生态修复。",
     # 内蒙古自治区 (places) | 支持 发展 (formulaic) | 内蒙古大学 | 内蒙古草原 | 生态 | 修复
     ["内蒙古大学", "内蒙古草原", "生态", "修复"]),
    (["长治市"], "长治市司法局维护社会长治久安。", ["司法局", "社会", "长治久安"]),  # 维护 (formulaic)
    (["和平区"], "和平区人民政府维护和平稳定。", ["维护和平", "稳定"]),  # 人民政府 (scaffolding)
    (["青柏镇"], "建设法治青柏为目标,深入挖掘青柏镇抖音达人。",
     # 建设 (formulaic) 法治 | 青柏 (places) 为 | 目标 深入 (formulaic) | 挖掘 | 青柏镇 (places) | 抖音 | 达 人 (short)
     ["法治", "挖掘", "抖音"]),
]


@pytest.mark.parametrize("backend", ["jieba", "rjieba"])
@pytest.mark.parametrize("places, text, tokens", NAMES_IN_WORDS)
def test_a_name_inside_a_longer_word_that_is_another_thing_stays_in_it(backend, places, text, tokens):
    doc = _document("n", Metadata(unit=places[0] + "人民政府", unit_place=places[0]), [text])
    tok = Tokenizer(backend=backend, cache=False, progress=False)
    assert tok.tokenize_corpus(Corpus([doc]))["tokens"][0] == tokens
    removed = tok.removed_counts(Corpus([doc]))
    assert set(removed.loc[removed["reason"] == "places", "token"]) <= document_names(doc)


@pytest.mark.parametrize("backend", ["jieba", "rjieba"])
def test_a_name_given_alone_is_still_left_inside_another_things_name(backend):
    tok = Tokenizer(backend=backend, cache=False)
    # 上海 only: 上海市人民政府 names the place (a level follows 上海); 上海港 does not.
    assert tok.segment("上海市人民政府推进上海港建设。", names={"上海"})[:4] == ["上海", "市", "人民政府", "推进"]
    assert tok.tokenize("上海市人民政府推进上海港建设。", names={"上海"}) == ["上海港"]
    # The unit in full at the end of a longer word is the unit: 中华人民共和国 | 国务院.
    assert tok.segment("中华人民共和国国务院发布通知", names={"国务院"})[:2] == ["中华人民共和国", "国务院"]
    # With part-of-speech tagging, the same pieces.
    tagged = Tokenizer(backend=backend, cache=False, pos=True)
    assert tagged.tokenize("上海市推进上海港建设", names={"上海市", "上海"}) == ["上海港"]


def test_a_new_segmentation_engine_is_one_registration():
    @ENGINES.register("chars")
    class Characters:
        def __init__(self, entries):
            self.entries = entries

        def cut(self, text):
            return list(text)

        def tag(self, text):
            return [(c, "x") for c in text]

    try:
        tok = Tokenizer(backend="chars", cache=False, min_len=1)
        assert tok.segment("法治“一窗综办”,大进镇", names={"大进镇"}) == ["法", "治", "一窗综办", ",", "大进镇"]
        assert tok.tokenize("法治“一窗综办”,大进镇", names={"大进镇"}) == ["法", "治", "一窗综办"]
    finally:
        del ENGINES["chars"]


# Stop phrases in sentences written for this test: each occurs once and belongs to the layer named.
STOP_PHRASES = [
    ("一是加强执法队伍建设,二是完善行政复议制度。", {"一是": "scaffolding", "二是": "scaffolding"}),
    ("这也是群众最关心的问题,大家都是参与者。", {"也是": "function", "都是": "function"}),
    ("现在,我代表县人民政府,向大会报告工作。", {"我代表": "scaffolding"}),
]


@pytest.mark.parametrize("backend", ["jieba", "rjieba"])
def test_stop_phrases_are_cut_whole_and_removed_by_their_own_layer(backend):
    tok = Tokenizer(backend=backend, cache=False, progress=False)
    corpus = Corpus([_document(str(i), Metadata(year=2024), [text]) for i, (text, _) in enumerate(STOP_PHRASES)])
    removed = {(r.reason, r.token): r.count for r in tok.removed_counts(corpus).itertuples()}
    for text, phrases in STOP_PHRASES:
        words = tok.segment(text)
        for phrase, layer in phrases.items():
            assert words.count(phrase) == 1, (phrase, words)
            assert removed[layer, phrase] == 1
    # Not their parts: 一 and 二 (numbers), 是, 也 and 都 (function), nor 代表 as a token.
    assert not {("numbers", "一"), ("numbers", "二"), ("function", "是"), ("function", "也"), ("function", "都")} & set(removed)
    assert "代表" not in tok.tokenize(STOP_PHRASES[2][0])


@pytest.mark.parametrize("backend", ["jieba", "rjieba"])
def test_every_stop_phrase_alone_is_cut_whole_and_every_domain_term_too(backend):
    tok = Tokenizer(backend=backend, cache=False, progress=False)
    phrases = sorted(w for w in Stopwords().dictionary_words() if len(w) > 1)
    assert len(phrases) > 900
    assert [w for w in phrases if tok.segment(w) != [w]] == []
    assert [t for t in sorted(domain_terms()) if tok.segment(t) != [t]] == []


@pytest.mark.parametrize("backend", ["jieba", "rjieba"])
def test_a_stop_phrase_leaves_no_part_behind_and_ordinary_words_keep_their_cut(backend):
    import jieba

    tok = Tokenizer(backend=backend, cache=False, progress=False)
    # By hand: 我代表 (scaffolding) | 市 | 人民政府 (scaffolding) | 向 | 大会 (scaffolding: the congress addressed) |
    # 报告 工作 (scaffolding): nothing left, and no 代表.
    opening = "我代表市人民政府向大会报告工作"
    assert tok.segment(opening) == ["我代表", "市", "人民政府", "向", "大会", "报告", "工作"]
    assert tok.tokenize(opening) == []
    # 一是, 二是, 三是 (scaffolding) whole: no 一, 是 left to the other layers, nothing glued to the next word.
    listing = "一是加强执法队伍建设,二是深化“放管服”改革,三是推进依法决策"
    assert tok.segment(listing) == ["一是", "加强", "执法队伍", "建设", ",", "二是", "深化", "放管服", "改革", ",",
                                    "三是", "推进", "依法决策"]
    assert tok.tokenize(listing) == ["执法队伍", "放管服", "改革", "依法决策"]
    # Words that hold or overlap a stop phrase are cut as plain jieba cuts them: 我|代表团 (not 我代表|团),
    # 人大代表, 代表大会, 代表 alone; 统一|是, 唯一|是, 首都|是 (not 一是, 都是).
    plain = jieba.Tokenizer()
    ordinary = ["我代表团出席人大代表座谈会,召开职工代表大会,加强代表联络站建设。", "统一是前提,唯一是标准,首都是北京。"]
    for text in ordinary:
        assert tok.segment(text) == plain.lcut(text)
    assert {"代表团", "人大代表", "代表大会", "代表"} <= set(tok.tokenize(ordinary[0]))
    assert tok.segment(ordinary[1])[:6] == ["统一", "是", "前提", ",", "唯一", "是"]


def test_stop_phrase_frequency_is_jiebas_suggest_freq():
    # jieba's own suggest_freq, on its main dictionary alone, for the learned stop phrases that hold no
    # other learned word or domain term (those are cut against the learned frequencies, shorter first).
    import jieba

    plain = jieba.Tokenizer()
    plain.initialize()
    domain = dictionary_entries()
    stop = dictionary_entries(stopwords=Stopwords().dictionary_words())[len(domain):]
    learned = {word for word, _, _ in domain + stop}
    alone = [(w, f) for w, f, _ in stop if not any(o != w and o in w for o in learned)]
    assert {"一是", "也是", "都是", "我代表"} <= {w for w, _ in alone} and len(alone) > 100
    assert [(w, f) for w, f in alone if f != plain.suggest_freq(w)] == []

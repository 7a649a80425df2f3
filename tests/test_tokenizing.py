import re
from collections import Counter

import pytest

from govtopics import Stopwords, Tokenizer, segment, tokenize
from govtopics.cleaning import normalize_text
from govtopics.stopwords import layer_words
from govtopics.tokenizing import document_names, token_agreement

ISSUE_TERMS = [
    "习近平法治思想", "法治政府", "依法行政", "放管服", "枫桥经验", "三重一大", "法律明白人", "一站式", "民法典",
    "宪法宣传周", "八五普法", "谁执法谁普法", "行政执法三项制度", "双随机一公开", "合法性审查", "法律顾问",
    "矛盾纠纷", "网格员", "营商环境", "村规民约", "第一责任人", "理论学习中心组", "政务公开", "行政复议",
    "行政诉讼", "公共法律服务", "人民调解",
]
# The issue's examples of formulaic and scaffolding words, independent of our own lists.
ISSUE_STOPWORDS = {
    "进一步", "切实", "扎实", "深入", "全面", "持续", "不断", "积极", "有效", "加强", "推进", "提升", "开展", "落实",
    "坚持", "各项", "相关", "有待", "一是", "二是", "现将", "报告如下", "主要举措", "存在的不足", "下一步", "我镇",
}


@pytest.fixture(scope="module")
def jieba_tok():
    return Tokenizer(cache=False, progress=False)


@pytest.fixture(scope="module")
def seed_tokens(seed_corpus, jieba_tok):
    return jieba_tok.tokenize_corpus(seed_corpus)


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


def test_whole_report_keeps_its_unit_name(seeds_dir):
    text = next(seeds_dir.glob("000_*.txt")).read_text(encoding="utf-8")
    tokens = segment(text)
    assert "大进镇" in tokens and "大" not in tokens[:40]
    assert tokens.count("大进镇") == text.count("大进镇")


def test_quoted_slogans(jieba_tok):
    assert "一窗综办" in jieba_tok.segment("大力推进“一窗综办”“网上办”")
    assert "八五普法" in jieba_tok.segment("深入落实“八五”普法")
    assert "放管服" in jieba_tok.segment('深化"放管服"改革')
    long_quote = jieba_tok.segment("形成“党委领导、政府负责、部门协同、社会参与”的格局")
    assert "党委领导、政府负责、部门协同、社会参与" not in long_quote and "部门" in long_quote


def test_top_30_tokens_are_content_words(seed_tokens):
    counts = Counter(t for tokens in seed_tokens["tokens"] for t in tokens)
    top = [t for t, _ in counts.most_common(30)]
    layers = layer_words("function") | layer_words("formulaic") | layer_words("scaffolding")
    assert not set(top) & (layers | ISSUE_STOPWORDS)
    assert {"普法", "执法", "矛盾纠纷", "习近平法治思想", "法律顾问"} <= set(top)


def test_own_unit_and_place_names_are_removed(seed_corpus, seed_tokens):
    for doc in seed_corpus:
        tokens = {t for ts in seed_tokens[seed_tokens.doc_id == doc.id]["tokens"] for t in ts}
        own = document_names(doc)
        assert own and not tokens & own, doc.id
    qmg = {t for ts in seed_tokens[seed_tokens.doc_id.str.startswith("001")]["tokens"] for t in ts}
    assert "青木关镇" not in qmg and "重庆市" not in qmg


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


def test_pos_filter_keeps_nouns_and_verbs():
    tok = Tokenizer(backend="rjieba", pos=True, cache=False)
    tokens = tok.tokenize("依法化解矛盾纠纷,群众非常满意。")
    assert "矛盾纠纷" in tokens and "非常" not in tokens


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


def test_removed_counts_name_the_layer(seed_corpus, jieba_tok):
    removed = jieba_tok.removed_counts(seed_corpus)
    top = removed.groupby("reason").head(1).set_index("reason")["token"].to_dict()
    assert top["formulaic"] == "工作" and top["function"] == "的" and top["places"] == "青木关镇"
    assert removed[(removed.reason == "places") & (removed.token == "青木关镇")]["count"].item() == 17


def test_unknown_backend_and_layer_are_errors():
    with pytest.raises(ValueError, match="backend"):
        Tokenizer(backend="thulac", cache=False)
    with pytest.raises(ValueError, match="layers"):
        Stopwords(layers=("function", "slogans"))


def test_phrases_join_frequent_bigrams_of_the_seeds(seed_corpus):
    frame = Tokenizer(cache=False).tokenize_corpus(seed_corpus, phrases=True)
    joined = Counter(t for ts in frame["tokens"] for t in ts if "_" in t)
    assert joined, "no bigram was joined"
    plain = Tokenizer(cache=False).tokenize_corpus(seed_corpus)
    pairs = Counter(f"{a}_{b}" for ts in plain["tokens"] for a, b in zip(ts, ts[1:]))
    assert all(pairs[p] >= 3 for p in joined)  # only bigrams seen at least min_count times


def test_user_dictionaries_and_words_reach_the_workers(tmp_path):
    mine = tmp_path / "mine.txt"
    mine.write_text("# my terms\n一窗综办专窗 5000 nz\n", encoding="utf-8")
    tok = Tokenizer(cache=False, user_dicts=[mine], user_words=[("信访代办员", 5000, "nz")])
    text = "设立一窗综办专窗,配备信访代办员。"
    assert {"一窗综办专窗", "信访代办员"} <= set(tok.segment(text))
    worker = Tokenizer(**tok._config())  # what a process or dask worker builds: entries, no paths
    assert worker.user_dicts == () and worker.fingerprint() == tok.fingerprint()
    assert worker.tokenize(text) == tok.tokenize(text)

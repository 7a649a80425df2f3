"""Topic quality of the toolkit against a naive pipeline, on the same units and the same K.

Naive: plain ``jieba.lcut`` (no domain dictionary), a small generic stopword list, punctuation,
digits and single characters dropped. Toolkit: the default ``Tokenizer``. Both feed the same
``LdaTopics`` settings (from govtopics.toml) at each K; printed: mean c_npmi, topic diversity
and stability over the configured seeds, and which top-10 words of the toolkit's topics are
function, formulaic or scaffolding words (there must be none).

    python benchmarks/quality_vs_naive.py [--config govtopics.toml] [--k 8]
"""

from __future__ import annotations

import argparse
import logging
import re

import jieba
import numpy as np

from govtopics import Tokenizer, load_corpus
from govtopics.build import load_config
from govtopics.models import LdaTopics, coherence, recommend_k, scan_k, stability, topic_diversity
from govtopics.stopwords import layer_words

SMALL_STOPWORDS = set(
    "的 了 和 是 在 与 及 等 对 为 把 被 将 也 都 而 并 或 以 于 之 其 中 上 下 这 那 有 我们 他们 我 你 他 她 它 "
    "一个 没有 就 不 要 会 能 可以 通过 进行 按照 根据 对于 关于 以及 并且 同时 因此 所以 但是 如果".split()
)


def naive_tokens(text: str) -> list[str]:
    return [w for w in jieba.lcut(text) if w not in SMALL_STOPWORDS and len(w) >= 2 and re.search(r"[\u4e00-\u9fff]", w)]


def quality(docs: list[list[str]], k: int, seeds: list[int], params: dict) -> tuple[float, float, float, list[list[str]], int]:
    models = [LdaTopics(num_topics=k, random_state=seed, **params).fit(docs) for seed in seeds]
    tops = [m.top_words(10) for m in models]
    npmi = float(np.mean([np.mean(coherence(t, docs)) for t in tops]))
    return npmi, float(np.mean([topic_diversity(t) for t in tops])), stability(tops), tops[0], len(models[0].vocabulary_)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="govtopics.toml")
    parser.add_argument("--k", type=int, help="K to compare at (default: the toolkit's recommended K)")
    args = parser.parse_args()
    jieba.setLogLevel(logging.WARNING)

    config = load_config(args.config)
    model = config["model"]
    params = {key: model[key] for key in ("passes", "iterations", "alpha", "eta", "no_below", "no_above")}
    corpus = load_corpus(config["corpus"]["path"], max_unit_chars=config["corpus"]["max_unit_chars"])
    units = Tokenizer(cache=False).tokenize_corpus(corpus, drop_empty=True)
    ours = list(units["tokens"])
    naive = [naive_tokens(text) for text in units["text"]]
    k = args.k
    if k is None:
        lo, hi = model["k_range"]
        k, rule = recommend_k(scan_k(ours, range(lo, hi + 1), seeds=model["seeds"], **params))
        print(f"recommended K = {k} ({rule})")
    print(f"{len(units)} units; K = {k}; seeds {model['seeds']}")
    print(f"{'pipeline':10} {'c_npmi':>8} {'diversity':>10} {'stability':>10} {'vocabulary':>11}")
    results = {}
    for name, docs in (("naive", naive), ("govtopics", ours)):
        npmi, div, stab, top, vocab = quality(docs, k, model["seeds"], params)
        results[name] = (npmi, div, stab, top)
        print(f"{name:10} {npmi:8.3f} {div:10.3f} {stab:10.3f} {vocab:11d}")
    bad = layer_words("function") | layer_words("formulaic") | layer_words("scaffolding")
    flagged = sorted({w for topic in results["govtopics"][3] for w in topic if w in bad})
    print("govtopics top-10 words in a function/formulaic/scaffolding list:", flagged or "none")
    print("naive topic 0:", " ".join(results["naive"][3][0]))
    print("govtopics topic 0:", " ".join(results["govtopics"][3][0]))


if __name__ == "__main__":
    main()

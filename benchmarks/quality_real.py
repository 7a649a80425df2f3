"""Topic quality on real reports: the default pipeline against a naive one, scored on a different corpus.

    python benchmarks/quality_real.py CORPUS REFERENCE [--k K] [--seeds 5] [--n-jobs 2] [--json FILE]

CORPUS is modelled; REFERENCE (another corpus of reports) is only read, to score the topics.

Pipelines, all on the same units of CORPUS and at the same K:

- govtopics (one row per LDA engine): the default ``Tokenizer()`` and ``LdaTopics(engine=...)`` with the
  library defaults. K is the default pipeline's own choice (``fit_topics(k="auto", groups=reports)``:
  the default K range, scan and rule, coherence on held-out reports) unless ``--k`` is given.
- naive: plain ``jieba.lcut``, the 25 generic stopwords below, tokens of two or more characters
  (whitespace and punctuation are not tokens), an unfiltered gensim ``Dictionary`` and ``LdaModel``
  with 10 passes and gensim's other defaults.

Scores, each a mean over ``--seeds`` fits (seeds 1..n):

- NPMI of each topic's top 10 words over the paragraphs of REFERENCE (the lines of each report's
  cleaned text, which the loader leaves one paragraph a line; pieces of at least 20 characters), a word occurring where it is a *substring*, so no segmentation is favoured
  (:class:`govtopics.coherence.CoOccurrence`). A pair with a word the reference never uses is
  undefined and left out; "coverage" is the share of top words the reference has. "NPMI-c" scores
  the same topics with their function, formulaic and scaffolding words struck out: NPMI minus
  NPMI-c is what those words add to (or take from) a pipeline's score.
- the same scores for each govtopics model's top words ranked by FREX (``frex_words``, of which the
  topics' labels are made) instead of by probability: for reference; the targets are on the latter.
- diversity (unique top-10 words over 10 K), "layers" (share of top-10 words in the function,
  formulaic or scaffolding stopword lists), stability (matched Jaccard of top words across seeds).
- time: tokenizing, and one fit (median over seeds); peak memory: the peak resident set of the
  child process that tokenizes and fits (VmHWM), interpreter and imports included.

Units: the loader's analysis units as they are (paragraphs, longer ones split at enumerations to at
most ``max_unit_chars``, 300 by default; page debris and shared boilerplate removed). Nothing is cut
here; their sizes are printed, and a unit over 300 characters is flagged, so a change in the loader
shows in the figures instead of being hidden by this script.

Targets (issue 12): the default pipeline's NPMI at least 0.02 above the naive one's, topic
diversity at least 0.8, and no top-10 word from the function, formulaic or scaffolding layers.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import re
import statistics
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from govtopics import load_corpus
from govtopics.coherence import CoOccurrence
from govtopics.models import ENGINES, KRangeWarning, fit_topics, stability, topic_diversity
from govtopics.stopwords import layer_words

# A naive user's list: generic function words of two or more characters (one-character ones go by length).
NAIVE_STOPWORDS = frozenset(
    "我们 他们 一个 没有 可以 通过 进行 按照 根据 对于 关于 以及 并且 同时 因此 所以 但是 如果 这些 那些 这个 就是 "
    "还是 已经 以上".split()
)
WORD = re.compile(r"\w")  # a token with a letter, digit or CJK character: not whitespace or punctuation
PARAGRAPH = re.compile(r"\n|\t| {2,}")
MAX_UNIT = 300  # the loader's default max_unit_chars
LAYERS = ("function", "formulaic", "scaffolding")
TARGET_GAIN, TARGET_DIVERSITY = 0.02, 0.8


def corpus_units(path: str) -> tuple[list[str], list[list[str]], list[str], dict[str, Any]]:
    """Unit texts of a corpus with their documents' names (for the places layer) and ids, and counts."""
    from govtopics.tokenizing import document_names

    corpus = load_corpus(path)
    texts, names, ids = [], [], []
    for doc in corpus:
        doc_names = sorted(document_names(doc))
        for unit in doc.units:
            texts.append(unit.text)
            names.append(doc_names)
            ids.append(doc.id)
    sizes = np.array([len(t) for t in texts])
    return texts, names, ids, {"documents": len(corpus), "skipped": len(corpus.skipped), "units": len(texts),
                               "unit_chars_median": float(np.median(sizes)), "unit_chars_max": int(sizes.max()),
                               "units_over_300": int((sizes > MAX_UNIT).sum())}


def reference_paragraphs(path: str) -> list[str]:
    corpus = load_corpus(path)
    return [p.strip() for doc in corpus for p in PARAGRAPH.split(doc.text) if len(p.strip()) >= 20]


# -- pipelines (each runs in a fresh child process, so its peak memory is its own) ----------------------------


def naive_tokens(texts: list[str]) -> list[list[str]]:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return [[w for w in jieba.lcut(t) if len(w) >= 2 and w not in NAIVE_STOPWORDS and WORD.search(w)] for t in texts]


def run_pipeline(name: str, texts: list[str], names: list[list[str]], k: int, seeds: list[int]) -> dict[str, Any]:
    start = time.perf_counter()
    if name == "naive":
        docs = naive_tokens(texts)
    else:
        from govtopics import Tokenizer

        docs = Tokenizer(cache=False, progress=False).tokenize_many(texts, names)
    tokenize_s = time.perf_counter() - start
    keep = [i for i, d in enumerate(docs) if d]
    docs = [docs[i] for i in keep]
    tops, frex_tops, fit_s, n_iter, vocabulary = [], [], [], [], 0
    for seed in seeds:
        start = time.perf_counter()
        if name == "naive":
            from gensim.corpora import Dictionary
            from gensim.models import LdaModel

            dictionary = Dictionary(docs)
            model = LdaModel([dictionary.doc2bow(d) for d in docs], id2word=dictionary, num_topics=k, passes=10,
                             random_state=seed)
            top = [[dictionary[i] for i, _ in model.get_topic_terms(t, 10)] for t in range(k)]
            vocabulary, n_iter = len(dictionary), n_iter + [10]
        else:
            from govtopics.models import LdaTopics

            model = LdaTopics(num_topics=k, engine=name.split(":")[1], random_state=seed).fit(docs)
            top, vocabulary, n_iter = model.top_words(10), len(model.vocabulary_), n_iter + [model.n_iter_]
            frex_tops.append(model.frex_words(10))
        fit_s.append(time.perf_counter() - start)
        tops.append(top)
    return {"pipeline": name, "tops": tops, "frex_tops": frex_tops, "tokenize_s": tokenize_s, "fit_s": statistics.median(fit_s),
            "n_iter": statistics.median(n_iter), "vocabulary": vocabulary, "units": len(docs),
            "peak_mb": peak_rss_mb()}


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the parent a spawned child forks from)."""
    with open("/proc/self/status") as handle:
        return next(int(line.split()[1]) for line in handle if line.startswith("VmHWM")) / 1024


def in_child(*args: Any) -> dict[str, Any]:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(run_pipeline, *args).result()


# -- scores and report --------------------------------------------------------------------------------------


def score(result: dict[str, Any], reference: list[str], banned: frozenset[str]) -> dict[str, Any]:
    tops = result["tops"]
    co = CoOccurrence.from_substrings(reference, {w for top in tops for t in top for w in t})
    per_seed = [co.npmi(top) for top in tops]
    # The same topics with their layer words struck out: what 套话 adds to (or takes from) the score.
    content = [co.npmi([[w for w in t if w not in banned] for t in top]) for top in tops]
    return result | {
        "npmi": float(np.mean([np.nanmean(s) for s in per_seed])),
        "npmi_content": float(np.mean([np.nanmean(s) for s in content])),
        "npmi_topics": per_seed[0].tolist(),
        "coverage": float(np.mean([co.coverage(top) for top in tops])),
        "diversity": float(np.mean([topic_diversity(top) for top in tops])),
        "layers": float(np.mean([np.mean([w in banned for t in top for w in t]) for top in tops])),
        "layer_words": sorted({w for top in tops for t in top for w in t if w in banned}),
        "stability": stability(tops),
    }


def print_table(rows: list[dict[str, Any]]) -> None:
    head = f"{'pipeline':20} {'NPMI':>7} {'NPMI-c':>7} {'cover':>6} {'divers':>7} {'layers':>7} {'stabil':>7} " \
           f"{'vocab':>6} {'tok s':>6} {'fit s':>6} {'iter':>5} {'peak MB':>8}"
    print(head)
    for r in rows:
        print(f"{r['pipeline']:20} {r['npmi']:7.3f} {r['npmi_content']:7.3f} {r['coverage']:6.2f} {r['diversity']:7.3f} "
              f"{r['layers']:7.3f} "
              f"{r['stability']:7.3f} {r['vocabulary']:6d} {r['tokenize_s']:6.1f} {r['fit_s']:6.1f} "
              f"{r['n_iter']:5.0f} {r['peak_mb']:8.0f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus")
    parser.add_argument("reference")
    parser.add_argument("--k", type=int, help="K for every pipeline (default: the default pipeline's K choice)")
    parser.add_argument("--seeds", type=int, default=5, help="fits per pipeline, seeds 1..n (default 5)")
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    parser.add_argument("--n-jobs", type=int, default=2, help="processes for the K scan")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)

    texts, names, ids, counts = corpus_units(args.corpus)
    reference = reference_paragraphs(args.reference)
    print(f"# corpus {args.corpus}: {counts['documents']} reports ({counts['skipped']} skipped), {len(texts)} units "
          f"as loaded (median {counts['unit_chars_median']:.0f} characters, longest {counts['unit_chars_max']}, "
          f"{counts['units_over_300']} over {MAX_UNIT})")
    print(f"# reference {args.reference}: {len(reference)} paragraphs")
    print(f"# load average at start {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs): timings are of a shared machine")
    seeds = list(range(1, args.seeds + 1))

    k, scan_s = args.k, None
    if k is None:
        from govtopics import Tokenizer

        tokens = Tokenizer(cache=False, progress=False).tokenize_many(texts, names)
        docs, groups = [t for t in tokens if t], [g for t, g in zip(tokens, ids) if t]
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", KRangeWarning)
            result = fit_topics(docs, k="auto", groups=groups, n_jobs=args.n_jobs)
        scan_s = time.perf_counter() - start
        k = result.k
        table = result.k_table[["k", "c_npmi", "exclusivity", "diversity", "stability", "n_iter", "score", "within_se",
                                "recommended"]]
        print(f"# K scan of the default pipeline ({scan_s:.0f} s, {len(table)} K x 3 seeds, n_jobs {args.n_jobs}):")
        print(table.round(3).to_string(index=False))
        for warning in caught:
            print(f"# warning: {warning.message}")
    print(f"# K = {k}; seeds {seeds}")

    banned = frozenset().union(*(layer_words(layer) for layer in LAYERS))
    rows, frex_rows = [], []
    for name in [f"govtopics:{e}" for e in args.engines] + ["naive"]:
        result = in_child(name, texts, names, k, seeds)
        rows.append(score(result, reference, banned))
        if result["frex_tops"]:  # the same models, each topic's words ranked by FREX (as its label is made)
            frex_rows.append(score(result | {"pipeline": f"{name} FREX", "tops": result["frex_tops"]}, reference, banned))
        print(f"#   {name} done", flush=True)
    print(f"# load average at end {os.getloadavg()[0]:.2f}")
    print()
    print_table(rows)
    print("# the same models, top words ranked by FREX (frex_words, which the topics' labels come from; not a target):")
    print_table(frex_rows)

    default, naive = rows[0], rows[-1]
    print(f"\ntargets ({default['pipeline']} against naive, K = {k}):")
    gain = default["npmi"] - naive["npmi"]
    checks = [(f"NPMI gain {gain:+.3f} >= {TARGET_GAIN}", gain >= TARGET_GAIN),
              (f"diversity {default['diversity']:.3f} >= {TARGET_DIVERSITY}", default["diversity"] >= TARGET_DIVERSITY),
              (f"top-10 words from the function/formulaic/scaffolding layers: {default['layer_words'] or 'none'}",
               not default["layer_words"])]
    for text, ok in checks:
        print(f"  {text}: {'MET' if ok else 'MISSED'}")
    for r in rows:
        print(f"\n{r['pipeline']}, seed 1 (NPMI per topic):")
        for npmi, words in zip(r["npmi_topics"], r["tops"][0]):
            print(f"  {npmi:6.3f}  {' '.join(words)}")
    if args.json:
        Path(args.json).write_text(json.dumps({"corpus": args.corpus, "reference": args.reference, "k": k,
                                               "scan_s": scan_s, "seeds": seeds, "counts": counts, "rows": rows,
                                               "frex_rows": frex_rows},
                                              ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())

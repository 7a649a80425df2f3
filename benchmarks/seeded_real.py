"""Keyword-seeded topics on real reports: a codebook's diagnostics, each concept's keyword rate and prevalence,
stability across seeds against unsupervised LDA at the same K, and quality_real.py's scores for both.

    python benchmarks/seeded_real.py CORPUS REFERENCE --codebook NAME_OR_FILE [--codebook ...] [--seeds 5] [--json FILE]

CORPUS is modelled (its units as quality_real.py takes them: the loader's units as they are);
REFERENCE is only read, to score the topics (NPMI of the top 10 words over its paragraphs,
substring co-occurrence; see quality_real.py). For each codebook:

- diagnostics (:func:`govtopics.codebook.keyword_diagnostics` with the model's vocabulary filter): seed
  words kept, absent, rare, too common, per concept; concepts left without seeds.
- SeededTopics (library defaults, K = the codebook's concepts + free topics) and LdaTopics at the same K,
  each fitted with seeds 1..n: NPMI, diversity, "layers" (share of top words that are stopword-layer
  words), stability (top-10 Jaccard, topics matched one-to-one across seeds, quality_real's measure) and,
  for the seeded model, "concept stability": the Jaccard of each concept's top 10 between seeds *without*
  matching (topic i is concept i in every run; an unsupervised topic has no name to hold it in place).
- per concept (means over the seeds): keyword rate (share of the topic's tokens that are its seed words),
  token share (its prevalence over the corpus) and its top words in the first fit.
- time: the median fit.

With ``--not-exclusive``, a third row ``seeded-shared`` fits ``SeededTopics(exclusive=False)``: seed words
keep the ``eta`` prior in the other topics instead of being assigned to their concept's topic only.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from quality_real import LAYERS, corpus_units, reference_paragraphs, score  # noqa: E402

from govtopics import Tokenizer  # noqa: E402
from govtopics.codebook import keyword_diagnostics, load_codebook  # noqa: E402
from govtopics.models import LdaTopics, _prepare  # noqa: E402
from govtopics.seeded import SeededTopics  # noqa: E402
from govtopics.stopwords import layer_words  # noqa: E402


def jaccard(a: list[str], b: list[str]) -> float:
    return len(set(a) & set(b)) / len(set(a) | set(b))


def fit_many(kind: str, docs: list[list[str]], k: int, seeds: list[int], seed_words: dict[str, list[str]]) -> dict[str, Any]:
    tops, seconds, models = [], [], []
    for seed in seeds:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if kind.startswith("seeded"):
                model = SeededTopics(num_topics=k, seed_words=seed_words, random_state=seed,
                                     exclusive=kind == "seeded").fit(docs)
            else:
                model = LdaTopics(num_topics=k, random_state=seed).fit(docs)
        seconds.append(time.perf_counter() - start)
        tops.append(model.top_words(10))
        models.append(model)
    return {"pipeline": kind, "tops": tops, "fit_s": statistics.median(seconds), "models": models,
            "n_iter": statistics.median(m.n_iter_ for m in models)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus")
    parser.add_argument("reference")
    parser.add_argument("--codebook", action="append", required=True, help="a codebook file or shipped name (repeatable)")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--not-exclusive", action="store_true",
                        help="also fit SeededTopics(exclusive=False) (row seeded-shared): seed words keep eta in other topics")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)

    texts, names, _, counts = corpus_units(args.corpus)
    start = time.perf_counter()
    docs = [d for d in Tokenizer(progress=False).tokenize_many(texts, names) if d]
    print(f"# corpus {args.corpus}: {counts['documents']} reports, {len(docs)} units with tokens "
          f"(tokenized in {time.perf_counter() - start:.0f} s)")
    reference = reference_paragraphs(args.reference)
    banned = frozenset().union(*(layer_words(layer) for layer in LAYERS))
    seeds = list(range(1, args.seeds + 1))
    out = []
    for source in args.codebook:
        book = load_codebook(source)
        prepared = _prepare(docs, "auto", 0.5)
        diag = keyword_diagnostics(book, docs, prepared.no_below, 0.5)
        print(f"\n## codebook {source}: {len(book.concepts)} concepts + {book.free_topics} free = K {book.n_topics}; "
              f"vocabulary {len(prepared.vocabulary)} words (no_below {prepared.no_below})")
        status = diag.pivot_table(index="concept", columns="status", values="word", aggfunc="count", fill_value=0,
                                  sort=False)
        print(status.to_string())
        dropped = diag[~diag["kept"]]
        print("dropped: " + ("; ".join(f"{c}:{w}({s}, {u} units)" for c, w, s, u in
                                       dropped[["concept", "word", "status", "units"]].itertuples(index=False)) or "none"))
        rows = []
        for kind in ("seeded", "lda") + (("seeded-shared",) if args.not_exclusive else ()):
            result = score(fit_many(kind, docs, book.n_topics, seeds, book.seed_words), reference, banned)
            rows.append(result)
        seeded = rows[0]
        concepts = seeded["models"][0].concepts_

        def concept_stability_of(result: dict[str, Any]) -> list[float]:
            return [float(np.mean([jaccard(a[i], b[i]) for a, b in itertools.combinations(result["tops"], 2)]))
                    for i in range(len(concepts))]

        concept_stability = concept_stability_of(seeded)
        print(f"\n{'model':13} {'NPMI':>6} {'divers':>6} {'layers':>6} {'stab':>6} {'concept-stab':>12} {'kw rate':>7} "
              f"{'fit s':>6} {'iter':>5}")
        for r in rows:
            is_seeded = r["pipeline"].startswith("seeded")
            cs = f"{np.mean(concept_stability_of(r)):12.3f}" if is_seeded else f"{'':>12}"
            kw = f"{np.mean([m.keyword_rate_ for m in r['models']]):7.3f}" if is_seeded else f"{'':>7}"
            print(f"{r['pipeline']:13} {r['npmi']:6.3f} {r['diversity']:6.3f} {r['layers']:6.3f} {r['stability']:6.3f} "
                  f"{cs} {kw} {r['fit_s']:6.1f} {r['n_iter']:5.0f}")
        rates = np.array([m.keyword_rate_ for m in seeded["models"]])
        shares = np.array([m.topic_tokens_[: len(concepts)] / m.topic_tokens_.sum() for m in seeded["models"]])
        print(f"\n{'concept':10} {'kept':>5} {'kw rate':>8} {'share':>6} {'stab':>5}  top words (seed 1)")
        first = seeded["models"][0]
        for i, concept in enumerate(concepts):
            kept = f"{len(first.seed_words_[concept])}/{len(book.seed_words[concept])}"
            print(f"{concept:10} {kept:>5} {rates[:, i].mean():8.3f} {shares[:, i].mean():6.3f} "
                  f"{concept_stability[i]:5.2f}  {' '.join(seeded['tops'][0][i])}")
        for t in range(len(concepts), book.n_topics):
            print(f"{'free ' + str(t):10} {'':>5} {'':>8} {first.topic_tokens_[t] / first.topic_tokens_.sum():6.3f} "
                  f"{'':>5}  {' '.join(seeded['tops'][0][t])}")
        out.append({"codebook": source, "k": book.n_topics, "diagnostics": diag.to_dict("records"),
                    "models": [{k: v for k, v in r.items() if k not in ("models", "tops")} for r in rows],
                    "concepts": [{"concept": c, "keyword_rate": float(rates[:, i].mean()),
                                  "token_share": float(shares[:, i].mean()), "concept_stability": concept_stability[i]}
                                 for i, c in enumerate(concepts)]})
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

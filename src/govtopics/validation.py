"""Validating topics with people: word- and topic-intrusion tests (Chang et al. 2009), as R's oolong does.

**Word intrusion**: a coder sees the top words of a topic plus one *intruder*, a word that is among
the top words of another topic but improbable in this one, and picks the odd one out. If the topic
is coherent the intruder stands out: the share of coders who find it is the topic's *model precision*.

**Topic intrusion**: a coder reads a passage and sees its most probable topics (each as its top
words) plus one improbable topic, and picks the one that does not fit. *Topic log odds* (TLO) is
log θ(intruder) − log θ(choice) for the passage's proportions θ: 0 when the coder finds the
intruder, more negative the more the model disagrees with the reader.

:func:`intrusion_test` draws both from a fitted model with a seed (the intruder's position is drawn
too); :meth:`IntrusionTest.write` writes an offline HTML form (a coder's answers are saved as a CSV
download, no server), the same questions as a CSV sheet, and a separate answer key.
:func:`score_intrusion` scores the returned answers of one or more coders, with Krippendorff's alpha
(:func:`krippendorff_alpha`) for their agreement.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .htmlpage import page, web_asset
from .outputs import guard_formulas, unguard_formulas
from .passages import topic_columns, with_topics

__all__ = ["IntrusionTest", "IntrusionScores", "intrusion_test", "score_intrusion", "read_answers",
           "krippendorff_alpha"]

WORD, TOPIC = "word", "topic"


def krippendorff_alpha(data: Iterable[Sequence[Any]]) -> float:
    """Krippendorff's alpha for nominal data: one row per coder, one column per item, None/NaN/"" for missing.

    Computed from the coincidence matrix (Krippendorff 2011, "Computing Krippendorff's
    Alpha-Reliability"): items coded by fewer than two coders do not count; NaN when nothing is
    pairable or every value is the same (no variation, alpha undefined).

    >>> round(krippendorff_alpha([["a", "a", "b", "b"], ["a", "b", "b", "b"]]), 4)
    0.5333
    """
    rows = [list(row) for row in data]
    if not rows:
        return math.nan
    width = len(rows[0])
    if any(len(row) != width for row in rows):
        raise ValueError("every coder's row needs one value per item")
    coincidence: Counter[tuple[Any, Any]] = Counter()
    for item in range(width):
        values = Counter(row[item] for row in rows if not _missing(row[item]))
        m = sum(values.values())
        if m < 2:
            continue
        for c, n_c in values.items():
            for k, n_k in values.items():
                coincidence[c, k] += (n_c * (n_c - 1) if c == k else n_c * n_k) / (m - 1)
    totals: Counter[Any] = Counter()
    for (c, _), value in coincidence.items():
        totals[c] += value
    n = sum(totals.values())
    expected = n * n - sum(v * v for v in totals.values())
    if n <= 1 or expected <= 0:
        return math.nan
    observed = n - sum(v for (c, k), v in coincidence.items() if c == k)
    return 1.0 - (n - 1) * observed / expected


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) or \
        (isinstance(value, str) and value.strip() == "")


@dataclass
class IntrusionTest:
    """Questions for coders (:attr:`sheet`) and the answer key (:attr:`key`), both identified by :attr:`sheet_id`.

    ``sheet``: one row per question: sheet, item, task ("word" or "topic"), text (the passage of a
    topic-intrusion question), option_1 … option_n, answer (blank, for the coder's option number).
    ``key``: one row per option: sheet, item, task, option, value, intruder (True for the one to
    find), topic (the topic tested, or the topic an option stands for), weight (p(word | topic), or
    the passage's proportion of the option's topic), doc_id, unit_index.
    """

    sheet: pd.DataFrame
    key: pd.DataFrame
    sheet_id: str

    def to_html(self, title: str = "Word and topic intrusion test") -> str:
        """The offline coding form: one page, no server; answers leave it only as a CSV the coder downloads."""
        items = []
        options = [c for c in self.sheet.columns if c.startswith("option_")]
        for row in self.sheet.itertuples(index=False):
            values = [getattr(row, c) for c in options]
            items.append({"item": row.item, "task": row.task, "text": row.text if row.task == TOPIC else "",
                          "options": [v for v in values if isinstance(v, str) and v != ""]})
        data = {"sheet": self.sheet_id, "title": title, "items": items}
        style = web_asset("common.css") + web_asset("intrusion.css")
        return page(title, style, web_asset("intrusion.js"), data)

    def write(self, folder: str | Path, prefix: str = "intrusion", guard: bool = True) -> dict[str, Path]:
        """Write ``<prefix>_sheet.html`` (the form), ``<prefix>_sheet.csv`` and ``<prefix>_key.csv`` (keep this
        one from the coders); return their paths by kind.

        With ``guard`` a text cell a spreadsheet would run as a formula gets a leading ``'``
        (:func:`~govtopics.outputs.guard_cell`); :func:`read_answers` and :func:`score_intrusion` read the
        original values back."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = {"form": folder / f"{prefix}_sheet.html", "sheet": folder / f"{prefix}_sheet.csv",
                 "key": folder / f"{prefix}_key.csv"}
        paths["form"].write_text(self.to_html(), encoding="utf-8")
        # utf-8-sig: spreadsheet programs then read the Chinese text correctly.
        for frame, path in ((self.sheet, paths["sheet"]), (self.key, paths["key"])):
            (guard_formulas(frame) if guard else frame).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
        return paths


def intrusion_test(
    model: Any,
    units: pd.DataFrame | None = None,
    topics: pd.DataFrame | np.ndarray | None = None,
    n_words: int = 5,
    n_passages: int = 20,
    n_top_topics: int = 3,
    n_label_words: int = 8,
    intruder_quantile: float = 0.6,
    min_tokens: int = 10,
    seed: int = 20240601,
) -> IntrusionTest:
    """Word-intrusion questions for every topic and topic-intrusion questions for ``n_passages`` passages.

    ``model`` is a fitted topic model (``topic_word_``, ``vocabulary_``, ``labels_``). A topic's
    word question shows its ``n_words`` most probable words and an intruder drawn from the other
    topics' top ``n_words`` words that rank, in this topic, below the ``intruder_quantile`` of those
    candidates' ranks (oolong's rule). Topic questions need ``units`` (with text) and ``topics``
    (:func:`~govtopics.models.unit_topics` or proportions, see :func:`~govtopics.passages.with_topics`):
    passages with at least ``min_tokens`` tokens are drawn at random; each shows the passage's
    ``n_top_topics`` most probable topics plus one drawn from the less probable rest (a passage where
    the last of its top topics is as improbable as its least probable topic is not drawn: nothing
    would tell the intruder from it), each topic as its
    ``n_label_words`` top words. Options are shuffled, so the intruder's position is random; the
    question order is shuffled too. The same model, data and ``seed`` give the same test.

    >>> from types import SimpleNamespace
    >>> words = ["普法", "宣传", "宪法", "讲座", "执法", "队伍", "培训", "规范", "调解", "纠纷", "信访", "排查"]
    >>> phi = np.kron(np.eye(3), np.ones(4)) * 0.22 + 0.01   # topic t: words 4t … 4t+3
    >>> phi[[0, 1, 2], [0, 4, 8]] += 0.04                    # the first of them leads the topic
    >>> model = SimpleNamespace(topic_word_=phi / phi.sum(axis=1, keepdims=True), vocabulary_=words, labels_=["a", "b", "c"])
    >>> test = intrusion_test(model, n_words=3, seed=1)
    >>> # by hand: the other topics' top-3 words that rank, in this topic, above the 0.6 quantile of their ranks
    >>> candidates = {0: {"培训", "调解", "纠纷", "信访"}, 1: {"宪法", "调解", "纠纷", "信访"}, 2: {"宪法", "执法", "队伍", "培训"}}
    >>> for topic, group in test.key.groupby("topic"):
    ...     intruder = group.loc[group["intruder"], "value"].item()
    ...     print(topic, "、".join(sorted(group.loc[~group["intruder"], "value"])), intruder in candidates[topic])
    0 宣传、宪法、普法 True
    1 培训、执法、队伍 True
    2 信访、纠纷、调解 True
    """
    rng = np.random.default_rng(seed)
    phi = np.asarray(model.topic_word_, dtype=float)
    vocabulary = list(model.vocabulary_)
    k = phi.shape[0]
    if k < 2:
        raise ValueError("intrusion tests need at least two topics")
    order = np.argsort(-phi, axis=1, kind="stable")
    rank = np.argsort(order, axis=1, kind="stable")  # rank[t, w]: position of word w in topic t (0 = top)
    pool = sorted({int(w) for t in range(k) for w in order[t, :n_words]})
    sheet_rows: list[dict[str, Any]] = []
    key_rows: list[dict[str, Any]] = []
    for number, topic in enumerate(rng.permutation(k), start=1):
        good = [int(w) for w in order[topic, :n_words]]
        ranks = rank[topic, pool]
        cut = np.quantile(ranks, intruder_quantile)
        candidates = [w for w, r in zip(pool, ranks) if r > cut and w not in good]
        if not candidates:
            raise ValueError(f"topic {topic} has no intruder candidate: too few topics or words")
        intruder = candidates[int(rng.integers(len(candidates)))]
        words = _insert([good[i] for i in rng.permutation(len(good))], intruder, int(rng.integers(len(good) + 1)))
        item = f"W{number:02d}"
        sheet_rows.append({"item": item, "task": WORD, "text": "", **_options([vocabulary[w] for w in words])})
        key_rows += [{"item": item, "task": WORD, "option": i, "value": vocabulary[w], "intruder": w == intruder,
                      "topic": int(topic), "weight": float(phi[topic, w]), "doc_id": None, "unit_index": None}
                     for i, w in enumerate(words, start=1)]
    if units is not None and n_passages > 0:
        if topics is None:
            raise ValueError("topic-intrusion questions need the units' topic proportions (topics=)")
        if k < n_top_topics + 1:
            raise ValueError(f"topic intrusion needs more than n_top_topics={n_top_topics} topics; the model has {k}")
        frame = with_topics(units, topics)
        theta = frame[topic_columns(frame)].to_numpy(dtype=float)
        if theta.shape[1] != k:
            raise ValueError(f"the topic table has {theta.shape[1]} topics, the model {k}")
        long_enough = frame["n_tokens"].to_numpy() >= min_tokens if "n_tokens" in frame else np.ones(len(frame), bool)
        # A passage whose n-th topic is no more probable than its least one has no intruder to find.
        ranked = -np.sort(-theta, axis=1)
        eligible = np.flatnonzero(long_enough & (ranked[:, n_top_topics - 1] > ranked[:, -1]))
        if not len(eligible):
            raise ValueError(f"no passage has at least min_tokens={min_tokens} tokens and {n_top_topics} topics "
                             "more probable than its least probable one")
        labels = [_topic_words(phi[t], vocabulary, n_label_words) for t in range(k)]
        picked = rng.choice(eligible, size=min(n_passages, len(eligible)), replace=False)
        for number, row in enumerate(picked, start=1):
            top = [int(t) for t in np.argsort(-theta[row], kind="stable")[:n_top_topics]]
            rest = [t for t in range(k) if t not in top and theta[row, t] < theta[row, top[-1]]]
            intruder = rest[int(rng.integers(len(rest)))]
            shown = _insert([top[i] for i in rng.permutation(len(top))], intruder, int(rng.integers(len(top) + 1)))
            item = f"T{number:02d}"
            sheet_rows.append({"item": item, "task": TOPIC, "text": frame.at[row, "text"],
                               **_options([labels[t] for t in shown])})
            key_rows += [{"item": item, "task": TOPIC, "option": i, "value": labels[t], "intruder": t == intruder,
                          "topic": t, "weight": float(theta[row, t]), "doc_id": frame.at[row, "doc_id"],
                          "unit_index": int(frame.at[row, "unit_index"])} for i, t in enumerate(shown, start=1)]
    sheet = pd.DataFrame(sheet_rows).fillna({c: "" for c in _option_names(sheet_rows)})
    sheet["answer"] = ""
    key = pd.DataFrame(key_rows)
    sheet_id = hashlib.sha256((sheet.to_csv(index=False) + key.to_csv(index=False)).encode("utf-8")).hexdigest()[:12]
    sheet.insert(0, "sheet", sheet_id)
    key.insert(0, "sheet", sheet_id)
    return IntrusionTest(sheet=sheet, key=key, sheet_id=sheet_id)


def _insert(others: list[int], intruder: int, position: int) -> list[int]:
    return [*others[:position], intruder, *others[position:]]


def _options(values: list[str]) -> dict[str, str]:
    return {f"option_{i}": v for i, v in enumerate(values, start=1)}


def _option_names(rows: list[dict[str, Any]]) -> list[str]:
    return sorted({c for r in rows for c in r if c.startswith("option_")}, key=lambda c: int(c.split("_")[1]))


def _topic_words(weights: np.ndarray, vocabulary: list[str], n: int) -> str:
    return "、".join(vocabulary[w] for w in np.argsort(-weights, kind="stable")[:n])


def read_answers(source: pd.DataFrame | str | Path, coder: str | None = None) -> pd.DataFrame:
    """One coder's answers as columns coder, item, answer (and sheet when given): from the form's CSV
    download (sheet, coder, item, answer, value), a filled-in CSV sheet, or a DataFrame.

    A file without a coder column is named by ``coder`` or by its file name.
    """
    name = coder
    if isinstance(source, (str, Path)):
        name = name or Path(source).stem
        source = unguard_formulas(pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8-sig"))
    frame = source.copy()
    for column in ("item", "answer"):
        if column not in frame.columns:
            raise ValueError(f"answers need an {column!r} column (item and the chosen option number)")
    if "coder" not in frame.columns or frame["coder"].map(_missing).all():
        if not name:
            raise ValueError("answers without a coder column need coder=")
        frame["coder"] = name
    columns = ["coder", "item", "answer", *(["sheet"] if "sheet" in frame.columns else [])]
    return frame[columns].astype({"coder": str, "item": str})


@dataclass
class IntrusionScores:
    """Scores of one or more coders' answers against an :class:`IntrusionTest` key.

    ``summary``: one row per measure (model precision, topic log odds, alpha on the chosen
    option and alpha on right/wrong, as oolong reports it) with its value, what a coder guessing at
    random would get (``chance``), and the numbers of items and coders. ``by_topic``: model precision
    of each topic. ``by_passage``: TLO of each passage. ``by_coder``: each coder's precision and TLO.
    ``answers``: every answer with ``correct`` and (topic intrusion) ``log_odds``.
    """

    summary: pd.DataFrame
    by_topic: pd.DataFrame
    by_passage: pd.DataFrame
    by_coder: pd.DataFrame
    answers: pd.DataFrame

    def value(self, measure: str) -> float:
        """The value of one measure of :attr:`summary`, e.g. ``"model_precision"``."""
        return float(self.summary.set_index("measure").at[measure, "value"])


def score_intrusion(key: pd.DataFrame | str | Path,
                    answers: pd.DataFrame | str | Path | Sequence[pd.DataFrame | str | Path]) -> IntrusionScores:
    """Score coders' answers (:func:`read_answers`, one source per coder or one table with a coder
    column) against the answer key (:attr:`IntrusionTest.key`, or its CSV).

    An answer is the chosen option's number (1 = first option), or its exact text. Blank answers
    count as not answered. Answers to another sheet, to unknown items, out-of-range options, or two
    answers of one coder to one item are errors.

    >>> key = pd.DataFrame({"sheet": "s", "item": ["T01"] * 3, "task": "topic", "option": [1, 2, 3],
    ...                     "value": ["普法、宣传", "执法、培训", "调解、纠纷"], "intruder": [False, False, True],
    ...                     "topic": [0, 1, 2], "weight": [0.6, 0.3, 0.1], "doc_id": "a", "unit_index": 4})
    >>> answers = pd.DataFrame({"coder": ["li", "wang"], "item": ["T01", "T01"], "answer": ["3", "执法、培训"]})
    >>> scores = score_intrusion(key, answers)
    >>> scores.by_coder[["coder", "precision", "tlo"]].round(3).values.tolist()
    [['li', 1.0, 0.0], ['wang', 0.0, -1.099]]
    >>> round(scores.value("topic_log_odds"), 3)   # the mean over coders: (0 + log(0.1 / 0.3)) / 2
    -0.549
    """
    if isinstance(key, (str, Path)):
        key = unguard_formulas(pd.read_csv(key, keep_default_na=False, na_values={"doc_id": [""], "unit_index": [""]},
                                           dtype={"item": str, "sheet": str, "value": str, "doc_id": str},
                                           encoding="utf-8-sig"))
        key["intruder"] = key["intruder"].astype(str).str.lower().eq("true")
    sources = [answers] if isinstance(answers, (pd.DataFrame, str, Path)) else list(answers)
    frames = [read_answers(s, coder=None if isinstance(s, (str, Path)) else
                           (None if "coder" in s.columns else f"coder {i}"))
              for i, s in enumerate(sources, start=1)]
    given = pd.concat(frames, ignore_index=True)
    sheet_ids = set(key["sheet"].astype(str))
    if "sheet" in given.columns:
        foreign = {str(s) for s in given["sheet"] if not _missing(s)} - sheet_ids
        if foreign:
            raise ValueError(f"answers to sheet {sorted(foreign)} do not match this key (sheet {sorted(sheet_ids)})")
    given = given[~given["answer"].map(_missing)].copy()
    given["answer"] = given["answer"].astype(str).str.strip()
    twice = given.duplicated(["coder", "item"], keep=False)
    if twice.any():
        first = given[twice].iloc[0]
        raise ValueError(f"coder {first['coder']!r} answered item {first['item']} more than once")
    unknown = set(given["item"]) - set(key["item"].astype(str))
    if unknown:
        raise ValueError(f"answers to items not in the key: {sorted(unknown)}")
    options = {item: group.sort_values("option") for item, group in key.groupby("item")}
    chosen = [_option_number(options[item], answer, item) for item, answer in zip(given["item"], given["answer"])]
    given["option"] = chosen
    rows = []
    for (coder, item, option) in zip(given["coder"], given["item"], given["option"]):
        group = options[item]
        intruder = group[group["intruder"]].iloc[0]
        pick = group[group["option"] == option].iloc[0]
        log_odds = _log(intruder["weight"]) - _log(pick["weight"]) if intruder["task"] == TOPIC else math.nan
        rows.append({"coder": coder, "item": item, "task": intruder["task"], "option": option,
                     "value": pick["value"], "correct": bool(option == intruder["option"]),
                     "topic": int(intruder["topic"]), "log_odds": log_odds})
    scored = pd.DataFrame(rows, columns=["coder", "item", "task", "option", "value", "correct", "topic", "log_odds"])
    word = scored[scored["task"] == WORD]
    topic = scored[scored["task"] == TOPIC]
    by_topic = (word.groupby("topic").agg(precision=("correct", "mean"), n_coders=("coder", "nunique"))
                .reset_index())
    passages = key[(key["task"] == TOPIC) & key["intruder"]][["item", "doc_id", "unit_index"]]
    by_passage = passages.merge(topic.groupby("item").agg(tlo=("log_odds", "mean"), n_coders=("coder", "nunique"))
                                .reset_index(), on="item", how="inner")
    by_coder = (scored.groupby(["coder", "task"])
                .agg(n_answered=("item", "size"), precision=("correct", "mean"), tlo=("log_odds", "mean"))
                .reset_index())
    by_coder.loc[by_coder["task"] == WORD, "tlo"] = math.nan
    summary = pd.DataFrame([
        _measure("model_precision", WORD, by_topic["precision"].mean(), _chance_precision(key, WORD), word),
        _measure("topic_log_odds", TOPIC, by_passage["tlo"].mean(), _chance_tlo(key), topic),
        _measure("alpha", WORD, _alpha(word, "option"), math.nan, word),
        _measure("alpha", TOPIC, _alpha(topic, "option"), math.nan, topic),
        _measure("alpha_correct", WORD, _alpha(word, "correct"), math.nan, word),
        _measure("alpha_correct", TOPIC, _alpha(topic, "correct"), math.nan, topic),
    ])
    summary["measure"] = [m if m.startswith(("model", "topic")) else f"{m}_{t}"
                          for m, t in zip(summary["measure"], summary["task"])]
    return IntrusionScores(summary=summary, by_topic=by_topic, by_passage=by_passage, by_coder=by_coder, answers=scored)


def _option_number(group: pd.DataFrame, answer: str, item: str) -> int:
    numbers = list(group["option"].astype(int))
    if answer.isdigit():
        if int(answer) not in numbers:
            raise ValueError(f"item {item}: option {answer} does not exist (1 … {max(numbers)})")
        return int(answer)
    matches = group[group["value"].astype(str) == answer]
    if len(matches) != 1:
        raise ValueError(f"item {item}: answer {answer!r} is neither an option number nor an option's text")
    return int(matches["option"].iloc[0])


def _measure(name: str, task: str, value: float, chance: float, answers: pd.DataFrame) -> dict[str, Any]:
    return {"measure": name, "task": task, "value": float(value) if len(answers) else math.nan, "chance": chance,
            "n_items": int(answers["item"].nunique()), "n_coders": int(answers["coder"].nunique())}


def _alpha(answers: pd.DataFrame, column: str) -> float:
    if answers["coder"].nunique() < 2:
        return math.nan
    table = answers.pivot(index="coder", columns="item", values=column)
    return krippendorff_alpha(table.astype(object).where(table.notna(), None).to_numpy().tolist())


def _log(weight: float) -> float:
    """Natural log with a floor, so a proportion of exactly 0 (possible with NMF) gives a finite log odds."""
    return math.log(max(float(weight), 1e-12))


def _chance_precision(key: pd.DataFrame, task: str) -> float:
    """Expected precision of a coder who picks an option at random: the mean of 1 / options."""
    sizes = key[key["task"] == task].groupby("item").size()
    return float((1 / sizes).mean()) if len(sizes) else math.nan


def _chance_tlo(key: pd.DataFrame) -> float:
    """Expected TLO of a coder who picks an option at random: per passage, the mean over its options of
    log θ(intruder) − log θ(option); then the mean over passages."""
    values = []
    for _, group in key[key["task"] == TOPIC].groupby("item"):
        weights = group["weight"].to_numpy(dtype=float)
        intruder = float(group.loc[group["intruder"], "weight"].iloc[0])
        values.append(float(np.mean([_log(intruder) - _log(w) for w in weights])))
    return float(np.mean(values)) if values else math.nan

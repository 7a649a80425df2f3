"""Reading what a topic is about: its representative passages, and any term in its context.

:func:`representative_passages` is stm's ``findThoughts``: for each topic, the units with the
highest proportion of it. :func:`kwic` is keyword in context (quanteda's ``kwic``) on the
normalised text, with the report's metadata on every hit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .cleaning import _CHAR_MAP, normalize_text
from .reading import Corpus

__all__ = ["topic_columns", "with_topics", "representative_passages", "kwic", "canonical"]

_KEYS = ["doc_id", "unit_index"]
# Columns of the units frame that are not metadata of a hit or a passage.
_BULKY = ("text", "tokens")


def topic_columns(frame: pd.DataFrame) -> list[str]:
    """The ``topic_0`` … ``topic_{K-1}`` columns of a :func:`~govtopics.models.unit_topics` table, in topic order.

    >>> topic_columns(pd.DataFrame(columns=["doc_id", "topic_1", "topic_0", "topic_2", "n_tokens"]))
    ['topic_0', 'topic_1', 'topic_2']
    """
    found = {int(m.group(1)): c for c in frame.columns if (m := re.fullmatch(r"topic_(\d+)", str(c)))}
    if sorted(found) != list(range(len(found))):
        raise ValueError(f"topic columns must be topic_0 … topic_{{K-1}} without gaps; found {sorted(found)}")
    return [found[k] for k in range(len(found))]


def with_topics(units: pd.DataFrame, topics: pd.DataFrame | np.ndarray) -> pd.DataFrame:
    """The units (with their text) joined to their topic proportions ``topic_0`` … and ``n_tokens``.

    ``topics`` is a :func:`~govtopics.models.unit_topics` table, joined on ``doc_id`` and
    ``unit_index`` (units without a row there have no proportions and are left out), or an
    array (n_units x K) in the order of ``units``. ``n_tokens`` is counted from ``tokens``
    when the topic table does not have it.

    >>> units = pd.DataFrame({"doc_id": ["a", "a"], "unit_index": [0, 1], "text": ["普法。", "执法。"]})
    >>> with_topics(units, np.array([[0.9, 0.1], [0.2, 0.8]]))[["doc_id", "topic_0", "topic_1"]].values.tolist()
    [['a', 0.9, 0.1], ['a', 0.2, 0.8]]
    """
    missing = [c for c in [*_KEYS, "text"] if c not in units.columns]
    if missing:
        raise ValueError(f"units need the columns {missing} (the units frame with its text)")
    base = units.drop(columns=[c for c in units.columns if re.fullmatch(r"topic_\d+", str(c))])
    if isinstance(topics, pd.DataFrame):
        columns = topic_columns(topics)
        if not columns:
            raise ValueError("the topic table has no topic_0 … columns (see govtopics.models.unit_topics)")
        keep = [*_KEYS, *columns, *(["n_tokens"] if "n_tokens" in topics.columns else [])]
        base = base.drop(columns=[c for c in keep if c in base.columns and c not in _KEYS])
        joined = base.merge(topics[keep], on=_KEYS, how="inner", validate="one_to_one")
    else:
        theta = np.asarray(topics, dtype=float)
        if theta.ndim != 2 or theta.shape[0] != len(units):
            raise ValueError(f"topic proportions of shape {theta.shape} do not match {len(units)} units")
        joined = pd.concat([base.reset_index(drop=True),
                            pd.DataFrame(theta, columns=[f"topic_{k}" for k in range(theta.shape[1])])], axis=1)
    if "n_tokens" not in joined.columns and "tokens" in joined.columns:
        joined["n_tokens"] = joined["tokens"].map(len)
    if joined.empty:
        raise ValueError("no unit of `units` has topic proportions: do the doc_id and unit_index columns match?")
    return joined


def representative_passages(
    units: pd.DataFrame,
    topics: pd.DataFrame | np.ndarray,
    n: int = 5,
    by: str | Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    min_tokens: int = 0,
) -> pd.DataFrame:
    """The ``n`` units with the highest proportion of each topic (stm's ``findThoughts``), per group of ``by``.

    ``units`` is the units frame with its text (``Corpus.units_frame()``, or the tokenized one);
    ``topics`` its topic proportions (:func:`with_topics`). ``by`` names columns to rank within
    (``"year"``, ``"level"``, ``"part"``, or several). Units with fewer than ``min_tokens`` analysis
    tokens are not candidates (a unit of two words can sit wholly in one topic and say nothing).
    Ties in proportion go to the earlier report id, then the earlier unit.

    Columns: topic, label, the ``by`` columns, rank (1 = most representative), proportion, then
    the unit's columns (doc_id, unit_index, year, unit, level, part, heading, … text, n_tokens).

    >>> units = pd.DataFrame({"doc_id": ["a", "a", "b"], "unit_index": [0, 1, 0], "year": [2022, 2022, 2023],
    ...                       "text": ["普法宣传进村。", "执法队伍培训。", "普法讲座。"]})
    >>> theta = np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3]])
    >>> representative_passages(units, theta, n=2)[["topic", "rank", "proportion", "doc_id", "text"]].values.tolist()
    [[0, 1, 0.9, 'a', '普法宣传进村。'], [0, 2, 0.7, 'b', '普法讲座。'], [1, 1, 0.8, 'a', '执法队伍培训。'], [1, 2, 0.3, 'b', '普法讲座。']]
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    by = [] if by is None else [by] if isinstance(by, str) else list(by)
    frame = with_topics(units, topics)
    columns = topic_columns(frame)
    missing = [c for c in by if c not in frame.columns]
    if missing:
        raise ValueError(f"cannot rank passages by {missing}: not columns of the units")
    if min_tokens > 0:
        if "n_tokens" not in frame.columns:
            raise ValueError("min_tokens needs n_tokens (from unit_topics) or a tokens column")
        frame = frame[frame["n_tokens"] >= min_tokens]
    frame = frame.reset_index(drop=True)
    labels = list(labels) if labels is not None else [f"topic {k}" for k in range(len(columns))]
    if len(labels) != len(columns):
        raise ValueError(f"{len(labels)} labels for {len(columns)} topics")
    meta = [c for c in frame.columns if c not in (*columns, *_BULKY)]
    meta = [*[c for c in meta if c not in by], *(["text"] if "text" in frame.columns else [])]
    doc_order = frame["doc_id"].astype(str).to_numpy()
    unit_order = frame["unit_index"].to_numpy()
    groups = frame.groupby(by, sort=True, dropna=False).indices.items() if by else [((), np.arange(len(frame)))]
    pieces = []
    for key, idx in groups:
        key = key if isinstance(key, tuple) else (key,)
        for topic, column in enumerate(columns):
            share = frame[column].to_numpy(dtype=float)[idx]
            # lexsort: last key first; highest share, then report id, then unit index.
            order = idx[np.lexsort((unit_order[idx], doc_order[idx], -share))][:n]
            piece = frame.loc[order, meta].reset_index(drop=True)
            piece.insert(0, "proportion", frame.loc[order, column].to_numpy(dtype=float))
            piece.insert(0, "rank", np.arange(1, len(order) + 1))
            for name, value in reversed(list(zip(by, key))):
                piece.insert(0, name, value)
            piece.insert(0, "label", labels[topic])
            piece.insert(0, "topic", topic)
            pieces.append(piece)
    out = pd.concat(pieces, ignore_index=True)
    return out.sort_values(["topic", *by, "rank"], kind="stable", ignore_index=True)


# Characters normalize_text replaces beyond NFKC (its table's keys; "\r\n" starts with "\r").
_MAPPED = re.compile("[" + re.escape("".join(sorted({key[0] for key in _CHAR_MAP}))) + "]")


# Characters that NFKC and the table leave as they are and that make up almost all report text: printable
# ASCII, CJK unified ideographs, and the common Chinese punctuation that is not folded. Text of these
# alone is canonical but for whitespace, without asking unicodedata (which is slower on CJK).
_STABLE = "\t\n\x20-\x7e\u4e00-\u9fff\u3001\u3002\u3008\u3009\u300a\u300b\u201c\u201d\u00b7\u00d7"
_UNSTABLE = re.compile(f"[^{_STABLE}]")


def canonical(text: str) -> str:
    """``normalize_text(text)``, but without the work when the text is in canonical form already
    (as every unit's text is after :func:`~govtopics.reading.load_corpus`): 20 times faster then.

    >>> canonical("营商环境"), canonical("营商环境（ＡＢ）\\r\\n")
    ('营商环境', '营商环境(AB)')
    """
    if not text or not unicodedata.is_normalized("NFKC", text) or _MAPPED.search(text):
        return normalize_text(text)
    # whitespace that normalize_text strips: at either end, or around a line break
    if text[0].isspace() or text[-1].isspace() or ("\n" in text and any(
            line != line.strip() for line in text.split("\n"))):
        return normalize_text(text)
    return text


def kwic(units: pd.DataFrame | Corpus, keyword: str, window: int = 20, regex: bool = False) -> pd.DataFrame:
    """Keyword in context: every occurrence of ``keyword`` in the units, with ``window`` characters each side.

    Matching is on the normalised text (:func:`~govtopics.cleaning.normalize_text`), so full- and
    half-width forms are the same character; the keyword is normalised the same way. Hits do not
    overlap and are found left to right, as ``str.count`` counts them (``"哈哈"`` is in ``"哈哈哈"``
    once). With ``regex=True`` the keyword is a regular expression (``"营商环境|法治化营商"``).
    ``units`` is a units frame (its text and any metadata columns) or a :class:`Corpus`.

    Columns: the unit's metadata (doc_id, unit_index, year, unit, level, part, heading, …),
    start (offset of the hit in the unit's normalised text), left, keyword, right.

    >>> units = pd.DataFrame({"doc_id": ["a"], "unit_index": [0], "year": [2023],
    ...                       "text": ["持续优化营商环境，营商环境评价进入全省前列。"]})
    >>> kwic(units, "营商环境", window=4)[["year", "left", "keyword", "right"]].values.tolist()
    [[2023, '持续优化', '营商环境', ',营商环'], [2023, '商环境,', '营商环境', '评价进入']]
    """
    if isinstance(units, Corpus):
        units = units.units_frame()
    if "text" not in units.columns:
        raise ValueError("units need a text column (Corpus.units_frame() has it)")
    if window < 0:
        raise ValueError(f"window must be 0 or more characters, not {window}")
    term = normalize_text(keyword)
    if not term:
        raise ValueError("the keyword is empty")
    pattern = re.compile(term if regex else re.escape(term))
    if pattern.fullmatch(""):
        raise ValueError(f"the pattern {keyword!r} matches the empty string")
    meta = [c for c in units.columns if c not in _BULKY]
    texts = [t if isinstance(t, str) else "" for t in units["text"].tolist()]
    rows, where = [], []
    for position in _candidates(texts, None if regex or "\n" in term else term):
        text = canonical(texts[position])
        for match in pattern.finditer(text):
            start, end = match.span()
            where.append(position)
            rows.append((start, text[max(start - window, 0):start], match.group(), text[end:end + window]))
    hits = units.iloc[where][meta].reset_index(drop=True)
    context = pd.DataFrame(rows, columns=["start", "left", "keyword", "right"])
    return pd.concat([hits, context], axis=1)


def _candidates(texts: list[str], term: str | None, block: int = 256) -> list[int]:
    """Positions of the texts that may hold ``term`` once normalised (all of them for a pattern, ``term=None``).

    Texts come in blocks: when a block, joined at line breaks, is in canonical form but for
    whitespace at line ends (NFKC and the character table change nothing; a line break composes
    with nothing, so each text is then canonical too), normalising can only strip that
    whitespace, which cannot make a term without a line break appear: only texts that already
    hold the term are candidates. Saves normalising and matching every unit of a large corpus.
    """
    if term is None:
        return list(range(len(texts)))
    found: list[int] = []
    for first in range(0, len(texts), block):
        chunk = texts[first:first + block]
        joined = "\n".join(chunk)
        if not _UNSTABLE.search(joined) or (unicodedata.is_normalized("NFKC", joined) and not _MAPPED.search(joined)):
            found += [first + i for i, text in enumerate(chunk) if term in text]
        else:
            found += range(first, first + len(chunk))
    return found

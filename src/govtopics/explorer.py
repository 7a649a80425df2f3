"""An offline topic explorer: one self-contained HTML file, and the same view inline in a notebook.

It shows the topics on a 2-D map (classical scaling of the Jensen-Shannon divergences between their
word distributions, as LDAvis does), each topic's terms ranked by relevance with a λ slider
(Sievert & Shirley 2014), its prevalence by year with intervals (:func:`govtopics.trends.topic_prevalence`)
and its representative passages (:func:`govtopics.passages.representative_passages`). The page has
no external resource of any kind and a Content-Security-Policy that allows only its own script;
report text reaches it as escaped JSON and is shown as text (see :mod:`govtopics.htmlpage`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .htmlpage import iframe, page, rounded, web_asset
from .passages import representative_passages, topic_columns, with_topics

__all__ = ["Explorer", "explore", "js_divergence", "pcoa", "topic_map", "relevance"]


def js_divergence(topic_word: np.ndarray) -> np.ndarray:
    """Jensen-Shannon divergence (natural log) between every pair of topics' word distributions (K x K).

    >>> js_divergence(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])).round(4).tolist()
    [[0.0, 0.6931, 0.0], [0.6931, 0.0, 0.6931], [0.0, 0.6931, 0.0]]
    """
    p = np.asarray(topic_word, dtype=float)
    p = p / p.sum(axis=1, keepdims=True)
    k = p.shape[0]
    out = np.zeros((k, k))
    for i in range(k):
        for j in range(i + 1, k):
            m = (p[i] + p[j]) / 2
            out[i, j] = out[j, i] = (_kl(p[i], m) + _kl(p[j], m)) / 2
    return out


def _kl(p: np.ndarray, q: np.ndarray) -> float:
    nz = p > 0
    return float(np.sum(p[nz] * np.log(p[nz] / q[nz])))


def pcoa(distances: np.ndarray, dims: int = 2) -> np.ndarray:
    """Classical multidimensional scaling (principal coordinates, R's ``cmdscale``) of a distance matrix.

    Axes with a non-positive eigenvalue get zeros; each axis's sign is fixed so that its largest
    coordinate (in absolute value) is positive, so the map is the same on every machine.

    >>> points = pcoa(np.array([[0.0, 3.0, 5.0], [3.0, 0.0, 4.0], [5.0, 4.0, 0.0]]))
    >>> round(float(np.linalg.norm(points[0] - points[2])), 6)
    5.0
    """
    d = np.asarray(distances, dtype=float)
    n = d.shape[0]
    centre = np.eye(n) - np.full((n, n), 1.0 / n)
    b = -0.5 * centre @ (d ** 2) @ centre
    values, vectors = np.linalg.eigh((b + b.T) / 2)
    order = np.argsort(-values, kind="stable")[:dims]
    coords = np.zeros((n, dims))
    for axis, index in enumerate(order):
        if values[index] > 1e-12:
            column = vectors[:, index] * np.sqrt(values[index])
            column = column * (1.0 if column[np.argmax(np.abs(column))] >= 0 else -1.0)
            coords[:, axis] = column
    return coords


def topic_map(topic_word: np.ndarray) -> np.ndarray:
    """The 2-D positions of the topics (K x 2), as LDAvis's default: PCoA of the Jensen-Shannon divergences."""
    k = np.asarray(topic_word).shape[0]
    return pcoa(js_divergence(topic_word)) if k > 1 else np.zeros((k, 2))


def relevance(topic_word: np.ndarray, p_w: np.ndarray, lam: float) -> np.ndarray:
    """Relevance of every word to every topic (K x V): λ log p(w|k) + (1 − λ) log(p(w|k) / p(w)); −inf where p(w|k) = 0.

    >>> relevance(np.array([[0.5, 0.5], [0.9, 0.1]]), np.array([0.7, 0.3]), 0.0).round(3).tolist()
    [[-0.336, 0.511], [0.251, -1.099]]
    """
    phi = np.asarray(topic_word, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_phi = np.log(phi)
        scores = lam * log_phi + (1 - lam) * (log_phi - np.log(np.asarray(p_w, dtype=float)))
    return np.where(phi > 0, scores, -np.inf)  # a word the topic never uses is least relevant (NMF has zeros)


class Explorer:
    """The explorer's data and its page: :meth:`to_html`, :meth:`save`; shown inline in Jupyter.

    Build it with :func:`explore`. ``data`` is the JSON-able dict the page's script draws from.
    """

    def __init__(self, data: dict[str, Any], height: int = 820):
        self.data = data
        self.height = height

    def to_html(self) -> str:
        """The whole page as one string: the same data give the same text."""
        style = web_asset("common.css") + web_asset("explorer.css")
        return page(self.data["title"], style, web_asset("explorer.js"), self.data)

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` (UTF-8) and return the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_html(), encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        return iframe(self.to_html(), height=self.height)

    def __repr__(self) -> str:
        return f"<Explorer: {len(self.data['topics'])} topics; .save(path) writes the page>"


def explore(
    model: Any,
    units: pd.DataFrame,
    topics: pd.DataFrame | np.ndarray | None = None,
    prevalence: pd.DataFrame | None = None,
    n_terms: int = 30,
    n_passages: int = 5,
    n_passages_per_year: int = 3,
    min_tokens: int = 5,
    max_chars: int = 1000,
    lambda_: float = 0.6,
    title: str = "govtopics: topic explorer",
) -> Explorer:
    """The topic explorer of a fitted model over its units.

    ``model``: a fitted topic model (``topic_word_``, ``vocabulary_``, ``labels_``). ``units``: the
    units frame with its text (and ``tokens``). ``topics``: the units' topic proportions, a
    :func:`~govtopics.models.unit_topics` table or an array (default: ``unit_topics(units, model)``).
    ``prevalence``: a :func:`~govtopics.trends.topic_prevalence` table by year; without it the
    page shows none. Topic sizes are the token-weighted mean proportions; p(w) for relevance is
    the model's marginal Σₖ p(k) p(w|k). Each topic keeps the words that are in its top ``n_terms``
    at some λ in 0, 0.1, …, 1, so the slider re-ranks them in the page; ``lambda_`` is where it
    starts (0.6, the value Sievert & Shirley found best). Passages: the ``n_passages`` most
    representative units over all years and ``n_passages_per_year`` in each year, among units
    with at least ``min_tokens`` tokens; a passage longer than ``max_chars`` characters is cut
    there (the page says so; :func:`~govtopics.passages.representative_passages` has the whole text),
    and each passage's text is stored once however many lists it is in, so the file stays small.

    >>> from govtopics.models import LdaTopics
    >>> units = pd.DataFrame({"doc_id": ["a", "a", "b", "b"], "unit_index": [0, 1, 0, 1], "year": [2022, 2022, 2023, 2023],
    ...                       "text": ["普法宣传。", "执法培训。", "宪法宣传。", "执法规范。"],
    ...                       "tokens": [["普法", "宣传"], ["执法", "培训"], ["宪法", "宣传"], ["执法", "规范"]]})
    >>> lda = LdaTopics(num_topics=2, no_below=1, no_above=1.0).fit(list(units["tokens"]))
    >>> view = explore(lda, units, min_tokens=0)
    >>> len(view.data["topics"]), view.to_html().startswith("<!DOCTYPE html>")
    (2, True)
    """
    from .models import unit_topics

    phi = np.asarray(model.topic_word_, dtype=float)
    vocabulary = list(model.vocabulary_)
    k = phi.shape[0]
    labels = list(getattr(model, "labels_", [f"topic {t}" for t in range(k)]))
    if topics is None:
        if "tokens" not in units.columns:
            raise ValueError("give topics= (unit_topics) or units with a tokens column")
        topics = unit_topics(units, model)
    frame = with_topics(units, topics)
    theta = frame[topic_columns(frame)].to_numpy(dtype=float)
    if theta.shape[1] != k:
        raise ValueError(f"the topic table has {theta.shape[1]} topics, the model {k}")
    weights = frame["n_tokens"].to_numpy(dtype=float) if "n_tokens" in frame else np.ones(len(frame))
    shares = (weights @ theta) / weights.sum() if weights.sum() > 0 else theta.mean(axis=0)
    p_w = shares @ phi
    keep = _candidate_terms(phi, p_w, n_terms)
    used = sorted({w for words in keep for w in words})
    position = {w: i for i, w in enumerate(used)}
    coords = topic_map(phi)
    texts: list[str] = []
    passages = _passages(units, topics, labels, n_passages, n_passages_per_year, min_tokens, max_chars, texts)
    years = sorted({int(y) for y in frame["year"].dropna()}) if "year" in frame else []
    topics_data = []
    for t in range(k):
        topics_data.append({
            "id": t,
            "label": str(labels[t]),
            "share": rounded(shares[t]),
            "x": rounded(coords[t, 0]),
            "y": rounded(coords[t, 1]),
            "terms": [[position[w], rounded(phi[t, w])] for w in keep[t]],
            "prevalence": _prevalence_points(prevalence, t),
            "passages": passages.get(t, []),
        })
    n_reports = frame["doc_id"].nunique()
    span = f", {years[0]}–{years[-1]}" if years else ""
    undated = frame.loc[frame["year"].isna(), "doc_id"].nunique() if "year" in frame else n_reports
    undated_note = f" ({undated} without a year)" if undated else ""
    data = {
        "title": title,
        "summary": f"{k} topics · {n_reports} reports{undated_note} · {len(frame)} units{span}",
        "lambda": lambda_,
        "n_terms": n_terms,
        "vocab": [vocabulary[w] for w in used],
        "pw": [rounded(p_w[w]) for w in used],
        "years": years,
        "texts": texts,
        "topics": topics_data,
        "prevalence_note": _prevalence_note(prevalence),
    }
    return Explorer(data)


def _candidate_terms(phi: np.ndarray, p_w: np.ndarray, n_terms: int) -> list[list[int]]:
    """Per topic, the words in its top ``n_terms`` by relevance at some λ in 0, 0.1, …, 1, most probable first."""
    keep: list[set[int]] = [set() for _ in range(phi.shape[0])]
    for lam in np.linspace(0, 1, 11):
        scores = relevance(phi, p_w, float(lam))
        top = np.argsort(-scores, axis=1, kind="stable")[:, :n_terms]
        for t, words in enumerate(top):
            keep[t].update(int(w) for w in words if phi[t, w] > 0)
    return [sorted(words, key=lambda w: (-phi[t, w], w)) for t, words in enumerate(keep)]


def _prevalence_note(prevalence: pd.DataFrame | None) -> str:
    """What the prevalence chart shows, with the table's weighting (``weighting`` column or attribute)."""
    if prevalence is None:
        return "No prevalence table was given (govtopics.trends.topic_prevalence)."
    weighting = (prevalence["weighting"].iloc[0] if "weighting" in prevalence.columns and len(prevalence)
                 else prevalence.attrs.get("weighting"))
    line = {"report": "the topic's prevalence in each year, each report counting once",
            "tokens": "the topic's share of each year's text"}.get(weighting, "the topic's prevalence in each year")
    return (f"Line: {line} (dotted across years without reports); whiskers: its bootstrap interval; hollow points: "
            "years with few reports; grey bars: reports per year (square-root scale).")


def _prevalence_points(prevalence: pd.DataFrame | None, topic: int) -> list[dict[str, Any]]:
    if prevalence is None:
        return []
    needed = {"topic", "year", "prevalence"}
    if not needed <= set(prevalence.columns):
        raise ValueError(f"the prevalence table needs the columns {sorted(needed)} (topic_prevalence by year)")
    rows = prevalence[prevalence["topic"] == topic].sort_values("year")
    points = []
    for row in rows.to_dict("records"):
        points.append({
            "year": int(row["year"]),
            "p": rounded(row["prevalence"]),
            "lo": rounded(row["ci_low"]) if "ci_low" in row else None,
            "hi": rounded(row["ci_high"]) if "ci_high" in row else None,
            "few": bool(row.get("few_reports", False)),
            "n": int(row["n_reports"]) if "n_reports" in row else None,
        })
    return points


def _passages(units: pd.DataFrame, topics: pd.DataFrame | np.ndarray, labels: Sequence[str], n: int,
              n_per_year: int, min_tokens: int, max_chars: int, texts: list[str]) -> dict[int, list[dict[str, Any]]]:
    """Passages per topic; their texts (cut at ``max_chars``) go to ``texts`` once each, passages hold the index."""
    frame = with_topics(units, topics)
    if "n_tokens" not in frame:
        min_tokens = 0
    tables = [representative_passages(frame, frame, n=n, labels=labels, min_tokens=min_tokens).assign(scope="all")]
    if n_per_year > 0 and "year" in frame and frame["year"].notna().any():
        by_year = representative_passages(frame[frame["year"].notna()], frame[frame["year"].notna()], n=n_per_year,
                                          by="year", labels=labels, min_tokens=min_tokens)
        tables.append(by_year.assign(scope=by_year["year"].astype(int).astype(str)))
    out: dict[int, list[dict[str, Any]]] = {}
    index: dict[str, int] = {}
    for table in tables:
        for row in table.to_dict("records"):
            text = _text(row.get("text"))
            shown = text if len(text) <= max_chars else text[:max_chars] + "…"
            if shown not in index:
                index[shown] = len(texts)
                texts.append(shown)
            out.setdefault(int(row["topic"]), []).append({
                "scope": row["scope"],
                "rank": int(row["rank"]),
                "proportion": rounded(row["proportion"]),
                "doc_id": _text(row.get("doc_id")),
                "unit_index": int(row["unit_index"]),
                "year": None if pd.isna(row.get("year")) else int(row["year"]),
                "unit": _text(row.get("unit")),
                "part": _text(row.get("part")),
                "heading": _text(row.get("heading")),
                "text": index[shown],
                "chars": len(text),
            })
    return out


def _text(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)

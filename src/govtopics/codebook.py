"""Codebooks: concepts named in advance, each with seed words, for keyword-seeded topic models.

A codebook is a TOML file (see the two shipped in ``govtopics/data/``, :data:`SHIPPED`)::

    free_topics = 3            # topics left free for what the codebook does not name

    [[concept]]
    name = "行政执法"
    description = "administrative law enforcement"   # optional
    seeds = ["执法", "处罚", "检查"]

:func:`load_codebook` reads and checks it (every mistake is a :class:`CodebookError` naming the
file and the concept); :func:`keyword_diagnostics` checks the seed words against a corpus before a
model is fitted (after keyATM's ``visualize_keywords``): how often each occurs and in what share of
the units, which are absent or too rare to shape a topic (dropped, with a :class:`SeedWordWarning`),
which concepts share a word, and which concept is left with no seed at all.
:class:`~govtopics.seeded.SeededTopics` fits the model.
"""

from __future__ import annotations

import tomllib
import unicodedata
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["Concept", "Codebook", "CodebookError", "SeedWordWarning", "SHIPPED", "load_codebook",
           "keyword_diagnostics", "kept_seeds"]

DATA = Path(__file__).with_name("data")
# Codebooks shipped with govtopics, by the name ``load_codebook`` also accepts.
SHIPPED = {
    "rule_of_law_outline": DATA / "codebook_rule_of_law_outline.toml",
    "government_work": DATA / "codebook_government_work.toml",
}
# A seed word's status in :func:`keyword_diagnostics`.
STATUSES = ("kept", "absent", "rare", "too common")
# Dropped seed words named in the warning; the diagnostics table lists them all.
LISTED = 8


class CodebookError(ValueError):
    """A codebook that cannot be read or is not valid; the message names the file and the concept."""


class SeedWordWarning(UserWarning):
    """Seed words dropped (absent or too rare in the corpus), or a concept left without seed words."""


@dataclass(frozen=True)
class Concept:
    """A named concept: its seed words (normalised, in the codebook's order) and an optional description."""

    name: str
    seeds: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True)
class Codebook:
    """Concepts named in advance and a number of free topics.

    >>> book = Codebook.from_dict({"free_topics": 1, "concept": [{"name": "普法", "seeds": ["普法", "宣传"]},
    ...                                                          {"name": "执法", "seeds": ["执法"]}]})
    >>> book.names, book.n_topics, book.seed_words["普法"]
    (['普法', '执法'], 3, ['普法', '宣传'])
    """

    concepts: tuple[Concept, ...]
    free_topics: int = 0
    source: str = field(default="", compare=False)

    @property
    def names(self) -> list[str]:
        """The concepts' names, in order (the labels of the seeded topics)."""
        return [c.name for c in self.concepts]

    @property
    def seed_words(self) -> dict[str, list[str]]:
        """``{concept: seed words}``."""
        return {c.name: list(c.seeds) for c in self.concepts}

    @property
    def n_topics(self) -> int:
        """Topics of a model of this codebook: one per concept plus the free ones."""
        return len(self.concepts) + self.free_topics

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "") -> Codebook:
        """A codebook from the parsed TOML (``free_topics`` and a ``concept`` list); ``source`` names it in errors."""
        where = f" in {source}" if source else ""
        unknown = sorted(set(data) - {"free_topics", "concept"})
        if unknown:
            raise CodebookError(f"unknown codebook key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}{where}; "
                                "known: free_topics, [[concept]]")
        free = data.get("free_topics", 0)
        if isinstance(free, bool) or not isinstance(free, int) or free < 0:
            raise CodebookError(f"free_topics{where} must be a whole number >= 0, not {free!r}")
        raw = data.get("concept", [])
        if not isinstance(raw, list) or not raw:
            raise CodebookError(f"no concepts{where}: add [[concept]] tables with a name and seeds")
        concepts, names = [], set()
        for i, entry in enumerate(raw, start=1):
            if not isinstance(entry, Mapping):
                raise CodebookError(f"concept {i}{where} must be a table with name and seeds")
            extra = sorted(set(entry) - {"name", "seeds", "description"})
            name = entry.get("name")
            label = f"concept {i}" + (f" ({name!r})" if isinstance(name, str) else "")
            if extra:
                raise CodebookError(f"{label}{where}: unknown key {', '.join(extra)}; known: name, seeds, description")
            if not isinstance(name, str) or not name.strip():
                raise CodebookError(f"{label}{where} has no name")
            name = name.strip()
            if name in names:
                raise CodebookError(f"concept {name!r}{where} is named twice")
            names.add(name)
            seeds = entry.get("seeds")
            if not isinstance(seeds, list) or not seeds or not all(isinstance(s, str) for s in seeds):
                raise CodebookError(f"concept {name!r}{where} needs seeds = a non-empty list of words, not {seeds!r}")
            words = [_normalise(s) for s in seeds]
            if "" in words:
                raise CodebookError(f"concept {name!r}{where} has an empty seed word")
            doubled = sorted(w for w, n in Counter(words).items() if n > 1)
            if doubled:
                raise CodebookError(f"concept {name!r}{where} lists seed words twice: {', '.join(doubled)}")
            description = entry.get("description", "")
            if not isinstance(description, str):
                raise CodebookError(f"concept {name!r}{where}: description must be text")
            concepts.append(Concept(name, tuple(words), description.strip()))
        return cls(tuple(concepts), free, source)

    def shared_words(self) -> dict[str, list[str]]:
        """Seed words listed by more than one concept: ``{word: [concepts]}``.

        >>> Codebook.from_dict({"concept": [{"name": "a", "seeds": ["执法", "监督"]},
        ...                                 {"name": "b", "seeds": ["监督"]}]}).shared_words()
        {'监督': ['a', 'b']}
        """
        owners: dict[str, list[str]] = {}
        for concept in self.concepts:
            for word in concept.seeds:
                owners.setdefault(word, []).append(concept.name)
        return {w: names for w, names in owners.items() if len(names) > 1}


def _normalise(word: str) -> str:
    """Full-width and half-width forms as one (NFKC), surrounding space removed."""
    return unicodedata.normalize("NFKC", word).strip()


def load_codebook(path: str | Path) -> Codebook:
    """Read and check a codebook TOML file, or a shipped one by name (:data:`SHIPPED`).

    >>> book = load_codebook("rule_of_law_outline")
    >>> book.names[:2], book.free_topics
    (['政府职能', '制度体系'], 3)
    """
    path = Path(path)
    if not path.is_file() and path.name in SHIPPED:
        path = SHIPPED[path.name]
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        known = ", ".join(SHIPPED)
        raise CodebookError(f"no such codebook file: {path} (shipped codebooks: {known})") from None
    except IsADirectoryError:
        raise CodebookError(f"the codebook {path} is a folder, not a TOML file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise CodebookError(f"the codebook {path} is not valid TOML: {error}") from None
    return Codebook.from_dict(data, source=str(path))


def keyword_diagnostics(codebook: Codebook, docs: Sequence[Sequence[str]], no_below: int = 1,
                        no_above: float = 1.0) -> pd.DataFrame:
    """Each seed word in the corpus ``docs`` (token lists, one per unit): one row per (concept, word).

    Columns: concept, word, count (tokens), units (units it occurs in), unit_share, shared_with
    (the other concepts that list it, ``;``-separated), status and kept. A word is ``absent`` (in no
    unit), ``rare`` (in fewer than ``no_below`` units: it cannot shape a topic, and the vocabulary
    filter of the model drops it), ``too common`` (in more than a ``no_above`` share of the units:
    also dropped by the filter) or ``kept``. ``no_below`` and ``no_above`` are the model's filter
    (:func:`~govtopics.models.default_no_below` for ``"auto"``).

    >>> book = Codebook.from_dict({"concept": [{"name": "普法", "seeds": ["普法", "宪法"]},
    ...                                        {"name": "执法", "seeds": ["执法", "宪法", "处罚"]}]})
    >>> table = keyword_diagnostics(book, [["普法", "宪法", "普法"], ["执法"], ["执法", "宪法"]], no_below=2)
    >>> table[["concept", "word", "count", "units", "status"]].values.tolist()
    [['普法', '普法', 2, 1, 'rare'], ['普法', '宪法', 2, 2, 'kept'], ['执法', '执法', 2, 2, 'kept'], ['执法', '宪法', 2, 2, 'kept'], ['执法', '处罚', 0, 0, 'absent']]
    """
    from .models import _resolve_no_below

    n = len(docs)
    floor = _resolve_no_below(no_below, n)
    words = {w for c in codebook.concepts for w in c.seeds}
    count: Counter[str] = Counter()
    units: Counter[str] = Counter()
    for doc in docs:
        here = [t for t in doc if t in words]
        count.update(here)
        units.update(set(here))
    shared = codebook.shared_words()
    rows = []
    for concept in codebook.concepts:
        for word in concept.seeds:
            u = units[word]
            status = ("absent" if u == 0 else "rare" if u < floor else "too common" if u > no_above * n else "kept")
            others = [name for name in shared.get(word, []) if name != concept.name]
            rows.append({"concept": concept.name, "word": word, "count": count[word], "units": u,
                         "unit_share": u / n if n else 0.0, "shared_with": ";".join(others), "status": status,
                         "kept": status == "kept"})
    return pd.DataFrame(rows, columns=["concept", "word", "count", "units", "unit_share", "shared_with", "status",
                                       "kept"])


def kept_seeds(diagnostics: pd.DataFrame, warn: bool = True) -> dict[str, list[str]]:
    """``{concept: seed words kept}`` from :func:`keyword_diagnostics`, concepts with none left out.

    With ``warn``, a :class:`SeedWordWarning` names the words dropped (and why) and each concept left
    without seed words (it is not fitted as a seeded topic: nothing would tie a topic to it).

    >>> table = pd.DataFrame({"concept": ["a", "a", "b"], "word": ["执法", "处罚", "普法"],
    ...                       "status": ["kept", "absent", "rare"], "kept": [True, False, False]})
    >>> kept_seeds(table, warn=False)
    {'a': ['执法']}
    """
    dropped = diagnostics[~diagnostics["kept"]]
    if warn and len(dropped):
        listed = "; ".join(f"{c}: {w} ({s})" for c, w, s in
                           dropped[["concept", "word", "status"]].head(LISTED).itertuples(index=False))
        more = f"; and {len(dropped) - LISTED} more (see the keyword diagnostics)" if len(dropped) > LISTED else ""
        warnings.warn(f"{len(dropped)} seed word(s) dropped: {listed}{more}", SeedWordWarning, stacklevel=2)
    out: dict[str, list[str]] = {}
    empty = []
    for concept, rows in diagnostics.groupby("concept", sort=False):
        kept = list(rows.loc[rows["kept"], "word"])
        if kept:
            out[concept] = kept
        else:
            empty.append(concept)
    if warn and empty:
        warnings.warn(f"concept(s) left without seed words, not fitted as seeded topics: {', '.join(empty)}",
                      SeedWordWarning, stacklevel=2)
    return out

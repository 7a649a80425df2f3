"""Tokenizing: jieba (or the Rust port rjieba) with a domain dictionary, layered stopwords, a cache.

``segment`` is raw segmentation; ``tokenize`` gives analysis tokens (segmentation, then the
stopword layers, minimum length, no digits or punctuation). Both keep whole, whatever the
engine's dictionary says: the report's own unit and place names (大进镇), and short quoted
slogans (“一窗综办”) unless a dictionary term covers them (“八五”普法 -> 八五普法).
Quotation marks and punctuation are normalised first.

Parallelism uses our own process pool, each worker loading the dictionary itself
(``jieba.enable_parallel`` ignores a user dictionary loaded after it and is POSIX-only).
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import multiprocessing
import os
import re
import sqlite3
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from .cleaning import normalize_text, replace_chars
from .metadata import extract_metadata, split_admin
from .provenance import code_fingerprint
from .stopwords import LAYERS, Stopwords, layer_words, name_variants
from .structure import header_length

if TYPE_CHECKING:
    import pandas as pd

    from .reading import Corpus, Document

__all__ = [
    "BACKENDS",
    "add_phrases",
    "DEFAULT_POS",
    "Tokenizer",
    "TokenCache",
    "domain_terms",
    "document_names",
    "segment",
    "token_agreement",
    "tokenize",
]

BACKENDS = ("jieba", "rjieba")
# jieba part-of-speech tags kept when ``pos=True``: nouns, verbal nouns, verbs, idioms, abbreviations.
DEFAULT_POS = ("n", "nr", "ns", "nt", "nz", "vn", "v", "l", "i", "j", "an")
_QUOTE_CHARS = "“”\"'"
_QUOTED = re.compile(r"[“\"]([^“”\"\n]{1,8})[”\"]")
_WORDLIKE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
_STOPWORD_FREQ = 100  # enough for a formulaic phrase such as 常态化 to be cut whole, too low to beat a domain term


def _data_path(name: str) -> Path:
    return Path(str(resources.files("govtopics") / "data" / name))


def read_user_dict(path: str | Path) -> list[tuple[str, int | None, str | None]]:
    """Entries ``(word, freq, tag)`` of a jieba-format dictionary; ``#`` lines are comments."""
    entries = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split()
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        tag = parts[-1] if len(parts) > 1 and not parts[-1].isdigit() else None
        entries.append((parts[0], freq, tag))
    return entries


@cache
def _jieba_words() -> frozenset[str]:
    """Words of jieba's main dictionary (rjieba embeds the same one)."""
    import jieba

    text = (Path(jieba.__file__).parent / "dict.txt").read_text(encoding="utf-8")
    return frozenset(line.split(" ", 1)[0] for line in text.splitlines() if line)


@cache
def domain_terms() -> frozenset[str]:
    """Terms of the shipped domain dictionary.

    >>> "习近平法治思想" in domain_terms(), len(domain_terms()) >= 300
    (True, True)
    """
    return frozenset(word for word, _, _ in read_user_dict(_data_path("domain_dict.txt")))


def header_names(text: str) -> list[str]:
    """Unit and place names a report gives in its title lines.

    >>> header_names("中共重庆市开州区大进镇委员会\\n关于2025年度法治政府建设情况的报告\\n正文。")
    ['重庆市', '开州区', '大进镇']
    """
    lines = [line for line in normalize_text(text).split("\n") if line]
    names: list[str] = []
    for line in lines[: header_length(lines)]:
        names += [n for n in split_admin(line)[0] if n not in names]
    return names


def document_names(doc: Document | str) -> frozenset[str]:
    """Names kept whole and removed by the ``places`` layer for one report, with short forms.

    For a :class:`~govtopics.reading.Document` its metadata (user-supplied or extracted) and
    its header; for a plain text, the metadata read from it.

    >>> sorted(document_names("重庆市开州区大进镇人民政府\\n关于2025年度法治政府建设情况的报告\\n正文。"))
    ['大进', '大进镇', '开州', '开州区', '重庆', '重庆市']
    """
    if isinstance(doc, str):
        meta, text = extract_metadata(normalize_text(doc)), doc
    else:
        meta, text = doc.meta, doc.text
    # The unit's place, not its full name: 大进镇 + 人民政府, so 人民政府 stays an ordinary word.
    names = [meta.unit_place or meta.unit, *meta.places, *header_names(text)]
    return frozenset(name_variants(n for n in names if n))


class _Engine:
    """One segmenter with the dictionary entries loaded."""

    def __init__(self, backend: str, entries: tuple[tuple[str, int | None, str | None], ...]):
        self.backend = backend
        if backend == "jieba":
            import jieba
            import jieba.posseg

            jieba.setLogLevel(logging.WARNING)
            self._jieba = jieba.Tokenizer()
            self._jieba.initialize()
            for word, freq, tag in entries:
                self._jieba.add_word(word, freq, tag)
            self._pos = jieba.posseg.POSTokenizer(self._jieba)
        elif backend == "rjieba":
            import rjieba

            self._rjieba = rjieba.Jieba()
            for word, freq, tag in entries:
                self._rjieba.add_word(word, freq, tag)
        else:
            raise ValueError(f"unknown backend {backend!r}; choose from {BACKENDS}")

    def cut(self, text: str) -> list[str]:
        if self.backend == "jieba":
            return self._jieba.lcut(text, HMM=True)
        return self._rjieba.cut(text, True)

    def tag(self, text: str) -> list[tuple[str, str]]:
        if self.backend == "jieba":
            return [(p.word, p.flag) for p in self._pos.lcut(text, HMM=True)]
        return self._rjieba.tag(text, True)


@cache
def _engine(backend: str, entries: tuple[tuple[str, int | None, str | None], ...]) -> _Engine:
    return _Engine(backend, entries)


class TokenCache:
    """Analysis tokens on disk (SQLite), keyed by a hash of text, names and tokenizer fingerprint.

    Token lists are stored as arrays of ids into a shared vocabulary table, so reading them back
    reuses one string object per distinct token (fast, and light on memory for large corpora).
    ``hits`` and ``misses`` count look-ups, so a test can see that a re-run did not segment again.
    """

    def __init__(self, directory: str | Path):
        self.path = Path(directory) / "tokens-v2.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.hits = 0
        self.misses = 0
        self._vocab: list[str] = []
        self._ids: dict[str, int] = {}
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS vocab (id INTEGER PRIMARY KEY, token TEXT UNIQUE NOT NULL)")
            db.execute("CREATE TABLE IF NOT EXISTS tokens (key TEXT PRIMARY KEY, ids BLOB NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=60)

    def _sync_vocab(self, db: sqlite3.Connection) -> None:
        """Read vocabulary rows other processes may have added since the last read (ids are dense)."""
        for token_id, token in db.execute("SELECT id, token FROM vocab WHERE id >= ? ORDER BY id", (len(self._vocab),)):
            assert token_id == len(self._vocab), "token cache vocabulary is not dense"
            self._ids[token] = token_id
            self._vocab.append(token)

    def get_many(self, keys: Sequence[str]) -> dict[str, list[str]]:
        """Cached token lists for those keys that are present."""
        found: dict[str, list[str]] = {}
        batch_size = 5000 if sqlite3.sqlite_version_info >= (3, 32) else 900
        with self._connect() as db:
            self._sync_vocab(db)
            get = self._vocab.__getitem__
            for start in range(0, len(keys), batch_size):
                batch = list(keys[start:start + batch_size])
                marks = ",".join("?" * len(batch))
                for key, blob in db.execute(f"SELECT key, ids FROM tokens WHERE key IN ({marks})", batch):
                    found[key] = list(map(get, array("I", blob)))
        self.hits += len(found)
        self.misses += len(set(keys)) - len(found)
        return found

    def put_many(self, items: dict[str, list[str]]) -> None:
        """Store token lists under their keys."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")  # one writer at a time keeps vocabulary ids dense
            self._sync_vocab(db)
            new = sorted({t for tokens in items.values() for t in tokens} - self._ids.keys())
            db.executemany("INSERT INTO vocab VALUES (?, ?)", [(len(self._vocab) + i, t) for i, t in enumerate(new)])
            self._sync_vocab(db)
            ids = self._ids
            db.executemany(
                "INSERT OR REPLACE INTO tokens VALUES (?, ?)",
                [(key, array("I", [ids[t] for t in tokens]).tobytes()) for key, tokens in items.items()],
            )


def default_cache_dir() -> Path:
    """``$GOVTOPICS_CACHE`` or ``~/.cache/govtopics``."""
    return Path(os.environ.get("GOVTOPICS_CACHE") or Path.home() / ".cache" / "govtopics")


@dataclass
class Tokenizer:
    """Segmentation and analysis tokens with one set of choices.

    Parameters: ``backend`` ("jieba" or "rjieba"); ``stopwords`` (:class:`Stopwords`);
    ``min_len`` (shorter tokens are dropped); ``pos`` (None, True for :data:`DEFAULT_POS`,
    or a tuple of jieba tags to keep); ``user_dicts`` (extra jieba-format dictionaries);
    ``user_words`` (extra entries given directly, ``(word, freq or None, tag or None)``);
    ``cache`` (True for :func:`default_cache_dir`, False, or a folder); ``n_jobs``;
    ``progress`` (a tqdm bar on stderr when a corpus takes more than a moment); ``client``
    (a ``dask.distributed`` Client: texts not in the cache are tokenized on its workers).

    >>> tok = Tokenizer(cache=False)
    >>> tok.tokenize("2025年,大进镇深入学习习近平法治思想,开展“八五”普法宣传活动26次。", names={"大进镇"})
    ['习近平法治思想', '八五普法', '宣传']
    """

    backend: str = "jieba"
    stopwords: Stopwords = field(default_factory=Stopwords)
    min_len: int = 2
    pos: bool | tuple[str, ...] | None = None
    user_dicts: tuple[str, ...] = ()
    user_words: tuple[tuple[str, int | None, str | None], ...] = ()
    cache: bool | str | Path = True
    n_jobs: int = 1
    progress: bool = True
    client: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown backend {self.backend!r}; choose from {BACKENDS}")
        self.user_dicts = tuple(str(p) for p in self.user_dicts)
        self.user_words = tuple(tuple(entry) for entry in self.user_words)
        self._keep_tags = tuple(DEFAULT_POS) if self.pos is True else (tuple(self.pos) if self.pos else None)
        self.entries = self._dictionary_entries()
        self._fingerprint = self._compute_fingerprint()
        self._engine_instance: _Engine | None = None
        self._keep: dict[str, str] = {}  # token -> its analysis form, "" when removed (names aside)
        self._cache: TokenCache | None = None
        if self.cache:
            self._cache = TokenCache(default_cache_dir() if self.cache is True else self.cache)

    # -- configuration -------------------------------------------------------------------
    def _dictionary_entries(self) -> tuple[tuple[str, int | None, str | None], ...]:
        """Entries added to the engine: domain terms, user dictionaries, and the multi-character
        stopwords jieba's own dictionary lacks (a stopword it knows keeps its frequency: 部门
        stays 部门 in 各部门)."""
        entries = read_user_dict(_data_path("domain_dict.txt")) + self._user_entries()
        known = {word for word, _, _ in entries} | _jieba_words()
        stop = set().union(*(layer_words(layer) for layer in LAYERS if layer != "places"), self.stopwords._user)
        entries += [(word, _STOPWORD_FREQ, None) for word in sorted(stop - known) if len(word) > 1]
        return tuple(entries)

    def _user_entries(self) -> list[tuple[str, int | None, str | None]]:
        entries = [entry for path in self.user_dicts for entry in read_user_dict(path)]
        return entries + list(self.user_words)

    def fingerprint(self) -> str:
        """Hash of every choice that changes the tokens: the cache key's configuration part."""
        return self._fingerprint

    def _compute_fingerprint(self) -> str:
        h = hashlib.sha256(code_fingerprint().encode())  # the code that segments, and jieba's and rjieba's versions
        h.update(repr((self.backend, self.min_len, self._keep_tags, self.entries)).encode())
        h.update(self.stopwords.fingerprint().encode())
        return h.hexdigest()[:16]

    @property
    def cache_stats(self) -> dict[str, int]:
        """Cache hits and misses so far (zeros without a cache)."""
        return {"hits": self._cache.hits, "misses": self._cache.misses} if self._cache else {"hits": 0, "misses": 0}

    # -- one text ------------------------------------------------------------------------
    def _engine(self) -> _Engine:
        if self._engine_instance is None:
            self._engine_instance = _engine(self.backend, self.entries)
        return self._engine_instance

    def _pieces(self, text: str, names: frozenset[str]) -> list[tuple[str, bool]]:
        """Normalised text cut into (piece, protected) runs; protected pieces are single tokens."""
        text = normalize_text(text)
        protected: list[tuple[int, int]] = []
        if "“" in text or '"' in text:
            text, spans = _strip_quotes(text)
            protected = [span for span in spans if not _covered(text, span)]
        elif "”" in text or "'" in text:
            text = replace_chars(text, _NO_QUOTES)
        present = [name for name in names if name in text]
        if present:
            protected += [m.span() for m in _alternation(frozenset(present)).finditer(text)]
        if not protected:
            return [(text, False)]
        chosen: list[tuple[int, int]] = []
        for start, end in sorted(protected, key=lambda s: (s[0], s[0] - s[1])):
            if not chosen or start >= chosen[-1][1]:
                chosen.append((start, end))
        pieces: list[tuple[str, bool]] = []
        pos = 0
        for start, end in chosen:
            pieces += [(text[pos:start], False), (text[start:end], True)]
            pos = end
        pieces.append((text[pos:], False))
        return [(p, keep) for p, keep in pieces if p]

    def segment_tagged(self, text: str, names: Iterable[str] = ()) -> list[tuple[str, str]]:
        """``(token, tag)`` pairs; names and slogans are tagged ``nz``, whitespace dropped."""
        engine = self._engine()
        out: list[tuple[str, str]] = []
        for piece, protected in self._pieces(text, frozenset(names)):
            if protected:
                out.append((piece, "nz"))
            else:
                out += [(w, t) for w, t in engine.tag(piece) if w.strip()]
        return out

    def _segment(self, text: str, names: frozenset[str], drop_names: bool = False) -> list[str]:
        """Tokens of the text; with ``drop_names`` the report's own names are left out as they are found."""
        cut = self._engine().cut
        out: list[str] = []
        for piece, protected in self._pieces(text, names):
            if not protected:
                out += cut(piece)
            elif not (drop_names and piece in names):
                out.append(piece)
        return out

    def segment(self, text: str, names: Iterable[str] = ()) -> list[str]:
        """Raw segmentation (punctuation included, whitespace dropped)."""
        return [w for w in self._segment(text, frozenset(names)) if w.strip()]

    def why_removed(self, token: str, names: frozenset[str] | set[str] = frozenset(), tag: str | None = None) -> str | None:
        """Why ``token`` is not an analysis token (a stopword layer, "punctuation", "short", "pos"), or None."""
        if not _WORDLIKE.search(token):
            return "punctuation"
        layer = self.stopwords.layer_of(token.lower(), names)
        if layer:
            return layer
        if len(token) < self.min_len:
            return "short"
        if self._keep_tags is not None and tag is not None and not tag.startswith(self._keep_tags):
            return "pos"
        return None

    def tokenize(self, text: str, names: Iterable[str] = ()) -> list[str]:
        """Analysis tokens of one text (see the class example)."""
        names = frozenset(names)
        drop_names = "places" in self.stopwords.layers
        keep = self._keep
        if self._keep_tags is not None:
            return [
                word.lower()
                for word, tag in self.segment_tagged(text, names)
                if not (drop_names and word in names) and self.why_removed(word, names, tag) is None
            ]
        # Names are always protected pieces, so they are dropped there, not checked token by token.
        words = self._segment(text, names, drop_names)
        try:
            return [kept for word in words if (kept := keep[word])]
        except KeyError:  # a word not seen before: decide once, then it is a dictionary hit
            for word in set(words).difference(keep):
                keep[word] = word.lower() if self.why_removed(word) is None else ""
            return [kept for word in words if (kept := keep[word])]

    # -- many texts ----------------------------------------------------------------------
    @staticmethod
    def _key(text: str, names: str, fingerprint: str) -> str:
        return hashlib.sha256("\x1f".join([fingerprint, names, text]).encode("utf-8")).hexdigest()

    def tokenize_many(self, texts: Sequence[str], names: Sequence[Iterable[str]] | None = None) -> list[list[str]]:
        """Analysis tokens of many texts, from the cache where possible, across ``n_jobs`` processes."""
        name_sets = [frozenset(n) for n in names] if names is not None else [frozenset()] * len(texts)
        fingerprint = self.fingerprint()
        joined = {n: "\x1e".join(sorted(n)) for n in set(name_sets)}
        keys = [self._key(t, joined[n], fingerprint) for t, n in zip(texts, name_sets)]
        found = self._cache.get_many(keys) if self._cache else {}
        todo: dict[str, int] = {}
        for i, key in enumerate(keys):
            if key not in found and key not in todo:
                todo[key] = i
        computed = dict(zip(todo, self._run([(texts[i], name_sets[i]) for i in todo.values()])))
        if self._cache and computed:
            self._cache.put_many(computed)
        found.update(computed)
        return [found[key] for key in keys]

    def _run(self, jobs: list[tuple[str, frozenset[str]]]) -> list[list[str]]:
        bar = dict(total=len(jobs), delay=2, disable=not self.progress, desc="tokenizing", unit="unit")
        if self.client is not None and jobs:
            import dask.bag

            partitions = max(1, min(len(jobs) // 100, 8 * len(self.client.scheduler_info()["workers"])))
            bag = dask.bag.from_sequence(jobs, npartitions=partitions).map_partitions(_tokenize_partition, self._config())
            return _shared_strings(self.client.compute(bag, sync=True))
        if self.n_jobs == 1 or len(jobs) < 50:
            return [self.tokenize(t, n) for t, n in tqdm(jobs, **bar)]
        n_jobs = (os.cpu_count() or 1) if self.n_jobs < 0 else self.n_jobs
        chunk = max(1, min(256, len(jobs) // (n_jobs * 4)))
        # Spawned, not forked: a worker does not inherit (and keep alive) the parent's loaded corpus.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(n_jobs, mp_context=context, initializer=_init_worker, initargs=(self._config(),)) as pool:
            return _shared_strings(tqdm(pool.map(_tokenize_in_worker, jobs, chunksize=chunk), **bar))

    def _config(self) -> dict[str, Any]:
        """Settings for a worker; dictionary files travel as their entries (a remote worker cannot read our paths)."""
        return dict(backend=self.backend, stopwords=self.stopwords, min_len=self.min_len, pos=self.pos,
                    user_words=tuple(self._user_entries()), cache=False, n_jobs=1, progress=False)

    def tokenize_corpus(self, corpus: Corpus, phrases: bool = False, drop_empty: bool = False) -> pd.DataFrame:
        """The corpus's analysis units (:meth:`Corpus.units_frame`) with a ``tokens`` column.

        With ``phrases=True``, frequent bigrams are joined (:func:`add_phrases`); with
        ``drop_empty=True``, units left without tokens are dropped (they weigh nothing in a model).
        """
        frame = corpus.units_frame()
        names = {doc.id: document_names(doc) for doc in corpus}
        tokens = self.tokenize_many(list(frame["text"]), [names[d] for d in frame["doc_id"]])
        frame["tokens"] = add_phrases(tokens) if phrases else tokens
        if drop_empty:
            frame = frame[frame["tokens"].map(len) > 0].reset_index(drop=True)
        return frame

    def removed_counts(self, corpus: Corpus) -> pd.DataFrame:
        """How often each token was removed, and by what: columns ``reason, token, count``."""
        import pandas as pd

        counts: Counter[tuple[str, str]] = Counter()
        for doc in corpus:
            names = document_names(doc)
            for unit in doc.units:
                if self._keep_tags is not None:
                    pairs = self.segment_tagged(unit.text, names)
                else:
                    pairs = [(w, None) for w in self.segment(unit.text, names)]
                for word, tag in pairs:
                    reason = self.why_removed(word, names, tag)
                    if reason:
                        counts[reason, word] += 1
        rows = [(reason, token, n) for (reason, token), n in counts.items()]
        frame = pd.DataFrame(rows, columns=["reason", "token", "count"])
        return frame.sort_values(["reason", "count", "token"], ascending=[True, False, True], ignore_index=True)


_NO_QUOTES = dict.fromkeys(_QUOTE_CHARS, "")


def _strip_quotes(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Text without quotation marks, and the spans (in that text) of short quoted phrases."""
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = length = 0
    for match in _QUOTED.finditer(text):
        before = replace_chars(text[pos:match.start()], _NO_QUOTES)
        plain += [before, match.group(1)]
        length += len(before)
        spans.append((length, length + len(match.group(1))))
        length += len(match.group(1))
        pos = match.end()
    plain.append(replace_chars(text[pos:], _NO_QUOTES))
    return "".join(plain), spans


@cache
def _term_index() -> dict[str, tuple[str, ...]]:
    """Every substring of a domain term -> the terms containing it."""
    index: dict[str, set[str]] = {}
    for term in domain_terms():
        for a in range(len(term)):
            for b in range(a + 1, len(term) + 1):
                index.setdefault(term[a:b], set()).add(term)
    return {k: tuple(sorted(v)) for k, v in index.items()}


def _covered(text: str, span: tuple[int, int]) -> bool:
    """True when a longer domain term covers the whole span in the text (“八五”普法 -> 八五普法)."""
    start, end = span
    phrase = text[start:end]
    for term in _term_index().get(phrase, ()):
        if len(term) == len(phrase):
            continue
        lo = max(0, start - len(term))
        hit = text.find(term, lo, end + len(term))
        while hit != -1 and hit <= start:
            if hit + len(term) >= end:
                return True
            hit = text.find(term, hit + 1, end + len(term))
    return False


@lru_cache(maxsize=4096)
def _alternation(names: frozenset[str]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, sorted(names, key=lambda n: (-len(n), n)))))


_WORKER: Tokenizer | None = None


def _init_worker(config: dict[str, Any]) -> None:
    global _WORKER
    _WORKER = Tokenizer(**config)
    _WORKER._engine()


def _tokenize_in_worker(job: tuple[str, frozenset[str]]) -> list[str]:
    assert _WORKER is not None
    return _WORKER.tokenize(*job)


def _tokenize_partition(jobs: Iterable[tuple[str, frozenset[str]]], config: dict[str, Any]) -> list[list[str]]:
    """One dask partition; the engine (and its dictionary) is loaded once per worker process."""
    tokenizer = Tokenizer(**config)
    return [tokenizer.tokenize(text, names) for text, names in jobs]


def _shared_strings(results: Iterable[list[str]]) -> list[list[str]]:
    """Token lists that share one string object per distinct token (results from other processes don't)."""
    pool: dict[str, str] = {}
    return [[pool.setdefault(t, t) for t in tokens] for tokens in results]


def add_phrases(token_lists: Sequence[list[str]], min_count: int = 3, threshold: float = 10.0) -> list[list[str]]:
    """Join frequent bigrams with ``_`` (gensim ``Phrases``, default scoring), learned on ``token_lists``.

    >>> docs = [["行政", "执法", "规范"], ["行政", "执法", "培训"], ["行政", "执法"], ["普法", "宣传"]]
    >>> add_phrases(docs, min_count=2, threshold=1.0)[0]
    ['行政_执法', '规范']
    """
    from gensim.models.phrases import Phrases

    model = Phrases(token_lists, min_count=min_count, threshold=threshold, delimiter="_").freeze()
    return [model[tokens] for tokens in token_lists]


def token_agreement(a: Sequence[str], b: Sequence[str]) -> float:
    """Share of identical tokens between two segmentations of one text (aligned, over the longer one).

    >>> token_agreement(["重大", "事项"], ["重", "大事", "项"]), token_agreement(["法治"], ["法治"])
    (0.0, 1.0)
    """
    if not a and not b:
        return 1.0
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / max(len(a), len(b))


@cache
def _default(backend: str) -> Tokenizer:
    return Tokenizer(backend=backend, cache=False)


def segment(text: str, names: Iterable[str] | None = None, backend: str = "jieba") -> list[str]:
    """Segment ``text`` with the domain dictionary; names default to those the text gives in its header.

    >>> segment("重庆市开州区大进镇人民政府\\n关于2025年度法治政府建设情况的报告\\n大进镇坚持以习近平法治思想为指导")[-6:]
    ['大进镇', '坚持', '以', '习近平法治思想', '为', '指导']
    """
    return _default(backend).segment(text, document_names(text) if names is None else names)


def tokenize(text: str, names: Iterable[str] | None = None, backend: str = "jieba") -> list[str]:
    """Analysis tokens of ``text`` with the default stopword layers (see :class:`Tokenizer`).

    >>> tokenize("2025年,大进镇联合司法所开展“宪法宣传周”“民法典宣传月”活动70余场。", names={"大进镇"})
    ['司法所', '宪法宣传周', '民法典宣传月']
    """
    return _default(backend).tokenize(text, document_names(text) if names is None else names)

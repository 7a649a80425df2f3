"""Segmenting: an engine (jieba or its Rust port rjieba) with the domain dictionary, on normalised text.

The :class:`Segmenter` cuts text into words and keeps two kinds of pieces whole, whatever the
engine's dictionary says: the names it is given (the report's own unit and places, 大进镇) unless
one is part of a longer dictionary word that is another thing (上海港, 长治久安: see
:meth:`Segmenter.name_spans`), and short quoted slogans (“一窗综办”) unless a dictionary term
covers them (“八五”普法 -> 八五普法).
Quotation marks are dropped. Engines are registered in :data:`ENGINES`: a class made from the
dictionary entries ``(word, freq or None, tag or None)``, with ``cut(text) -> list[str]`` and
``tag(text) -> list[(word, tag)]``, that returns a private-use character (U+E000, which marks a
kept-whole piece) as a word of its own.

The text must already be normalised (:func:`govtopics.cleaning.normalize_text`): a
:class:`~govtopics.reading.Document`'s text is, from loading; the tokenizer normalises a plain
string once before it gets here.
"""

from __future__ import annotations

import collections
import itertools
import logging
import re
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .cleaning import replace_chars
from .metadata import ADMIN_SUFFIX
from .registry import Registry

__all__ = ["BACKENDS", "ENGINES", "Entry", "Segmenter", "dictionary_entries", "domain_terms", "read_user_dict",
           "whole_frequency"]

Entry = tuple[str, "int | None", "str | None"]
ENGINES = Registry("segmentation engine")
_DOMAIN_DICT = Path(str(resources.files("govtopics") / "data" / "domain_dict.txt"))
_QUOTE_CHARS = "“”\"'"
_NO_QUOTES = dict.fromkeys(_QUOTE_CHARS, "")
_QUOTED = re.compile(r"[“\"]([^“”\"\n]{1,8})[”\"]")
_QUOTED_CN = re.compile(r"“([^“”\n]{1,8})”")  # the same matches in a text without ASCII quotes, found faster
_LEVEL = re.compile(ADMIN_SUFFIX)  # an administrative level: 市, 县, 自治区
_LEVEL_END = re.compile(f"(?:{ADMIN_SUFFIX})$")
_SHORT = 4  # words up to this long are looked up directly, longer ones through their pieces
_MARK = "\ue000"  # a private-use character: outside the engines' word pattern, so a word boundary


def read_user_dict(path: str | Path) -> list[Entry]:
    """Entries ``(word, freq, tag)`` of a jieba-format dictionary; ``#`` lines are comments."""
    entries: list[Entry] = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split()
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        tag = parts[-1] if len(parts) > 1 and not parts[-1].isdigit() else None
        entries.append((parts[0], freq, tag))
    return entries


@cache
def _jieba_frequencies() -> tuple[dict[str, int], int]:
    """Words of jieba's main dictionary (rjieba embeds the same one) with their frequencies, and the total."""
    import jieba

    text = (Path(jieba.__file__).parent / "dict.txt").read_text(encoding="utf-8")
    pairs = [(word, int(freq)) for word, freq in re.findall(r"^(\S+) (\d+)", text, re.MULTILINE)]
    return dict(pairs), sum(freq for _, freq in pairs)  # as jieba counts: a word listed twice (B超) counts twice


def whole_frequency(word: str, frequencies: Mapping[str, int], total: int) -> int:
    """The lowest frequency at which the engine cuts ``word`` whole rather than into its most probable parts.

    This is jieba's ``suggest_freq(word)``: the product of the parts' probabilities (the best path
    through the dictionary without the word itself, a character not in it counting 1), times the
    total, plus one. A word at this frequency beats its own parts, and nothing else: a word that
    overlaps it or holds it, and is cut whole on its own, still is, since its parts are now no
    likelier than before.

    >>> whole_frequency("一是", {"一": 200, "是": 800}, 10_000)
    17
    >>> whole_frequency("我代表", {"我": 300, "代表": 30, "我代": 1}, 10_000)  # 我|代表 beats 我代|表
    1
    """
    best = [1.0] + [0.0] * len(word)  # best[i]: probability of the likeliest cut of word[:i]
    for end in range(1, len(word) + 1):
        for start in range(end):
            if start == 0 and end == len(word):
                continue
            freq = frequencies.get(word[start:end], 0)
            if freq <= 0 and end - start > 1:
                continue
            best[end] = max(best[end], best[start] * max(freq, 1) / total)
    return int(best[-1] * total) + 1


@cache
def domain_terms() -> frozenset[str]:
    """Terms of the shipped domain dictionary.

    >>> "习近平法治思想" in domain_terms(), len(domain_terms()) >= 300
    (True, True)
    """
    return frozenset(word for word, _, _ in read_user_dict(_DOMAIN_DICT))


def dictionary_entries(user_dicts: Iterable[str | Path] = (), user_words: Iterable[Entry] = (),
                       stopwords: Iterable[str] = ()) -> tuple[Entry, ...]:
    """Entries the engine learns: the domain dictionary, the user's dictionaries and words, then the
    multi-character stopwords at the frequency that cuts them whole (:func:`whole_frequency`, shorter
    ones first), where jieba's own dictionary has them lower or not at all (部门 keeps its frequency,
    and 各部门 stays 各部门). Content terms keep their frequencies, so a stop phrase never splits one.
    The total is jieba's dictionary's: jieba adds each new word's frequency to it, rjieba does not, and
    a phrase that wins against the smaller total wins against the larger one too.

    >>> entries = dictionary_entries(user_words=[("一窗综办", 5000, "nz")], stopwords=["一是", "部门", "的"])
    >>> entries[-2:]
    (('一窗综办', 5000, 'nz'), ('一是', 2889, None))
    """
    entries = read_user_dict(_DOMAIN_DICT)
    entries += [entry for path in user_dicts for entry in read_user_dict(path)]
    entries += [tuple(entry) for entry in user_words]  # type: ignore[misc]
    base, total = _jieba_frequencies()
    learned = {word: freq for word, freq, _ in entries if freq is not None}
    frequencies = collections.ChainMap(learned, base)
    known = {word for word, _, _ in entries}
    for word in sorted(set(stopwords).difference(known), key=lambda w: (len(w), w)):
        if len(word) > 1 and (freq := whole_frequency(word, frequencies, total)) > base.get(word, 0):
            entries.append((word, freq, None))
            learned[word] = freq
    return tuple(entries)


@ENGINES.register("jieba")
class JiebaEngine:
    """jieba (pure Python), with its own dictionary plus ``entries``."""

    def __init__(self, entries: tuple[Entry, ...]):
        import jieba
        import jieba.posseg

        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        for word, freq, tag in entries:
            self._jieba.add_word(word, freq, tag)
        self._pos = jieba.posseg.POSTokenizer(self._jieba)
        self.cut = self._jieba.lcut  # cut(text): lcut's defaults are the accurate mode with HMM=True


    def tag(self, text: str) -> list[tuple[str, str]]:
        return [(p.word, p.flag) for p in self._pos.lcut(text, HMM=True)]


@ENGINES.register("rjieba")
class RjiebaEngine:
    """rjieba (jieba-rs, in Rust): the same dictionary and model, many times faster."""

    def __init__(self, entries: tuple[Entry, ...]):
        import rjieba

        self._rjieba = rjieba.Jieba()
        for word, freq, tag in entries:
            self._rjieba.add_word(word, freq, tag)

    def cut(self, text: str) -> list[str]:
        return self._rjieba.cut(text, True)

    def tag(self, text: str) -> list[tuple[str, str]]:
        return self._rjieba.tag(text, True)


BACKENDS: tuple[str, ...] = tuple(ENGINES)
"""The shipped engines' names (the registry may hold more)."""


@cache
def _engine(backend: str, entries: tuple[Entry, ...]) -> Any:
    """One engine per backend and dictionary in a process (loading jieba's takes a second)."""
    return ENGINES.get_or_raise(backend)(entries)


class Segmenter:
    """An engine and its dictionary entries; the engine is loaded on first use.

    A pickled segmenter carries its entries, not the engine, so a worker process (or a remote
    dask worker) loads the same dictionary without reading the client's files.

    >>> seg = Segmenter("jieba", dictionary_entries())
    >>> seg.cut("深入落实“八五”普法,大进镇开展“一窗综办”。", names=frozenset({"大进镇"}))
    ['深入', '落实', '八五普法', ',', '大进镇', '开展', '一窗综办', '。']
    """

    def __init__(self, backend: str, entries: tuple[Entry, ...]):
        ENGINES.get_or_raise(backend)
        self.backend = backend
        self.entries = entries
        self._engine: Any = None
        self._words: _Words | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_engine": None, "_words": None}

    @property
    def engine(self) -> Any:
        if self._engine is None:
            self._engine = _engine(self.backend, self.entries)
        return self._engine

    def protected(self, text: str, names: frozenset[str]) -> tuple[str, list[tuple[int, int]]]:
        """The text without quotation marks, and the spans (in it, in order, not overlapping) kept whole."""
        spans: list[tuple[int, int]] = []
        if "“" in text or '"' in text:
            text, quoted = _strip_quotes(text)
            spans = [span for span in quoted if not _covered(text, span)]
        elif "”" in text or "'" in text:
            text = replace_chars(text, _NO_QUOTES)
        if names and (found := self.name_spans(text, names)):
            if spans:  # a span overlapping an earlier (or, at the same start, a longer) one is left out
                chosen: list[tuple[int, int]] = []
                for start, end in sorted(spans + found, key=lambda s: (s[0], s[0] - s[1])):
                    if not chosen or start >= chosen[-1][1]:
                        chosen.append((start, end))
                spans = chosen
            else:
                spans = found
        return text, spans

    def name_spans(self, text: str, names: frozenset[str]) -> list[tuple[int, int]]:
        """Spans of ``names`` in ``text`` (the longest at each place) that are not parts of other words.

        Judged against the engine's cut of the text as it is (asked only when a dictionary word
        longer than a name holds it in the text). A name the engine puts inside one
        longer word of its dictionary is left in it, as part of another thing's name (上海港,
        内蒙古大学, 长治久安, 维护和平), unless the word names the place or its bodies: the name ends
        in a level or a level follows it (上海市 of 中共上海市委, 上海 of 上海市人民政府), another of the
        names follows it, or the word ends with it and it is not the short form of another name
        (中华人民共和国国务院; not 和平 of 和平区 in 维护和平). Anywhere else it is taken whole, as when
        the engine glues an unknown place name to its neighbour (西仓|为, 双龙|镇抖).

        >>> seg = Segmenter("jieba", dictionary_entries())
        >>> text = "上海市推进上海港建设,维护社会长治久安"
        >>> [text[a:b] for a, b in seg.name_spans(text, frozenset({"上海", "上海市", "长治"}))]
        ['上海市']
        """
        present = frozenset(name for name in names if name in text)
        if not present:
            return []
        pattern = _alternation(present)
        found = [m.span() for m in pattern.finditer(text)]
        known = self.dictionary_words()
        if not any(known.hold(text, span) for span in found):
            return found  # no dictionary word holds any of them: the engine need not be asked
        words = (self._engine or self.engine).cut(text)
        if sum(map(len, words)) != len(text):  # an engine that drops characters: every occurrence
            return found
        holder: list[tuple[int, int]] = []  # holder[i]: the span of the word that holds character i
        for word in words:
            span = (len(holder), len(holder) + len(word))
            holder += [span] * len(word)
        spans: list[tuple[int, int]] = []
        pos = 0
        while match := pattern.search(text, pos):
            start, end = match.span()
            first, last = holder[start], holder[end - 1]
            if first == last and first != (start, end) and text[first[0]:first[1]] in known:
                rest = text[end:first[1]]
                name = match.group()
                joined = (_LEVEL_END.search(name) or _LEVEL.match(rest)
                          or any(rest.startswith(other) for other in names)
                          or (spans and spans[-1][1] == start and first[0] < start)
                          or (not rest and not any(other != name and other.startswith(name) for other in names)))
                if not joined:  # inside another thing's name
                    pos = start + 1
                    continue
            spans.append((start, end))
            pos = end
        return spans

    def dictionary_words(self) -> _Words:
        """Words the engine knows: jieba's dictionary (rjieba embeds the same) and the entries."""
        if self._words is None:
            self._words = _Words(_jieba_frequencies()[0], frozenset(word for word, _, _ in self.entries))
        return self._words

    def pieces(self, text: str, names: frozenset[str]) -> list[tuple[str, bool]]:
        """Text cut into ``(piece, protected)`` runs; a protected piece is one token (a name, a short slogan)."""
        return _pieces(*self.protected(text, names))

    def cut(self, text: str, names: frozenset[str] = frozenset(), drop_names: bool = False) -> list[str]:
        """Words of ``text`` (punctuation and whitespace included); with ``drop_names`` the names are left out.

        A protected span is cut as a mark that the engine keeps apart (a character outside its word
        pattern ends the runs on both sides, as the ends of the text would), then put back: one
        engine call for the whole text, the same words as cutting the pieces one by one.
        """
        cut = (self._engine or self.engine).cut
        if not names and "“" not in text and '"' not in text:  # nothing to keep whole
            return cut(replace_chars(text, _NO_QUOTES) if "”" in text or "'" in text else text)
        text, spans = self.protected(text, names)
        if not spans:
            return cut(text)
        if _MARK in text:  # cannot happen in a report; cut the pieces one by one
            out: list[str] = []
            for piece, protected in _pieces(text, spans):
                if not protected:
                    out += cut(piece)
                elif not (drop_names and piece in names):
                    out.append(piece)
            return out
        marked = []
        pos = 0
        for start, end in spans:
            marked += [text[pos:start], _MARK]
            pos = end
        marked.append(text[pos:])
        words = cut("".join(marked))
        i = 0
        for start, end in spans:
            i = words.index(_MARK, i)
            piece = text[start:end]
            if drop_names and piece in names:
                del words[i]
            else:
                words[i] = piece
                i += 1
        return words

    def tag(self, text: str, names: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
        """``(word, jieba tag)`` pairs; names and slogans are tagged ``nz``, whitespace dropped."""
        tag = self.engine.tag
        out: list[tuple[str, str]] = []
        for piece, protected in self.pieces(text, names):
            if protected:
                out.append((piece, "nz"))
            else:
                out += [(w, t) for w, t in tag(piece) if w.strip()]
        return out


class _Words:
    """A dictionary's words, for asking whether one holds a span of a text (a dict lookup per short word,
    and the long words found through their first :data:`_SHORT` characters)."""

    def __init__(self, base: Mapping[str, int], extra: frozenset[str]):
        self.base, self.extra = base, extra
        long: dict[str, list[str]] = {}
        for word in itertools.chain((w for w in base if len(w) > _SHORT), extra):
            if len(word) > _SHORT:
                long.setdefault(word[:_SHORT], []).append(word)
        self.long = {head: tuple(words) for head, words in long.items()}
        self.longest = max(map(len, itertools.chain(base, extra)))

    def __contains__(self, word: object) -> bool:
        return word in self.base or word in self.extra

    def hold(self, text: str, span: tuple[int, int]) -> bool:
        """True when a word longer than the span holds it in ``text``."""
        start, end = span
        for a in range(max(0, end - self.longest), start + 1):
            for word in self.long.get(text[a:a + _SHORT], ()):
                if a + len(word) >= end and (a, a + len(word)) != span and text.startswith(word, a):
                    return True
            for b in range(max(end, a + 2), min(len(text), a + _SHORT) + 1):
                if (a, b) != span and text[a:b] in self:
                    return True
        return False


def _pieces(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for start, end in spans:
        if start > pos:
            pieces.append((text[pos:start], False))
        pieces.append((text[start:end], True))
        pos = end
    if pos < len(text) or not spans:
        pieces.append((text[pos:], False))
    return pieces


def _strip_quotes(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Text without quotation marks, and the spans (in that text) of short quoted phrases."""
    if "'" in text:  # a phrase may hold an apostrophe, which stays in it: piece by piece
        return _strip_quotes_slowly(text)
    spans: list[tuple[int, int]] = []
    shift = pos = 0  # quotation marks before ``pos``
    for match in (_QUOTED if '"' in text else _QUOTED_CN).finditer(text):
        start, end = match.span(1)
        before = text[pos:start]
        shift += before.count("“") + before.count("”") + before.count('"')
        spans.append((start - shift, end - shift))
        pos = end
    return replace_chars(text, _NO_QUOTES), spans


def _strip_quotes_slowly(text: str) -> tuple[str, list[tuple[int, int]]]:
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

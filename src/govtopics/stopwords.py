"""Layered stopwords tuned to government-report Chinese.

Layers, each switchable: ``function`` (general function words), ``formulaic`` (套话 such as
加强, 推进, 切实), ``scaffolding`` (一是, 报告如下, 我镇 …), ``places`` (per document: the
report's own unit and place names), ``numbers`` (digits, dates, numerals and measure words).
The word lists are plain text files in ``govtopics/data`` with a header saying where they come from.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from .metadata import ADMIN_SUFFIX

__all__ = ["LAYERS", "Stopwords", "read_wordlist", "layer_words", "name_variants"]

LAYERS = ("function", "formulaic", "scaffolding", "places", "numbers")
_FILES = {
    "function": "stopwords_function.txt",
    "formulaic": "stopwords_formulaic.txt",
    "scaffolding": "stopwords_scaffolding.txt",
    "numbers": "stopwords_numbers.txt",
}
_NUMERALS = "0-9〇零一二三四五六七八九十百千万亿两几半"
# A figure, a date or a counted amount: 2025, 12.4, 100%, 2025年, 26次, 十九届, 1000余份.
_NUMBER = re.compile(rf"([{_NUMERALS}.,%‰+\-/:~]+)[余多]?([^{_NUMERALS}.,%‰+\-/:~]{{0,2}})")
# A unit's full name loses its government suffix first, then its place suffix: 大进镇人民政府 -> 大进镇 -> 大进.
_ADMIN_SUFFIX = re.compile(rf"(街道办事处|人民政府|{ADMIN_SUFFIX})$")


def read_wordlist(path: str | Path) -> list[str]:
    """Entries of a word-list file: one per line, first whitespace field, ``#`` lines skipped.

    >>> read_wordlist(resources.files("govtopics") / "data" / "stopwords_scaffolding.txt")[:3]
    ['一是', '二是', '三是']
    """
    text = Path(str(path)).read_text(encoding="utf-8")
    return [line.split()[0] for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@cache
def layer_words(layer: str) -> frozenset[str]:
    """The shipped words of one file-backed layer.

    >>> "切实" in layer_words("formulaic"), "执法" in layer_words("formulaic")
    (True, False)
    """
    return frozenset(read_wordlist(resources.files("govtopics") / "data" / _FILES[layer]))


def name_variants(names: Iterable[str]) -> set[str]:
    """A unit's and places' names with their short forms: 大进镇人民政府 -> 大进镇人民政府, 大进镇, 大进.

    >>> sorted(name_variants(["大进镇人民政府", "开州区"]))
    ['大进', '大进镇', '大进镇人民政府', '开州', '开州区']
    """
    out: set[str] = set()
    for name in names:
        while name and name not in out:
            out.add(name)
            shorter = _ADMIN_SUFFIX.sub("", name)
            if len(shorter) < 2 or shorter == name:
                break
            name = shorter
    return {n for n in out if len(n) >= 2}


def is_number(token: str) -> bool:
    """Digits, dates, percentages and counted amounts (a figure plus a measure word of the numbers layer).

    >>> [is_number(t) for t in ["2025", "12.4", "100%", "2025年", "26次", "十九届", "1000余份"]]
    [True, True, True, True, True, True, True]
    >>> [is_number(t) for t in ["一站式", "三重一大", "百姓", "三农", "一线"]]
    [False, False, False, False, False]
    """
    match = _NUMBER.fullmatch(token)
    if not match:
        return False
    suffix = match.group(2)
    return not suffix or suffix in layer_words("numbers") or suffix[0] in layer_words("numbers")


@dataclass
class Stopwords:
    """Which layers are on, plus the user's own words and files.

    >>> sw = Stopwords(layers=("function", "formulaic"), extra_words=["法治政府"])
    >>> sw.layer_of("切实"), sw.layer_of("法治政府"), sw.layer_of("我镇"), sw.layer_of("执法")
    ('formulaic', 'user', None, None)
    """

    layers: tuple[str, ...] = LAYERS
    extra_words: Iterable[str] = ()
    extra_files: Iterable[str | Path] = ()
    _user: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        unknown = set(self.layers) - set(LAYERS)
        if unknown:
            raise ValueError(f"unknown stopword layers {sorted(unknown)}; choose from {LAYERS}")
        self.layers = tuple(layer for layer in LAYERS if layer in self.layers)
        self.extra_words = tuple(self.extra_words)
        self.extra_files = tuple(str(f) for f in self.extra_files)
        words = set(self.extra_words)
        for path in self.extra_files:
            words.update(read_wordlist(path))
        self._user = frozenset(words)

    def layer_of(self, token: str, names: frozenset[str] | set[str] = frozenset()) -> str | None:
        """The layer that removes ``token`` (``"user"`` for the user's words), or None to keep it."""
        if "places" in self.layers and token in names:
            return "places"
        for layer in self.layers:
            if layer in _FILES and token in layer_words(layer):
                return layer
        if "numbers" in self.layers and is_number(token):
            return "numbers"
        if token in self._user:
            return "user"
        return None

    def sizes(self) -> dict[str, int]:
        """Entries per enabled layer (``places`` is per document, so its size is 0 here)."""
        out = {layer: len(layer_words(layer)) if layer in _FILES else 0 for layer in self.layers}
        if self._user:
            out["user"] = len(self._user)
        return out

    def fingerprint(self) -> str:
        """A hash of everything that decides what is removed; part of the token cache key."""
        h = hashlib.sha256()
        for layer in self.layers:
            h.update(layer.encode())
            if layer in _FILES:
                h.update("\n".join(sorted(layer_words(layer))).encode())
        h.update("\n".join(sorted(self._user)).encode())
        return h.hexdigest()[:16]

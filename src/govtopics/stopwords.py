"""Layered stopwords tuned to government-report Chinese, in a registry of layers.

Every layer is one entry of :data:`STOPWORD_LAYERS`, registered where it is defined (below).
A layer removes a token for one of three reasons, alone or together:

- its **word list**, a plain-text file (``function``: general function words; ``formulaic``:
  套话 such as 加强, 推进, 切实; ``scaffolding``: 一是, 报告如下, 我镇 …; ``numbers``: numerals
  and measure words), shipped in ``govtopics/data`` with a header saying where they come from;
- a **rule** on the token (``numbers`` also removes figures, dates and counted amounts:
  2025, 12.4%, 26次, 十九届);
- the **document's own names** (``places``: the report's unit and parent places, given with
  each text, see :func:`govtopics.tokenizing.document_names`).

:class:`Stopwords` (which layers are on, plus the user's words), the token cache's key, the
``govtopics stopwords`` listing (:func:`layer_table`) and config validation (:func:`check_layers`)
all iterate over the registry, so a new layer is one ``STOPWORD_LAYERS.register(name, Layer(...))``;
an analysis then switches it on by name, like any other (``Stopwords(layers=[*LAYERS, "mine"])``,
or ``tokens.layers`` in the config). The default is the shipped layers, :data:`LAYERS`, so that
registering a layer changes no analysis that does not ask for it. Nothing is read from disk until
a layer's words are first needed.
"""

from __future__ import annotations

import hashlib
import inspect
import re
from collections.abc import Callable, Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .metadata import ADMIN_SUFFIX
from .registry import Registry

__all__ = [
    "LAYERS",
    "Layer",
    "STOPWORD_LAYERS",
    "Stopwords",
    "check_layers",
    "is_number",
    "layer_table",
    "layer_words",
    "name_variants",
    "read_wordlist",
]

_NUMERALS = "0-9〇零一二三四五六七八九十百千万亿两几半"
# A figure, a date or a counted amount: 2025, 12.4, 100%, 2025年, 26次, 十九届, 1000余份.
_NUMBER = re.compile(rf"([{_NUMERALS}.,%‰+\-/:~]+)[余多]?([^{_NUMERALS}.,%‰+\-/:~]{{0,2}})")
# A unit's full name loses its government suffix first, then its place suffix: 大进镇人民政府 -> 大进镇 -> 大进.
_ADMIN_SUFFIX = re.compile(rf"(街道办事处|人民政府|{ADMIN_SUFFIX})$")
# The 55 minority nationalities, which name autonomous areas: 宁夏回族自治区 is called 宁夏, 恩施土家族苗族自治州 恩施.
_MINORITIES = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 "
    "土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 "
    "独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
_AUTONOMOUS = re.compile(
    rf"(?:(?:{'|'.join(sorted(_MINORITIES, key=len, reverse=True))})族|维吾尔)+自治(?:区|州|县|旗)$"
)
_DATA = Path(str(resources.files("govtopics") / "data"))


def read_wordlist(path: str | Path) -> list[str]:
    """Entries of a word-list file: one per line, first whitespace field, ``#`` lines skipped.

    >>> read_wordlist(resources.files("govtopics") / "data" / "stopwords_scaffolding.txt")[:3]
    ['一是', '二是', '三是']
    """
    text = Path(str(path)).read_text(encoding="utf-8")
    return [line.split()[0] for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@cache
def _words_of_file(path: str) -> frozenset[str]:
    return frozenset(read_wordlist(path))


class Layer:
    """One stopword layer: a word list, a rule, the document's own names, or a mix.

    ``words``: a word-list file (:func:`read_wordlist`) or the words themselves; ``rule``: a function ``token -> bool`` (a module-level function, so that the
    layer can travel to worker processes); ``document_names``: remove the names given with
    each text. Its words are read on first use, and a pickled layer carries its words, not
    its path (a remote worker need not see the file).

    >>> layer = Layer("test layer", words=["示范"], rule=str.isdigit)
    >>> layer.removes("示范"), layer.removes("2025"), layer.removes("执法"), layer.kind
    (True, True, False, 'word list + rule')
    """

    def __init__(self, description: str, *, words: str | Path | Iterable[str] | None = None,
                 rule: Callable[[str], bool] | None = None, document_names: bool = False):
        if words is None and rule is None and not document_names:
            raise ValueError("a layer needs words, a rule or document_names=True")
        self.description = description
        self.rule = rule
        self.document_names = document_names
        self._source: str | None = None
        self._words: frozenset[str] | None = None
        if isinstance(words, (str, Path)):
            self._source = str(words)
        else:
            self._words = frozenset(words or ())

    def __repr__(self) -> str:
        return f"Layer({self.description!r}, kind={self.kind!r})"

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_words"] = self.words()
        return state

    @property
    def kind(self) -> str:
        """``"word list"``, ``"rule"``, ``"per document"``, or a mix joined with ``+``."""
        has_words = self._source is not None or bool(self._words)
        parts = ["word list"] * has_words + ["rule"] * (self.rule is not None) + ["per document"] * self.document_names
        return " + ".join(parts)

    def words(self) -> frozenset[str]:
        """The layer's fixed words (read from its file on first use); empty for a rule or per-document layer."""
        if self._words is None:
            assert self._source is not None
            self._words = _words_of_file(self._source)
        return self._words

    def removes(self, token: str, names: frozenset[str] | set[str] = frozenset()) -> bool:
        """True when this layer removes ``token`` (``names``: the document's own names)."""
        return (
            (self.document_names and token in names)
            or token in self.words()
            or (self.rule is not None and self.rule(token))
        )

    def fingerprint(self) -> str:
        """A hash of what decides removal: the words, the rule's code, whether names are removed."""
        h = hashlib.sha256(repr((self.kind, self.document_names)).encode())
        h.update("\n".join(sorted(self.words())).encode())
        if self.rule is not None:
            h.update(f"{self.rule.__module__}.{self.rule.__qualname__}".encode())
            try:
                h.update(inspect.getsource(self.rule).encode())
            except (OSError, TypeError):  # a builtin or a function defined in a prompt: its name must do
                pass
        return h.hexdigest()[:16]


STOPWORD_LAYERS = Registry("stopword layer")


def layer_words(layer: str) -> frozenset[str]:
    """The fixed words of one registered layer.

    >>> "切实" in layer_words("formulaic"), "执法" in layer_words("formulaic"), layer_words("places")
    (True, False, frozenset())
    """
    return STOPWORD_LAYERS.get_or_raise(layer).words()


def name_variants(names: Iterable[str]) -> set[str]:
    """A unit's and places' names with their short forms: 大进镇人民政府 -> 大进镇人民政府, 大进镇, 大进.

    An autonomous area is also called by its name without the nationalities (宁夏回族自治区 -> 宁夏).

    >>> sorted(name_variants(["大进镇人民政府", "开州区"]))
    ['大进', '大进镇', '大进镇人民政府', '开州', '开州区']
    >>> sorted(name_variants(["新疆维吾尔自治区", "海西蒙古族藏族自治州", "长阳土家族自治县", "西藏自治区"]))
    ['新疆', '新疆维吾尔自治区', '海西', '海西蒙古族藏族自治州', '西藏', '西藏自治区', '长阳', '长阳土家族自治县']
    """
    out: set[str] = set()
    for name in names:
        while name and name not in out:
            out.add(name)
            autonomous = _AUTONOMOUS.search(name)
            shorter = name[: autonomous.start()] if autonomous else _ADMIN_SUFFIX.sub("", name)
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
    measure = STOPWORD_LAYERS["numbers"].words()
    return not suffix or suffix in measure or suffix[0] in measure


# The shipped layers, in the order they are listed and applied (a report's own name is always reported as "places").
STOPWORD_LAYERS.register("function", Layer(
    "general function words: pronouns, particles, conjunctions, prepositions, auxiliaries",
    words=_DATA / "stopwords_function.txt"))
STOPWORD_LAYERS.register("formulaic", Layer(
    "套话 of government reports: verbs of exhortation, adverbs of intensity, vague general nouns",
    words=_DATA / "stopwords_formulaic.txt"))
STOPWORD_LAYERS.register("scaffolding", Layer(
    "report scaffolding: enumeration markers, template headings, self-references, organs, web-page boilerplate",
    words=_DATA / "stopwords_scaffolding.txt"))
STOPWORD_LAYERS.register("places", Layer(
    "the report's own unit and place names, with their short forms (per document)", document_names=True))
STOPWORD_LAYERS.register("numbers", Layer(
    "numerals and measure words, and by rule figures, dates and counted amounts (2025, 12.4%, 26次)",
    words=_DATA / "stopwords_numbers.txt", rule=is_number))

LAYERS: tuple[str, ...] = tuple(STOPWORD_LAYERS)
"""The shipped layers' names, on by default (the registry may hold more: iterate over :data:`STOPWORD_LAYERS`)."""


def check_layers(layers: Iterable[str] | str) -> list[str]:
    """Layer names as a list when each is registered, else a ValueError naming the unknown ones (for config validation).

    >>> check_layers(["function", "places"])
    ['function', 'places']
    >>> check_layers(["function", "slogans"])
    Traceback (most recent call last):
    ValueError: unknown stopword layers ['slogans']; choose from: function, formulaic, scaffolding, places, numbers
    """
    layers = [layers] if isinstance(layers, str) else list(layers)
    unknown = [layer for layer in layers if layer not in STOPWORD_LAYERS]
    if unknown:
        raise ValueError(f"unknown stopword layers {unknown}; choose from: {', '.join(STOPWORD_LAYERS)}")
    return layers


def layer_table() -> list[dict[str, Any]]:
    """One row per registered layer: ``layer``, ``kind``, ``entries`` (None for a rule or per-document layer), ``description``.

    >>> [(row["layer"], row["kind"]) for row in layer_table()][3:]
    [('places', 'per document'), ('numbers', 'word list + rule')]
    """
    return [
        {"layer": name, "kind": layer.kind, "entries": len(layer.words()) or None, "description": layer.description}
        for name, layer in STOPWORD_LAYERS.items()
    ]


class Stopwords:
    """Which registered layers are on (default: the shipped ones), plus the user's own words and files.

    Layer objects are taken from the registry when the ``Stopwords`` is made; files are read on
    first use.

    >>> sw = Stopwords(layers=("function", "formulaic"), extra_words=["法治政府"])
    >>> sw.layer_of("切实"), sw.layer_of("法治政府"), sw.layer_of("我镇"), sw.layer_of("执法")
    ('formulaic', 'user', None, None)
    """

    def __init__(self, layers: Iterable[str] = LAYERS, extra_words: Iterable[str] = (),
                 extra_files: Iterable[str | Path] = ()):
        chosen = set(check_layers(layers))
        self.layers = tuple(name for name in STOPWORD_LAYERS if name in chosen)
        self._layers = {name: STOPWORD_LAYERS[name] for name in self.layers}
        # A report's own name is reported as "places" whichever list also has it.
        self._order = sorted(self._layers.items(), key=lambda item: not item[1].document_names)
        self.extra_words = tuple(extra_words)
        self.extra_files = tuple(str(f) for f in extra_files)
        self._user: frozenset[str] | None = None

    def __repr__(self) -> str:
        return f"Stopwords(layers={self.layers!r}, extra_words={self.extra_words!r}, extra_files={self.extra_files!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Stopwords) and (self.layers, self.extra_words, self.extra_files) == (
            other.layers, other.extra_words, other.extra_files)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_user"] = self.user_words()  # the words travel, not the paths
        return state

    def user_words(self) -> frozenset[str]:
        """The user's extra words and the entries of the extra files (read on first use)."""
        if self._user is None:
            words = set(self.extra_words)
            for path in self.extra_files:
                words.update(read_wordlist(path))
            self._user = frozenset(words)
        return self._user

    @property
    def removes_names(self) -> bool:
        """True when a layer that removes the document's own names is on."""
        return any(layer.document_names for layer in self._layers.values())

    def layer_of(self, token: str, names: frozenset[str] | set[str] = frozenset()) -> str | None:
        """The layer that removes ``token`` (``"user"`` for the user's words), or None to keep it."""
        for name, layer in self._order:
            if layer.removes(token, names):
                return name
        if token in self.user_words():
            return "user"
        return None

    def dictionary_words(self) -> frozenset[str]:
        """The fixed words of the shipped layers, on or off, of the other layers that are on, and the user's.

        The segmenter learns these, so that switching a shipped layer off changes what is removed,
        not how the text is cut.
        """
        shipped = [STOPWORD_LAYERS[name] for name in LAYERS if name in STOPWORD_LAYERS]
        layers = [*shipped, *self._layers.values()]
        return frozenset().union(*(layer.words() for layer in layers), self.user_words())

    def sizes(self) -> dict[str, int]:
        """Fixed entries per enabled layer (0 for a rule or per-document layer), and ``user``'s."""
        out = {name: len(layer.words()) for name, layer in self._layers.items()}
        if self.user_words():
            out["user"] = len(self.user_words())
        return out

    def fingerprint(self) -> str:
        """A hash of everything that decides what is removed; part of the token cache key."""
        h = hashlib.sha256()
        for name, layer in self._layers.items():
            h.update(f"{name}:{layer.fingerprint()}\n".encode())
        h.update("\n".join(sorted(self.user_words())).encode())
        return h.hexdigest()[:16]

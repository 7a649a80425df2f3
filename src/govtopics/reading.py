"""Reading: files, folders or a DataFrame into a :class:`Corpus` of cleaned, dated, structured reports.

Every input ends up either as a :class:`Document` or as a :class:`Skipped` record with its
reason; nothing is dropped silently.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import charset_normalizer
import pandas as pd

from .cleaning import CleanResult, clean_text
from .metadata import Metadata, extract_metadata
from .structure import PARTS, Section, Unit, parse_structure, split_units

__all__ = ["Document", "Skipped", "Corpus", "DecodeError", "decode_bytes", "load_corpus", "TEXT_SUFFIXES"]

TEXT_SUFFIXES = (".txt", ".text")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_USER_FIELDS = ("year", "unit", "level", "places")


class DecodeError(ValueError):
    """Raised when bytes are not text in a supported encoding; the message is the skip reason."""


def _plausible(text: str) -> bool:
    """Readable text: almost no control characters or private-use code points."""
    if not text:
        return False
    bad = sum(
        1 for c in text if (unicodedata.category(c) in ("Cc", "Co", "Cn") and c not in "\t\n\r\f")
    )
    return bad / len(text) < 0.001


def _cjk_share(text: str) -> float:
    visible = [c for c in text if not c.isspace()]
    return sum("\u4e00" <= c <= "\u9fff" for c in visible) / max(len(visible), 1)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode a report's bytes; return ``(text, encoding)`` or raise :class:`DecodeError`.

    A byte-order mark decides first; then strict UTF-8; then charset-normalizer's detection
    among the encodings Chinese files come in; for short files, where detection is weak,
    a strict GB18030 decode that yields Chinese text.

    >>> decode_bytes("关于2022年法治政府建设情况的报告".encode("gb18030"))
    ('关于2022年法治政府建设情况的报告', 'gb18030')
    """
    if not data.strip(b" \t\r\n\x00"):
        raise DecodeError("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise DecodeError(f"undecodable: has a {encoding} byte-order mark but {error.reason}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if _plausible(text):
            return text, "utf-8"
        raise DecodeError("binary file: control bytes in the content")
    best = charset_normalizer.from_bytes(
        data, cp_isolation=["gb18030", "big5", "utf_16_le", "utf_16_be", "utf_32"]
    ).best()
    if best is not None and _plausible(str(best)) and _cjk_share(str(best)) > 0.2:
        return str(best), best.encoding
    for encoding in ("gb18030", "big5"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _plausible(text) and _cjk_share(text) > 0.5:
            return text, encoding
    if b"\x00" in data[:4096]:
        raise DecodeError("binary file: NUL bytes and no text encoding fits")
    raise DecodeError("undecodable: not UTF-8, UTF-16/32, GB18030/GBK or Big5 text")


@dataclass
class Document:
    """One report: cleaned text, metadata with their sources, sections and analysis units."""

    id: str
    text: str
    path: str | None = None
    encoding: str | None = None
    meta: Metadata = field(default_factory=Metadata)
    sections: list[Section] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    cleaning: CleanResult | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    year = property(lambda self: self.meta.year, doc="Year whose work the report covers.")
    unit = property(lambda self: self.meta.unit, doc="Issuing unit, e.g. 大进镇人民政府.")
    level = property(lambda self: self.meta.level, doc="township, county, city, province, department or unknown.")
    places = property(lambda self: self.meta.places, doc="Parent places named, e.g. ['重庆市', '开州区'].")

    @property
    def part_chars(self) -> dict[str, int]:
        """Characters of body text in each report part (all parts present, zeros included)."""
        chars = dict.fromkeys(PARTS, 0)
        for section in self.sections:
            chars[section.part] += section.chars
        return chars

    def summary(self) -> dict[str, Any]:
        """One row for ``govtopics inspect``: id, path, metadata, size, characters per part, units."""
        return {
            "id": self.id,
            "path": self.path,
            "year": self.year,
            "unit": self.unit,
            "level": self.level,
            "places": list(self.places),
            "characters": len(re.sub(r"\s", "", self.text)),
            "parts": self.part_chars,
            "units": len(self.units),
        }


@dataclass(frozen=True)
class Skipped:
    """An input that did not become a document, and why."""

    path: str
    reason: str


@dataclass
class Corpus:
    """Loaded documents plus the inputs that were skipped, each with its reason."""

    documents: list[Document] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.documents)

    def __iter__(self) -> Iterator[Document]:
        return iter(self.documents)

    def __getitem__(self, key: int | str) -> Document:
        if isinstance(key, str):
            return next(d for d in self.documents if d.id == key)
        return self.documents[key]

    def summary(self) -> str:
        """One line: how many documents were loaded and skipped.

        >>> Corpus().summary()
        'loaded 0 documents, skipped 0'
        """
        return f"loaded {len(self.documents)} documents, skipped {len(self.skipped)}"

    def to_frame(self) -> pd.DataFrame:
        """One row per document: id, path, year, unit, level, places, characters, characters per part, units."""
        rows = []
        for doc in self.documents:
            row = doc.summary()
            parts = row.pop("parts")
            row["places"] = "/".join(row["places"])
            row.update({f"chars_{part}": n for part, n in parts.items()})
            rows.append(row | doc.extra)
        return pd.DataFrame(rows)

    def units_frame(self) -> pd.DataFrame:
        """One row per analysis unit with its document's metadata: doc_id, unit_index, year, unit, level, part, heading, text."""
        rows = [
            {
                "doc_id": doc.id,
                "unit_index": u.index,
                "year": doc.year,
                "unit": doc.unit,
                "level": doc.level,
                "part": u.part,
                "heading": " > ".join(u.heading_path),
                "text": u.text,
            }
            for doc in self.documents
            for u in doc.units
        ]
        return pd.DataFrame(rows, columns=["doc_id", "unit_index", "year", "unit", "level", "part", "heading", "text"])


def build_document(doc_id: str, raw: str, *, path: str | None = None, encoding: str | None = None,
                   max_unit_chars: int = 300, simplify: bool = True) -> Document:
    """Clean, date and structure one report's text.

    >>> doc = build_document("x", "关于2022年法治政府建设情况的报告\\n一、主要举措和成效\\n(一)加强学习\\n一是学习宪法。")
    >>> doc.year, [u.part for u in doc.units]
    (2022, ['achievements'])
    """
    cleaned = clean_text(raw, simplify=simplify)
    sections = parse_structure(cleaned.text)
    return Document(
        id=doc_id,
        text=cleaned.text,
        path=path,
        encoding=encoding,
        meta=extract_metadata(cleaned.text),
        sections=sections,
        units=split_units(sections, max_unit_chars),
        cleaning=cleaned,
    )


def _override(doc: Document, values: dict[str, Any]) -> None:
    """User-supplied metadata wins over what was read from the text."""
    for name in _USER_FIELDS:
        value = values.get(name)
        if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
            continue
        if name == "year":
            value = int(value)
        elif name == "places" and isinstance(value, str):
            value = [p for p in re.split(r"[/,;、\s]+", value) if p]
        setattr(doc.meta, name, value)
        doc.meta.sources[name] = "user"
    doc.extra = {k: v for k, v in values.items() if k not in (*_USER_FIELDS, "text", "id")}


def _iter_files(source: str | Path | Iterable[str | Path]) -> Iterator[tuple[Path, Path]]:
    """(file, root) pairs in a stable order; a folder is walked recursively, hidden entries left out."""
    items = [source] if isinstance(source, (str, Path)) else list(source)
    for item in items:
        path = Path(item)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if child.is_file() and not any(part.startswith(".") for part in rel.parts):
                    yield child, path
        else:
            yield path, path.parent


def load_corpus(
    source: str | Path | Iterable[str | Path] | pd.DataFrame,
    *,
    suffixes: tuple[str, ...] = TEXT_SUFFIXES,
    max_unit_chars: int = 300,
    simplify: bool = True,
) -> Corpus:
    """Load reports from a file, a folder (recursive), a list of paths, or a DataFrame with a ``text`` column.

    Files of any common encoding are decoded (:func:`decode_bytes`); files that are missing,
    unreadable, empty, binary, undecodable or of another type are recorded in ``corpus.skipped``
    with the reason. In a DataFrame, columns ``id``, ``year``, ``unit``, ``level``, ``places``
    override what is read from the text; other columns are kept in ``Document.extra``.

    >>> corpus = load_corpus("seeds/")
    >>> corpus.summary(), corpus[0].year, corpus[0].unit
    ('loaded 5 documents, skipped 0', 2025, '大进镇人民政府')
    """
    corpus = Corpus()
    if isinstance(source, pd.DataFrame):
        if "text" not in source.columns:
            raise ValueError("the DataFrame needs a 'text' column")
        for index, row in source.iterrows():
            values = row.to_dict()
            doc_id = str(values.get("id", index))
            if not isinstance(values["text"], str) or not values["text"].strip():
                corpus.skipped.append(Skipped(doc_id, "empty text"))
                continue
            doc = build_document(doc_id, values["text"], max_unit_chars=max_unit_chars, simplify=simplify)
            _override(doc, values)
            corpus.documents.append(doc)
        return corpus

    seen_ids: set[str] = set()
    for path, root in _iter_files(source):
        shown = str(path)
        if not path.exists():
            corpus.skipped.append(Skipped(shown, "no such file or folder"))
            continue
        if path.suffix.lower() not in suffixes:
            corpus.skipped.append(Skipped(shown, f"unsupported file type {path.suffix or '(none)'}"))
            continue
        try:
            data = path.read_bytes()
        except OSError as error:
            corpus.skipped.append(Skipped(shown, f"unreadable: {error.strerror or error}"))
            continue
        try:
            text, encoding = decode_bytes(data)
        except DecodeError as error:
            corpus.skipped.append(Skipped(shown, str(error)))
            continue
        doc_id = path.stem if path.stem not in seen_ids else path.relative_to(root).with_suffix("").as_posix()
        seen_ids.add(doc_id)
        doc = build_document(doc_id, text, path=shown, encoding=encoding,
                             max_unit_chars=max_unit_chars, simplify=simplify)
        if not doc.text:
            corpus.skipped.append(Skipped(shown, "no text left after removing web-page debris"))
            continue
        corpus.documents.append(doc)
    return corpus

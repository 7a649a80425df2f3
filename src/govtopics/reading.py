"""Reading: files, folders or a DataFrame into a :class:`Corpus` of cleaned, dated, structured reports.

Every input ends up either as a :class:`Document` or as a :class:`Skipped` record with its
reason; nothing is dropped silently.
"""

from __future__ import annotations

import codecs
import itertools
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import charset_normalizer
import pandas as pd

from .cleaning import CleanResult, clean_text, drop_shared_lines, shared_lines
from .duplicates import near_duplicates
from .metadata import AuditNote, Metadata, MetadataTableError, TableJoin, apply_table, extract_metadata, read_metadata_table
from .structure import PARTS, Section, Unit, detect_genre, parse_structure, split_units

__all__ = ["Document", "Skipped", "Corpus", "DecodeError", "MetadataTableError", "decode_bytes", "load_corpus", "TEXT_SUFFIXES",
           "MAX_BYTES", "MAX_CHARS", "LONG_LINE", "outside_path"]

TEXT_SUFFIXES = (".txt", ".text")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Leading bytes of file formats that are often renamed to .txt by mistake.
_SIGNATURES = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a zip archive (.docx, .xlsx, ...)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document (.doc, .xls, ...)"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
)
# Files above this size are skipped: a report is a few hundred kilobytes at most.
MAX_BYTES = 50_000_000
# Reports longer than this many characters are skipped: the longest real report seen runs to ~63,000 characters (on one
# line, as scraped pages often are); 1,000,000 is a dump or a mistake, and would take minutes to tokenize.
MAX_CHARS = 1_000_000
# A line this long is beyond any report's paragraph (whole reports run to 10,000-60,000 characters): it is cut into
# units like any long paragraph, and the audit says so.
LONG_LINE = 100_000
# Reports sharing this share of their distinct 5-character shingles (Jaccard) are one report saved twice: headers and
# cruft are a few lines of thousands, so a repost shares nearly all; reports that state different years never count.
NEAR_DUPLICATE = 0.9


class DecodeError(ValueError):
    """Raised when bytes are not text in a supported encoding; the message is the skip reason."""


# Printable ASCII, whitespace, CJK ideographs and punctuation, full-width forms: never control or private-use.
_COMMON = re.compile(r"[\t\n\r\f\u0020-\u007e\u00a0-\u00ff\u2000-\u206f\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")


def _plausible(text: str) -> bool:
    """Readable text: almost no control characters or unassigned code points (under 0.1%).

    Private-use code points are tolerated up to 5% (one in twenty characters) in text that is otherwise Chinese prose
    (more than half CJK): sites use them for glyphs they cannot encode and as stand-ins for
    paragraph breaks. Elsewhere they count as strictly as control characters, since a
    mis-decoded binary file is full of them.

    >>> _plausible(("坚持依法行政。" * 8 + "\ue004") * 5), _plausible("abc\ue004" * 20), _plausible("依法\x01行政。" * 20)
    (True, False, False)
    """
    if not text:
        return False
    categories = Counter(unicodedata.category(c) for c in _COMMON.sub("", text))
    if (categories["Cc"] + categories["Cn"]) / len(text) >= 0.001:
        return False
    private = categories["Co"] / len(text)
    return private < 0.001 or (private < 0.05 and _cjk_share(text) > 0.5)


def _cjk_share(text: str) -> float:
    visible = [c for c in text if not c.isspace()]
    return sum("\u4e00" <= c <= "\u9fff" for c in visible) / max(len(visible), 1)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode a report's bytes; return ``(text, encoding)`` or raise :class:`DecodeError`.

    Known binary formats (PDF, zip/docx, images ...) are named; a byte-order mark decides
    first; then strict UTF-8; then charset-normalizer's detection among the encodings Chinese
    files come in; for short files, where detection is weak, a strict GB18030 decode that
    yields Chinese text. Text that is only whitespace is an empty file.

    >>> decode_bytes("关于2022年法治政府建设情况的报告".encode("gb18030"))
    ('关于2022年法治政府建设情况的报告', 'gb18030')
    >>> decode_bytes(b"%PDF-1.7 ...")
    Traceback (most recent call last):
    govtopics.reading.DecodeError: binary file: a PDF document
    """
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            raise DecodeError(f"binary file: {kind}")
    text, encoding = _decode(data)
    if not text.strip():
        raise DecodeError("empty file")
    return text, encoding


def _decode(data: bytes) -> tuple[str, str]:
    """The decoding steps of :func:`decode_bytes`."""
    if not data.strip(b" \t\r\n\x00"):
        raise DecodeError("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise DecodeError(f"undecodable: has a {encoding} byte-order mark but {error.reason}") from None
    text: str | None
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        # A copy cut off inside its last character (an interrupted download) keeps the text before it.
        if error.reason == "unexpected end of data" and error.start > 0:
            text, encoding = data[: error.start].decode("utf-8"), "utf-8, last character cut"
        else:
            text = None
    if text is not None:
        if _plausible(text):
            return text, encoding
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

    year = property(lambda self: self.meta.year, doc="The report's year: reported on (法治), delivered (政府工作报告).")
    unit = property(lambda self: self.meta.unit, doc="Issuing unit, e.g. 大进镇人民政府.")
    level = property(lambda self: self.meta.level, doc="township, county, city, province, department or unknown.")
    places = property(lambda self: self.meta.places, doc="Parent places named, e.g. ['重庆市', '开州区'].")
    genre = property(lambda self: self.meta.genre, doc="rule_of_law, government_work or other.")
    period = property(lambda self: self.meta.period, doc="Year(s) of the work reviewed, e.g. '2011' or '2016-2020'.")

    @property
    def issuer(self) -> str | None:
        """The issuing government or department as one identity: its parent places and its unit, e.g. 长治市司法局.

        A department is often written without its place (司法局, places ['长治市']), so ``unit`` alone
        makes two cities' 司法局 one; a place the unit's name already holds is not repeated. A
        metadata-table column ``issuer`` wins (a stable id across renamings). None without a unit.

        >>> doc = Document("x", "", meta=Metadata(unit="司法局", places=["山西省", "长治市"]))
        >>> doc.issuer, Document("y", "", meta=Metadata(unit="长治市司法局", places=["长治市"])).issuer
        ('山西省长治市司法局', '长治市司法局')
        """
        given = self.extra.get("issuer")
        if given is not None and str(given).strip():
            return str(given).strip()
        if not self.unit:
            return None
        name = self.unit
        for place in reversed(self.places):
            if place not in name:
                name = place + name
        return name

    @property
    def part_chars(self) -> dict[str, int]:
        """Characters of body text in each report part (all parts present, zeros included)."""
        chars = dict.fromkeys(PARTS, 0)
        for section in self.sections:
            chars[section.part] += section.chars
        return chars

    def summary(self) -> dict[str, Any]:
        """One row for ``govtopics inspect``: id, path, year, unit, level, places, genre, period, characters,
        characters per part, units."""
        return {
            "id": self.id,
            "path": self.path,
            "year": self.year,
            "unit": self.unit,
            "level": self.level,
            "places": list(self.places),
            "genre": self.genre,
            "period": self.period,
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
    # The metadata audit: conflicts between sources, table rows without files, files without rows, bad values.
    notes: list[AuditNote] = field(default_factory=list)

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

    def _covariates(self) -> list[str]:
        """Names of the metadata-table covariates, in the order first seen (``issuer`` has its own column)."""
        return list(dict.fromkeys(k for doc in self.documents for k in doc.extra if k != "issuer"))

    def to_frame(self) -> pd.DataFrame:
        """One row per document: id, path, year (``Int64``), unit, level, places, issuer, genre, period, characters,
        characters per part, units, then the metadata table's covariates.

        >>> Corpus().to_frame().dtypes["year"]
        Int64Dtype()
        """
        covariates = self._covariates()
        rows = []
        for doc in self.documents:
            row = doc.summary()
            parts = row.pop("parts")
            row["places"] = "/".join(row["places"])
            row["issuer"] = doc.issuer
            row.update({f"chars_{part}": n for part, n in parts.items()})
            rows.append(row | {k: doc.extra.get(k) for k in covariates})
        columns = ["id", "path", "year", "unit", "level", "places", "issuer", "genre", "period", "characters",
                   *(f"chars_{part}" for part in PARTS), "units", *covariates]
        frame = pd.DataFrame(rows, columns=columns)
        frame["year"] = frame["year"].astype("Int64")
        return frame

    def units_frame(self) -> pd.DataFrame:
        """One row per analysis unit with its document's metadata: doc_id, unit_index, year (``Int64``), unit,
        level, issuer (:attr:`Document.issuer`), genre, period, part, heading, text, then the metadata table's
        covariates."""
        covariates = self._covariates()
        rows = [
            {
                "doc_id": doc.id,
                "unit_index": u.index,
                "year": doc.year,
                "unit": doc.unit,
                "level": doc.level,
                "issuer": doc.issuer,
                "genre": doc.genre,
                "period": doc.period,
                "part": u.part,
                "heading": " > ".join(u.heading_path),
                "text": u.text,
                **{k: doc.extra.get(k) for k in covariates},
            }
            for doc in self.documents
            for u in doc.units
        ]
        columns = ["doc_id", "unit_index", "year", "unit", "level", "issuer", "genre", "period", "part", "heading", "text",
                   *covariates]
        frame = pd.DataFrame(rows, columns=columns)
        frame["year"] = frame["year"].astype("Int64")
        return frame


def build_document(doc_id: str, raw: str, *, path: str | None = None, encoding: str | None = None,
                   max_unit_chars: int = 300, simplify: bool = True, file_name: str | None = None) -> Document:
    """Clean, date and structure one report's text; ``file_name`` (its path under the corpus folder,
    without suffix) is one source of metadata (:func:`~govtopics.metadata.extract_metadata`).

    >>> doc = build_document("x", "关于2022年法治政府建设情况的报告\\n一、主要举措和成效\\n(一)加强学习\\n一是学习宪法。")
    >>> doc.year, [u.part for u in doc.units]
    (2022, ['achievements'])
    """
    cleaned = clean_text(raw, simplify=simplify)
    genre = detect_genre(cleaned.text)
    meta = extract_metadata(cleaned.text, file_name=file_name, removed=cleaned.removed,
                            page_title=cleaned.page_title, genre=genre)
    longest = max(map(len, cleaned.text.split("\n")), default=0)
    if longest > LONG_LINE:
        meta.conflicts.append(("text", f"a line of {longest:,} characters without a break, beyond any report's "
                                       f"paragraph: cut into units of at most {max_unit_chars} characters"))
    sections = parse_structure(cleaned.text, genre)
    return Document(
        id=doc_id,
        text=cleaned.text,
        path=path,
        encoding=encoding,
        meta=meta,
        sections=sections,
        units=split_units(sections, max_unit_chars),
        cleaning=cleaned,
    )


def _apply_row(doc: Document, values: dict[str, Any], where: str) -> None:
    """A metadata-table row wins over what was read from the text; its other columns become covariates."""
    clean = {k: (None if not isinstance(v, (list, tuple)) and pd.isna(v) else v) for k, v in values.items()}
    doc.extra, notes = apply_table(doc.meta, clean, where)
    doc.meta.conflicts += notes


def _iter_files(source: str | Path | Iterable[str | Path], skipped: list[Skipped]) -> Iterator[tuple[Path, Path]]:
    """(entry, root) pairs in a stable order; a folder is walked recursively, hidden entries left out.

    Every non-hidden entry of a folder that is not a folder walked into is yielded, so links
    and special files reach a reason; folders that cannot be listed go to ``skipped``, and so do
    links in a folder whose target lies outside that folder (a file named by itself is read
    wherever its link leads: you named it).
    """

    def unlisted(error: OSError) -> None:
        skipped.append(Skipped(str(error.filename), f"unreadable: {error.strerror or error}"))

    items = [source] if isinstance(source, (str, Path)) else list(source)
    for item in items:
        path = Path(item)
        if not path.is_dir():
            yield path, path.parent
            continue
        found: list[Path] = []
        for folder, dirs, files in os.walk(path, onerror=unlisted):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            here = Path(folder)
            found += [here / d for d in dirs if (here / d).is_symlink()]
            found += [here / f for f in files if not f.startswith(".")]
        inside = path.resolve()
        for child in sorted(found):
            if child.is_symlink() and not child.resolve().is_relative_to(inside):
                skipped.append(Skipped(str(child), f"link leading outside the corpus folder (to {child.resolve()}): "
                                                   "not followed"))
                continue
            yield child, path


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.3g} MB"


def _unique_id(path: Path, root: Path, taken: set[str]) -> str:
    """The file's stem; when taken, its path under ``root``, then its whole path, then a numbered variant."""
    full = path.with_suffix("").as_posix()
    fixed = (path.stem, path.relative_to(root).with_suffix("").as_posix(), full)
    numbered = (f"{full}#{n}" for n in itertools.count(2))
    return next(c for c in itertools.chain(fixed, numbered) if c not in taken)


def _keep(corpus: Corpus, doc: Document, shown: str, first_of_text: dict[str, str] | None) -> bool:
    """Add ``doc`` to the corpus, or record why it is skipped; True when added."""
    if not doc.text:
        reason = "no text left after removing web-page debris"
    elif not doc.units:
        reason = "no body text: only title or header lines"
    elif first_of_text is not None and doc.text in first_of_text:
        reason = f"duplicate of {first_of_text[doc.text]}"
    else:
        if first_of_text is not None:
            first_of_text[doc.text] = doc.id
        corpus.documents.append(doc)
        return True
    corpus.skipped.append(Skipped(shown, reason))
    return False


def load_corpus(
    source: str | Path | Iterable[str | Path] | pd.DataFrame,
    *,
    suffixes: tuple[str, ...] = TEXT_SUFFIXES,
    max_unit_chars: int = 300,
    simplify: bool = True,
    max_bytes: int | None = MAX_BYTES,
    max_chars: int | None = MAX_CHARS,
    deduplicate: bool = True,
    metadata: str | Path | pd.DataFrame | None = None,
    near_duplicate: float | None = NEAR_DUPLICATE,
    boilerplate: bool = True,
) -> Corpus:
    """Load reports from a file, a folder (recursive), a list of paths, or a DataFrame with a ``text`` column.

    Files of any common encoding are decoded (:func:`decode_bytes`); web pages saved as text
    are reduced to their text (:func:`~govtopics.cleaning.clean_text`). Every input ends as a
    document or in ``corpus.skipped`` with its reason: missing, not a regular file, of another
    type, larger than ``max_bytes`` (a report is never that big: a dump or a mistake; None for
    no limit; such a file is never read), longer than ``max_chars`` characters once decoded (checked
    before any cleaning, so a huge file costs no more than its reading), unreadable, empty, binary, undecodable, nothing left after cleaning, no body
    text, or (with ``deduplicate``) the same cleaned text as an earlier input, whatever its
    encoding ("duplicate of <id>"). Inputs are taken in sorted order, so the first copy is kept.
    With ``deduplicate`` and ``near_duplicate`` (a similarity, None for exact copies only), a
    report whose body is the same as another's but for headers or a truncation is skipped as
    "near-duplicate of <id> (similarity 0.97)", keeping the longer copy
    (:func:`~govtopics.duplicates.near_duplicates`); reports that state different years never
    are. With ``boilerplate``, short lines repeated verbatim across the corpus (a portal's
    banner or footer) are removed from every report, audited, and the reports re-structured
    (:func:`~govtopics.cleaning.shared_lines`).

    Hidden entries of a folder (``.DS_Store``, ``.git/``, any name starting with ``.``) are not
    inputs and are neither loaded nor recorded; a hidden file named explicitly is loaded.

    Metadata are read from the title, the file name and the body (:mod:`govtopics.metadata`).
    ``metadata`` is a table (CSV, .xlsx or DataFrame) with a ``path`` column (the file's path under
    the corpus folder, with or without its suffix, or its bare name) or an ``id`` column; its
    ``year``, ``unit``, ``level``, ``places`` and ``period`` win over the text, and its other columns
    are covariates (``Document.extra``, columns of :meth:`Corpus.to_frame` and
    :meth:`Corpus.units_frame`). In a DataFrame source, the same columns play the table's part.
    Disagreements, malformed values, rows without a file and files without a row are listed in
    ``corpus.notes``; a table that cannot be read raises :class:`MetadataTableError`.

    >>> corpus = load_corpus("seeds/")
    >>> corpus.summary(), corpus[0].year, corpus[0].unit
    ('loaded 5 documents, skipped 0', 2025, '大进镇人民政府')
    """
    table = TableJoin(*_inside_paths(*read_metadata_table(metadata))) if metadata is not None else None
    corpus = Corpus()
    first_of_text: dict[str, str] | None = {} if deduplicate else None
    if isinstance(source, pd.DataFrame):
        if "text" not in source.columns:
            raise ValueError("the DataFrame needs a 'text' column")
        for index, row in source.iterrows():
            values = row.to_dict()
            doc_id = str(values.get("id", index))
            if not isinstance(values["text"], str) or not values["text"].strip():
                corpus.skipped.append(Skipped(doc_id, "empty text"))
                continue
            if max_chars is not None and len(values["text"]) > max_chars:
                corpus.skipped.append(Skipped(doc_id, f"too long: {len(values['text']):,} characters > {max_chars:,} limit"))
                continue
            doc = build_document(doc_id, values["text"], max_unit_chars=max_unit_chars, simplify=simplify)
            _apply_row(doc, values, f"row {index}")
            _join(doc, None, table, corpus)
            _keep(corpus, doc, doc_id, first_of_text)
        return _audit(_corpus_passes(corpus, max_unit_chars, boilerplate, near_duplicate if deduplicate else None), table)

    taken: set[str] = set()
    for path, root in _iter_files(source, corpus.skipped):
        shown = str(path)
        if not path.exists():
            corpus.skipped.append(Skipped(shown, "no such file or folder" + (" (broken link)" if path.is_symlink() else "")))
            continue
        if not path.is_file():
            corpus.skipped.append(Skipped(shown, "link to a folder, not followed" if path.is_dir() else "not a regular file"))
            continue
        if path.suffix.lower() not in suffixes:
            corpus.skipped.append(Skipped(shown, f"unsupported file type {path.suffix or '(none)'}"))
            continue
        try:
            size = path.stat().st_size
            if max_bytes is not None and size > max_bytes:
                corpus.skipped.append(Skipped(shown, f"too large: {_megabytes(size)} > {_megabytes(max_bytes)} limit"))
                continue
            with path.open("rb") as handle:  # never more than the limit, even if the file grows meanwhile
                data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
            if max_bytes is not None and len(data) > max_bytes:
                corpus.skipped.append(Skipped(shown, f"too large: over {_megabytes(max_bytes)} limit"))
                continue
        except OSError as error:
            corpus.skipped.append(Skipped(shown, f"unreadable: {error.strerror or error}"))
            continue
        try:
            text, encoding = decode_bytes(data)
        except DecodeError as error:
            corpus.skipped.append(Skipped(shown, str(error)))
            continue
        if max_chars is not None and len(text) > max_chars:
            corpus.skipped.append(Skipped(shown, f"too long: {len(text):,} characters > {max_chars:,} limit"))
            continue
        relative = path.relative_to(root).as_posix() if path != root else path.name
        doc = build_document(_unique_id(path, root, taken), text, path=shown, encoding=encoding,
                             max_unit_chars=max_unit_chars, simplify=simplify,
                             file_name=relative.rsplit(".", 1)[0] if "." in Path(relative).name else relative)
        _join(doc, relative, table, corpus)
        if _keep(corpus, doc, shown, first_of_text):
            taken.add(doc.id)
    return _audit(_corpus_passes(corpus, max_unit_chars, boilerplate, near_duplicate if deduplicate else None), table)


def outside_path(value: str) -> str | None:
    """Why a metadata table's path would lead outside the corpus folder, or None when it stays inside.

    >>> outside_path("2023/大进镇.txt"), outside_path("../secrets.txt"), outside_path("C:\\reports\\a.txt")
    (None, "goes up a folder with '..'", 'is absolute')
    """
    key = value.strip().replace("\\", "/")
    if key.startswith(("/", "~")) or re.match(r"[A-Za-z]:", key):
        return "is absolute"
    if ".." in key.split("/"):
        return "goes up a folder with '..'"
    return None


def _inside_paths(frame: pd.DataFrame, name: str) -> tuple[pd.DataFrame, str]:
    """The table, when every path it names stays inside the corpus folder; else one error naming the rows.

    A table that names ``../`` or absolute paths was written for another folder or to reach
    files outside this one: it is refused whole, so no row of it is half-trusted.
    """
    bad = [(index, column, value, why) for column in ("path", "file", "filename", "file_name") if column in frame
           for index, value in frame[column].items() if isinstance(value, str) and (why := outside_path(value))]
    if bad:
        index, column, value, why = bad[0]
        more = f" (and {len(bad) - 1} more row{'s' if len(bad) > 2 else ''})" if len(bad) > 1 else ""
        raise MetadataTableError(f"metadata table {name}: row {index + 2} names {value!r} in {column}, which {why}"
                                 f"{more}: a table names files by their path under the corpus folder, so it is "
                                 "not used")
    return frame, name


def _join(doc: Document, relative: str | None, table: TableJoin | None, corpus: Corpus) -> None:
    """Apply the metadata-table row of ``doc``, or note that it has none."""
    if table is None:
        return
    found = table.match(relative, doc.id)
    if found is None:
        key = relative if relative is not None else doc.id
        doc.meta.conflicts.append(("table", f"no row in {table.name} for {key!r}: metadata read from the text"))
        return
    index, values = found
    _apply_row(doc, values, f"{table.name} row {table.row(index)}")


def _audit(corpus: Corpus, table: TableJoin | None) -> Corpus:
    """Collect the metadata audit of the loaded documents and the table's unused rows into ``corpus.notes``."""
    corpus.notes = [AuditNote(doc.id, name, message) for doc in corpus for name, message in doc.meta.conflicts]
    if table is not None:
        corpus.notes += table.unmatched()
    return corpus


def _restructure(doc: Document, max_unit_chars: int) -> None:
    """Sections and units again from the document's cleaned text (after corpus-level cleaning); metadata stay."""
    doc.text = doc.cleaning.text
    doc.sections = parse_structure(doc.text, doc.meta.genre)
    doc.units = split_units(doc.sections, max_unit_chars)


def _corpus_passes(corpus: Corpus, max_unit_chars: int, boilerplate: bool, near_duplicate: float | None) -> Corpus:
    """The passes that need the whole corpus: shared boilerplate lines, then near-duplicate reports."""
    docs = corpus.documents
    if boilerplate and len(docs) >= 3:
        shared = shared_lines([doc.text for doc in docs])
        for doc in docs:
            if shared and doc.cleaning is not None and drop_shared_lines(doc.cleaning, shared, len(docs)):
                _restructure(doc, max_unit_chars)
    gone: dict[int, str] = {i: "no body text left after removing corpus boilerplate" for i, doc in enumerate(docs) if not doc.units}
    if near_duplicate is not None:
        bodies = ["\n".join(unit.text for unit in doc.units) for doc in docs]
        for i, j, similarity in near_duplicates(bodies, near_duplicate, keys=[doc.year for doc in docs]):
            gone.setdefault(i, f"near-duplicate of {docs[j].id} (similarity {similarity:.2f})")
    if gone:
        corpus.skipped += [Skipped(docs[i].path or docs[i].id, reason) for i, reason in sorted(gone.items())]
        corpus.documents = [doc for i, doc in enumerate(docs) if i not in gone]
    return corpus

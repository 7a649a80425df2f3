"""The one-command build: every registered table and figure of an :class:`~govtopics.analysis.Analysis`, and a manifest.

``build(config, out)`` makes the analysis of ``govtopics.toml`` (see the commented file at the
repository root), writes each table of :data:`~govtopics.outputs.TABLES` to
``tables/<name>.csv``, draws each figure of ``figures.which`` (from
:data:`~govtopics.outputs.FIGURES`) to ``<name>.png``, writes each file of
:data:`~govtopics.outputs.FILES` (``explorer.html``) and writes ``manifest.json``: every input
and what became of it (with its metadata and where they were read), the metadata audit, the
reports left out of the trends and why, the resolved configuration, what the model and the effects
ran, versions, the hash of every output, and timings. The same inputs and configuration give
identical tables, figures and files.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from .analysis import Analysis, AnalysisError, StageCache, dask_client, inside_roots, relative_path, sha256_file
from .config import Config, load_config
from .outputs import FIGURES, FILES, TABLES, NotApplicable, write_table
from .provenance import library_versions

__all__ = ["build", "write_outputs", "load_config", "AnalysisError", "OutputError", "OutputFolder", "StageCache",
           "FIGURES", "FILES", "TABLES", "dask_client"]


def build(config: Config | Mapping[str, Any] | str | Path | None = None, out: str | Path = "figures",
          corpus_path: str | Path | None = None) -> dict[str, Any]:
    """Run the analysis of ``config`` and write its tables, figures and ``manifest.json`` under ``out``.

    ``config`` is a :class:`~govtopics.config.Config`, a TOML path, a ``{section: {key: value}}``
    mapping or None (the defaults); ``corpus_path`` overrides ``corpus.path``. Returns the
    manifest. Raises :class:`~govtopics.analysis.AnalysisError` for a corpus that cannot be
    modelled (nothing loaded, no years, too few units or words for K).
    """
    if not isinstance(config, Config):
        config = load_config(config) if config is None or isinstance(config, (str, Path)) else Config(**config)
    if corpus_path is not None:
        config = config.replace(corpus={"path": str(corpus_path)})
    with Analysis(config) as analysis:
        return write_outputs(analysis, out)


def write_outputs(analysis: Analysis, out: str | Path) -> dict[str, Any]:
    """Write every table, the configured figures and ``manifest.json`` of ``analysis`` under ``out``.

    Nothing the build did not write is lost (:class:`OutputFolder`): outputs are made in a
    staging folder first, and a file in the way that no earlier build wrote stops the build
    before anything in ``out`` changes.
    """
    guard = analysis.config.outputs.csv_guard
    with OutputFolder(out) as folder:
        not_made: dict[str, str] = {}
        for name, table in TABLES.items():
            try:
                frames = table(analysis)
            except NotApplicable as why:
                not_made[f"tables/{name}.csv"] = str(why)
                continue
            for file_name, frame in (frames.items() if isinstance(frames, Mapping) else [(name, frames)]):
                with folder.staged(f"tables/{file_name}.csv") as path:
                    write_table(frame, path, guard=guard)
        with analysis.timed("figures"):
            for name in analysis.config.figures.which:
                try:
                    pngs = analysis.cache.get("figure", analysis.output_key(name), lambda name=name: _render(analysis, name))
                except NotApplicable as why:
                    not_made[f"{name}.png"] = str(why)
                    continue
                for file_name, data in pngs.items():
                    with folder.staged(f"{file_name}.png") as path:
                        path.write_bytes(data)
        with analysis.timed("files"):
            for name, make in FILES.items():
                try:
                    content = analysis.cache.get("file", analysis.output_key(name), lambda make=make: make(analysis))
                except NotApplicable as why:
                    not_made[name] = str(why)
                    continue
                with folder.staged(name) as path:
                    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        units, model = analysis.units, analysis.model
        recommended, rule = analysis.k_rule
        excluded = analysis.trends_excluded
        outputs = folder.commit()
        manifest = {
            "govtopics_build": 3,
            "config": analysis.config.to_dict(),
            "k": {"chosen": analysis.k, "recommended": recommended, "rule": rule, "warnings": analysis.k_warnings},
            "model": {"name": analysis.config.model.name, "class": type(model).__name__,
                      "params": _jsonable(model.get_params()), "fitted": fitted_report(model)},
            "effects": effects_report(analysis),
            "corpus": analysis.config.corpus.path,
            "inputs": _inputs(analysis),
            "metadata_audit": [asdict(note) for note in analysis.corpus.notes],
            "trends": {"weighting": analysis.config.trends.weight,
                       "excluded": [{"id": doc_id, "reason": reason} for doc_id, reason in excluded.items()],
                       "excluded_by_group": {group: analysis.group_excluded(group).rename(columns={"doc_id": "id"})
                                             .to_dict("records") for group in analysis.config.trends.by}},
            "counts": {"loaded": len(analysis.corpus), "skipped": len(analysis.corpus.skipped),
                       "in_trends": len(analysis.corpus) - len(excluded), "units": len(units),
                       "tokens": int(units["tokens"].map(len).sum())},
            "versions": library_versions(),
            "outputs": outputs,
            "kept": folder.kept,
            "not_made": not_made,
            "token_cache": analysis.tokenizer.cache_stats,
            "stage_cache_hits": analysis.cache.hits,
            "cache_notes": analysis.cache_notes,
            "timings_s": analysis.timings,
        }
        folder.write_manifest(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return manifest


def outputs_listing(outputs: Mapping[str, str]) -> str:
    """The ``outputs.sha256`` file: one ``<sha256>  <path>`` line per output, sorted (``sha256sum -c`` checks it).

    >>> print(outputs_listing({"b.png": "2" * 64, "tables/a.csv": "1" * 64}), end="")
    2222222222222222222222222222222222222222222222222222222222222222  b.png
    1111111111111111111111111111111111111111111111111111111111111111  tables/a.csv
    """
    return "".join(f"{digest}  {name}\n" for name, digest in sorted(outputs.items()))


class OutputError(AnalysisError):
    """The output folder holds files in the way that no earlier build wrote: nothing was changed."""


class OutputFolder:
    """A build's output folder, where only files this or an earlier build wrote are replaced or removed.

    Outputs are written to a hidden staging folder inside ``out`` (:meth:`staged`), then
    :meth:`commit` checks every one against what is there: a file at an output's path may be
    replaced only when the previous build's ``outputs.sha256`` (or, from an older build,
    ``manifest.json``) records it with its present SHA-256 (an earlier build wrote it and nobody
    changed it since) or when it already holds the new bytes. ``outputs.sha256`` holds nothing but
    the outputs' hashes, so it is the same from run to run and can be committed with the figures
    (``manifest.json``, with timings and cache counts, cannot): a fresh clone of a repository with
    its figures can rebuild them in place.
    Anything else in the way (your own file, one you edited, a link, a folder) stops the build
    with :class:`OutputError` naming each of them, before anything in ``out`` changes. An output
    of an earlier build that this one does not make is removed only when it still has the
    content that build wrote; an edited one stays and is listed in the manifest under ``kept``.
    Files are put in place by renaming, so a link at an output's path is never followed.
    """

    MANIFEST = "manifest.json"
    LISTING = "outputs.sha256"

    def __init__(self, out: str | Path):
        self.out = Path(out)
        self.kept: list[dict[str, str]] = []
        self._staged: dict[str, str] = {}
        self._staging: Path | None = None
        self.out.mkdir(parents=True, exist_ok=True)
        self.root = self.out.resolve()
        self.previous = self._previous_outputs()

    def __enter__(self) -> OutputFolder:
        self._staging = Path(tempfile.mkdtemp(prefix=".govtopics-staging-", dir=self.out))
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None

    def _previous_outputs(self) -> dict[str, str]:
        """The outputs (relative path -> SHA-256) the previous build recorded; a foreign record stops the build."""
        listing = self.out / self.LISTING
        if listing.exists() or listing.is_symlink():
            return self._listed_outputs(listing)
        path = self.out / self.MANIFEST
        if not path.exists() and not path.is_symlink():
            return {}
        if path.is_symlink() or not path.is_file():
            raise OutputError(f"{path} is a link or not a file: choose another output folder, or move it away")
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
            outputs = manifest["outputs"] if "govtopics_build" in manifest else None
        except (ValueError, TypeError, KeyError, OSError):
            outputs = None
        if not isinstance(outputs, dict) or not all(isinstance(v, str) for v in outputs.values()):
            raise OutputError(f"{path} is not a govtopics build's manifest: choose another output folder, or move it away")
        return {str(name): digest for name, digest in outputs.items() if self._inside(name)}

    def _listed_outputs(self, path: Path) -> dict[str, str]:
        lines = None
        if path.is_file() and not path.is_symlink():
            try:
                lines = [line.split("  ", 1) for line in path.read_text(encoding="utf-8").splitlines() if line]
            except (OSError, UnicodeDecodeError):
                lines = None
        if lines is None or not all(len(line) == 2 and re.fullmatch(r"[0-9a-f]{64}", line[0]) for line in lines):
            raise OutputError(f"{path} is not a govtopics build's list of outputs: choose another output folder, "
                              "or move it away")
        return {name: digest for digest, name in lines if self._inside(name)}

    def _inside(self, relative: str) -> bool:
        """``relative`` names a place under ``out`` through real folders (no ``..``, no absolute path, no link)."""
        parts = Path(relative).parts
        if not parts or Path(relative).is_absolute() or ".." in parts:
            return False
        parent = self.out.joinpath(*parts[:-1])
        return os.path.realpath(parent) == str(self.root.joinpath(*parts[:-1]))

    def _in_the_way(self, relative: str, new_digest: str | None = None) -> str | None:
        """Why the file at ``relative`` may not be replaced; None when it may (or there is none)."""
        if not self._inside(relative):
            return "lies behind a link or outside the folder"
        path = self.out / relative
        if path.is_symlink():
            return "is a link"
        if not path.exists():
            return None
        if not path.is_file():
            return "is not a file"
        digest = sha256_file(path)
        if digest == self.previous.get(relative) or digest == new_digest:
            return None
        return ("was changed since the build that wrote it" if relative in self.previous
                else "was not written by a govtopics build")

    @contextlib.contextmanager
    def staged(self, relative: str) -> Iterator[Path]:
        """A path in the staging folder to write the output ``relative`` to."""
        assert self._staging is not None, "use OutputFolder as a context manager"
        parts = Path(relative).parts
        if not parts or Path(relative).is_absolute() or ".." in parts:
            raise OutputError(f"an output named {relative!r} would lead outside {self.out}: not written")
        path = self._staging / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        yield path
        self._staged[relative] = sha256_file(path)

    def commit(self) -> dict[str, str]:
        """Check every staged output against the folder, then put them in place and remove stale outputs.

        Returns the outputs written (relative path -> SHA-256), sorted.
        """
        problems = [f"{name} {why}" for name, digest in sorted(self._staged.items())
                    if (why := self._in_the_way(name, digest))]
        if problems:
            shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
            raise OutputError(f"{self.out} holds files the build would replace: {shown}. Nothing was changed: move "
                              "them away or choose another output folder")
        assert self._staging is not None
        for name in sorted(self._staged):
            (self.out / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(self._staging / name, self.out / name)
        for name, digest in sorted(self.previous.items()):
            path = self.out / name
            if name in self._staged or not path.is_file() or path.is_symlink():
                continue
            if sha256_file(path) == digest:
                path.unlink()
            else:
                self.kept.append({"path": name, "reason": "changed since the build that wrote it: left in place"})
        return dict(sorted(self._staged.items()))

    def write_manifest(self, text: str) -> None:
        """Write ``manifest.json`` and ``outputs.sha256`` (by renaming, like every output)."""
        for name, content in ((self.LISTING, outputs_listing(self._staged)), (self.MANIFEST, text)):
            with self.staged(name) as path:
                path.write_text(content, encoding="utf-8")
            os.replace(path, self.out / name)


def _render(analysis: Analysis, name: str) -> dict[str, bytes]:
    """PNG bytes of each figure the registered figure ``name`` draws."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .plots import save_figure

    pngs = {}
    # A figure entry may draw one figure per pair of years (keyness): each is closed once saved.
    with plt.rc_context({"figure.max_open_warning": 0}):
        figures = analysis.figures(name)
    for file_name, figure in figures.items():
        with tempfile.TemporaryDirectory() as tmp:
            pngs[file_name] = save_figure(figure, Path(tmp) / "figure.png").read_bytes()
        plt.close(figure)
    return pngs


def fitted_report(model: Any) -> dict[str, Any]:
    """What a fitted model reports it ran: its public fitted attributes that are numbers, strings or short lists
    (``n_iter_``, ``labels_`` …), as JSON values.

    >>> class Fitted: pass
    >>> model = Fitted()
    >>> model.n_iter_, model.labels_, model.topic_word_, model._seen_ = np.int64(12), ["a", "b"], np.ones((50, 50)), 1
    >>> model.engine_info_ = {"engine": "tomotopy", "workers": 1}
    >>> fitted_report(model)
    {'engine_info_': {'engine': 'tomotopy', 'workers': 1}, 'labels_': ['a', 'b'], 'n_iter_': 12}
    """
    report = {}
    for name, value in sorted(vars(model).items()):
        if not name.endswith("_") or name.startswith("_"):
            continue
        if isinstance(value, np.ndarray) and value.size <= 100:
            value = value.tolist()
        if isinstance(value, np.generic):
            value = value.item()
        scalar = (bool, int, float, str, np.generic)
        if isinstance(value, (bool, int, float, str)):
            report[name] = value
        elif isinstance(value, (list, tuple)) and len(value) <= 100 and all(isinstance(v, scalar) for v in value):
            report[name] = _jsonable(list(value))
        elif isinstance(value, dict) and all(isinstance(v, scalar) for v in value.values()):
            report[name] = _jsonable(dict(value))
    return report


def effects_report(analysis: Analysis) -> dict[str, Any] | None:
    """What the effects fit: formula (and as fitted), covariance, clusters, reports, notes, reports left out; None when off."""
    fit = analysis.effects
    if fit is None:
        return None
    return {"formula": fit.formula, "fitted_formula": fit.fitted_formula, "description": fit.description,
            "terms": fit.terms, "cov_type": fit.cov_type, "n_clusters": fit.n_clusters, "n_reports": len(fit.reports),
            "n_draws": fit.n_draws, "notes": list(fit.notes),
            "excluded": fit.excluded.rename(columns={"doc_id": "id"}).to_dict("records")}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist()) if value.size <= 100 else None
    if isinstance(value, np.generic):
        return value.item()
    return value if value is None or isinstance(value, (bool, int, float, str)) else repr(value)


def _inputs(analysis: Analysis) -> list[dict[str, Any]]:
    """Every input file, loaded or skipped, with its hash and outcome; loaded ones left out of the trends say why."""
    roots = analysis.corpus_paths()
    excluded = analysis.trends_excluded
    rows = []
    for doc in analysis.corpus:
        if doc.path:
            row = {"path": relative_path(doc.path, roots), "sha256": sha256_file(Path(doc.path)), "status": "loaded",
                   "id": doc.id, "encoding": doc.encoding, "year": doc.year, "unit": doc.unit, "level": doc.level,
                   "places": list(doc.places), "issuer": doc.issuer, "genre": doc.genre, "period": doc.period,
                   "sources": dict(doc.meta.sources)}
            if doc.id in excluded:
                row["excluded_from_trends"] = excluded[doc.id]
            rows.append(row)
    for skipped in analysis.corpus.skipped:
        path = Path(skipped.path)
        digest = None  # not for a file the loading did not read: a link leading outside, one too large
        size = analysis.config.corpus.max_bytes
        if path.is_file() and inside_roots(path, roots) and (size is None or path.stat().st_size <= size):
            try:
                digest = sha256_file(path)
            except OSError:
                pass  # unreadable: its reason says so
        rows.append({"path": relative_path(skipped.path, roots), "sha256": digest, "status": "skipped",
                     "reason": skipped.reason})
    return sorted(rows, key=lambda r: r["path"])


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

import json
import tempfile
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from .analysis import Analysis, AnalysisError, StageCache, dask_client, relative_path, sha256_file
from .config import Config, load_config
from .outputs import FIGURES, FILES, TABLES, NotApplicable, write_table
from .provenance import library_versions

__all__ = ["build", "write_outputs", "load_config", "AnalysisError", "StageCache", "FIGURES", "FILES", "TABLES",
           "dask_client"]


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
    """Write every table, the configured figures and ``manifest.json`` of ``analysis`` under ``out``."""
    out = Path(out)
    written: list[Path] = []
    not_made: dict[str, str] = {}
    for name, table in TABLES.items():
        try:
            frames = table(analysis)
        except NotApplicable as why:
            not_made[f"tables/{name}.csv"] = str(why)
            continue
        for file_name, frame in (frames.items() if isinstance(frames, Mapping) else [(name, frames)]):
            path = out / "tables" / f"{file_name}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            written.append(write_table(frame, path))
    with analysis.timed("figures"):
        for name in analysis.config.figures.which:
            try:
                pngs = analysis.cache.get("figure", analysis.output_key(name), lambda name=name: _render(analysis, name))
            except NotApplicable as why:
                not_made[f"{name}.png"] = str(why)
                continue
            for file_name, data in pngs.items():
                path = out / f"{file_name}.png"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                written.append(path)
    with analysis.timed("files"):
        for name, make in FILES.items():
            try:
                content = analysis.cache.get("file", analysis.output_key(name), lambda make=make: make(analysis))
            except NotApplicable as why:
                not_made[name] = str(why)
                continue
            path = out / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, str):
                path.write_text(content, encoding="utf-8")
            else:
                path.write_bytes(content)
            written.append(path)
    _remove_stale(out, written)

    units, model = analysis.units, analysis.model
    recommended, rule = analysis.k_rule
    excluded = analysis.trends_excluded
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
        "outputs": {p.relative_to(out).as_posix(): sha256_file(p) for p in sorted(written)},
        "not_made": not_made,
        "token_cache": analysis.tokenizer.cache_stats,
        "stage_cache_hits": analysis.cache.hits,
        "timings_s": analysis.timings,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


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


def _remove_stale(out: Path, written: list[Path]) -> None:
    """Remove outputs an earlier build made that this one did not: those its manifest lists, and any
    file named after a registered table or figure. Other files in ``out`` are left alone."""
    candidates = ({out / "tables" / f"{name}.csv" for name in TABLES} | {out / f"{name}.png" for name in FIGURES}
                  | {out / name for name in FILES})
    previous = out / "manifest.json"
    if previous.is_file():
        try:
            candidates |= {out / name for name in json.loads(previous.read_text(encoding="utf-8"))["outputs"]}
        except (ValueError, KeyError, TypeError):
            pass  # not a manifest this build can read: only the registered names are removed
    for path in sorted(candidates - set(written)):
        if path.is_file() and path.resolve().is_relative_to(out.resolve()):
            path.unlink()


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
        digest = None
        if path.is_file():
            try:
                digest = sha256_file(path)
            except OSError:
                pass  # unreadable: its reason says so
        rows.append({"path": relative_path(skipped.path, roots), "sha256": digest, "status": "skipped",
                     "reason": skipped.reason})
    return sorted(rows, key=lambda r: r["path"])


"""One configuration for an analysis: every default in one place, validated once.

A :class:`Config` holds eleven sections (``corpus``, ``tokens``, ``model``, ``trends``, ``effects``,
``keywords``, ``passages``, ``explorer``, ``validation``, ``figures``, ``outputs``). Its defaults are gathered
here from the functions that use them: the ``model`` section from the registered estimator's
``get_params()`` (and :func:`~govtopics.models.scan_k`'s keyword defaults), ``corpus`` from
:func:`~govtopics.reading.load_corpus`, ``trends`` from :func:`~govtopics.trends.topic_prevalence`,
``effects`` from :func:`~govtopics.effects.estimate_effects`, ``passages`` and ``explorer`` from
:func:`~govtopics.explorer.explore`, ``validation`` from :func:`~govtopics.validation.intrusion_test`, ``outputs`` from
:func:`~govtopics.outputs.write_table`;
only the choices no library function makes (the corpus path, K, the years, the groups, the effects
formula and its clusters, which figures) are written here. The repository's ``govtopics.toml``
lists exactly these defaults (a test checks it), so a build, a CLI command without
``--config`` and a notebook that reads the file all make the same analysis.

Settings come from the defaults, then a TOML file, then keyword overrides (``model={"k": 7}``);
unknown sections and keys are errors, so a typo is never silently ignored. Paths in a TOML
file are relative to the file's folder.

>>> config = Config(model={"k": 7})
>>> config.model.k, config["model"]["k"], config.model.name
(7, 7, 'lda')
>>> Config(model={"topics": 7})
Traceback (most recent call last):
govtopics.config.ConfigError: unknown config key model.topics; known: name, k, k_range, seeds, ...
"""

from __future__ import annotations

import copy
import inspect
import json
import os
import tomllib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

__all__ = ["Config", "ConfigError", "Section", "load_config", "defaults"]

SECTIONS = ("corpus", "tokens", "model", "trends", "effects", "keywords", "passages", "explorer", "validation", "figures",
            "outputs")
# Keys of the model section that are not the estimator's parameters.
MODEL_KEYS = ("name", "k", "k_range", "codebook")
# Keys whose values are paths: relative ones in a TOML file are taken from the file's folder.
PATH_KEYS = {("corpus", "path"), ("corpus", "metadata"), ("tokens", "extra_stopword_files"), ("tokens", "user_dicts"),
             ("model", "codebook")}
# Columns a trends.by group may not name: the year is every prevalence table's own axis, and the
# report parts have their table and figure (topic_prevalence_by_part).
NOT_GROUPS = ("year", "part")


class ConfigError(ValueError):
    """A configuration section, key or value that is not valid; the message names it."""


def _plain(value: Any) -> Any:
    """Tuples as lists, paths as strings: the values TOML and JSON hold."""
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return value


def _signature_defaults(func: Callable[..., Any], *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Keyword parameters of ``func`` with a TOML-able default (None included), in signature order."""
    out = {}
    for name, param in inspect.signature(func).parameters.items():
        default = param.default
        if name in skip or default is inspect.Parameter.empty:
            continue
        if default is None or isinstance(default, (bool, int, float, str, tuple, list)):
            out[name] = _plain(default)
    return out


def model_defaults(name: str) -> dict[str, Any]:
    """The ``model`` section for the registered model ``name``: K, the scan's options and the estimator's parameters.

    >>> model_defaults("lda")["k"], model_defaults("lda")["seeds"]
    ('auto', [1, 2, 3])
    """
    from .models import MODELS

    estimator = MODELS.get_or_raise(name)()
    # K and the seeded model's seed words come from model.k and model.codebook, not from estimator keys.
    params = {key: _plain(value) for key, value in estimator.get_params().items()
              if key not in ("num_topics", "seed_words")}
    scan = _scan_defaults()
    clash = sorted(set(params) & (set(scan) | set(MODEL_KEYS)))
    if clash:
        raise ConfigError(f"model {name!r} has parameters named like scan options or {MODEL_KEYS}: {clash}")
    return {"name": name, "k": "auto", "k_range": "auto", **scan, "codebook": "", **params}


def _scan_defaults() -> dict[str, Any]:
    from .models import scan_k

    # ks is model.k_range; the units' reports, a progress bar and a timing list are data, not settings.
    return _signature_defaults(scan_k, skip=("model", "fitted", "ks", "groups", "fit_seconds", "progress"))


def scan_keys() -> list[str]:
    """Keys of the ``model`` section that are options of :func:`~govtopics.models.scan_k`."""
    return list(_scan_defaults())


def defaults(model: str = "lda") -> dict[str, dict[str, Any]]:
    """Every default setting, by section (the ``model`` section for the registered model ``model``)."""
    from .effects import estimate_effects
    from .explorer import explore
    from .features import consecutive_keyness, tfidf_keywords
    from .outputs import FIGURES, write_table
    from .passages import representative_passages
    from .reading import load_corpus
    from .stopwords import Stopwords
    from .tokenizing import Tokenizer
    from .trends import topic_prevalence
    from .validation import intrusion_test

    tokenizer = _signature_defaults(Tokenizer)
    explorer = _signature_defaults(explore)
    return {
        "corpus": {"path": "seeds", **_signature_defaults(load_corpus), "min_year": None, "max_year": None},
        "tokens": {
            "backend": tokenizer["backend"],
            "layers": _plain(inspect.signature(Stopwords).parameters["layers"].default),
            "extra_stopword_files": [],
            "extra_stopwords": [],
            "user_dicts": [],
            "pos": False,
            "phrases": False,
            "cache": tokenizer["cache"],
            "n_jobs": tokenizer["n_jobs"],
            "dask": "",
        },
        "model": model_defaults(model),
        "trends": {**_signature_defaults(topic_prevalence, skip=("labels", "by")), "by": [], "terms": []},
        # Off until a formula is given; clustered by the issuing government (places and unit), not the unit's
        # bare name, which two cities' 司法局 share.
        "effects": {**_signature_defaults(estimate_effects, skip=("labels",)), "formula": "", "cluster": "issuer",
                    "periods": []},
        "keywords": {"top": _signature_defaults(tfidf_keywords)["top"],
                     "min_count": _signature_defaults(consecutive_keyness)["min_count"]},
        "passages": {"n": _signature_defaults(representative_passages)["n"],
                     "n_per_year": explorer["n_passages_per_year"], "min_tokens": explorer["min_tokens"]},
        "explorer": {"n_terms": explorer["n_terms"], "lambda": explorer["lambda_"], "max_chars": explorer["max_chars"]},
        "validation": _signature_defaults(intrusion_test, skip=("units", "topics")),
        "figures": {"which": list(FIGURES)},
        "outputs": {"csv_guard": _signature_defaults(write_table)["guard"]},
    }


class Section(Mapping[str, Any]):
    """One read-only section of a :class:`Config`: ``section["k"]`` or ``section.k``."""

    def __init__(self, name: str, values: dict[str, Any]):
        self._name, self._values = name, values

    def __getitem__(self, key: str) -> Any:
        return copy.deepcopy(self._values[key])  # a list handed out cannot change the configuration

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(f"config section [{self._name}] has no key {key!r}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Section({self._name!r}, {self._values!r})"


class Config(Mapping[str, Section]):
    """Every setting of an analysis, validated: the defaults, then ``overrides`` by section.

    Read-only; :meth:`replace` gives a changed copy. ``Config()`` is the configuration of
    ``govtopics.toml``; :meth:`from_toml` reads another file.

    >>> Config(trends={"n_boot": 200}).replace(model={"k": 5}).trends.n_boot
    200
    """

    def __init__(self, **overrides: Mapping[str, Any]):
        self._data = _apply(defaults(_model_name(overrides, "lda")), [overrides])

    @classmethod
    def from_toml(cls, path: str | Path, **overrides: Mapping[str, Any]) -> Config:
        """The defaults, then the TOML file at ``path``, then ``overrides``."""
        path = Path(path)
        try:
            with open(path, "rb") as handle:
                data = tomllib.load(handle)
        except FileNotFoundError:
            raise ConfigError(f"no such config file: {path}") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path} is not valid TOML: {error}") from None
        written = {(section, key): values[key] for section, values in data.items() if isinstance(values, dict)
                   for key in values if (section, key) in PATH_KEYS}
        for section, values in data.items():
            for key, value in (values.items() if isinstance(values, dict) else ()):
                if (section, key) in PATH_KEYS:
                    values[key] = _relative_to(path.parent, value)
        _stays_in_its_corpus(path, data, written)
        config = cls.__new__(cls)
        config._data = _apply(defaults(_model_name(data, "lda")), [data], source=str(path))
        return config.replace(**overrides) if overrides else config

    def replace(self, **overrides: Mapping[str, Any]) -> Config:
        """A copy with ``overrides`` (``section={key: value}``) applied.

        A new ``model.name`` starts from that model's defaults and keeps the values the user set (those that
        differ from the old model's defaults) of the parameters both models have (``no_below``,
        ``random_state`` …); a parameter left at the old model's default takes the new model's default
        (``max_iter`` counts Gibbs sweeps for LDA and solver iterations for NMF).

        >>> Config().replace(model={"name": "nmf"}).model.no_below == Config().model.no_below
        True
        """
        data = copy.deepcopy(self._data)
        name = _model_name(overrides, data["model"]["name"])
        if name != data["model"]["name"]:
            fresh, old = defaults(name)["model"], defaults(data["model"]["name"])["model"]
            data["model"] = {key: name if key == "name" else data["model"][key]
                             if key in data["model"] and data["model"][key] != old.get(key) else value
                             for key, value in fresh.items()}
        config = Config.__new__(Config)
        config._data = _apply(data, [overrides])
        return config

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """A deep copy as plain dicts and lists (JSON- and TOML-able)."""
        return copy.deepcopy(self._data)

    def to_toml(self) -> str:
        """The configuration as TOML text (keys whose value is None are written as comments).

        >>> Config().to_toml().splitlines()[:2]
        ['[corpus]', 'path = "seeds"']
        """
        lines = []
        for section, values in self._data.items():
            lines.append(f"[{section}]")
            for key, value in values.items():
                lines.append(f"# {key} (unset)" if value is None else f"{key} = {_toml_value(value)}")
            lines.append("")
        return "\n".join(lines)

    def __getitem__(self, section: str) -> Section:
        return Section(section, self._data[section])

    def __getattr__(self, section: str) -> Section:
        if section.startswith("_") or section not in SECTIONS:
            raise AttributeError(section)
        return self[section]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Config) and self._data == other._data

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Config({json.dumps(self._data, ensure_ascii=False)})"


def load_config(path: str | Path | None = None, **overrides: Mapping[str, Any]) -> Config:
    """:meth:`Config.from_toml` for a path, else ``Config(**overrides)``.

    >>> load_config(model={"k": 5})["model"]["k"]
    5
    """
    return Config.from_toml(path, **overrides) if path is not None else Config(**overrides)


def _model_name(layer: Mapping[str, Any], default: str) -> str:
    model = layer.get("model") or {}
    name = model.get("name", default) if isinstance(model, Mapping) else default
    from .models import MODELS

    try:
        MODELS.get_or_raise(name)
    except ValueError as error:
        raise ConfigError(f"model.name: {error}") from None
    return name


def _stays_in_its_corpus(toml: Path, data: Mapping[str, Any], written: Mapping[tuple[str, str], Any]) -> None:
    """A config file inside a corpus folder it reads came with that corpus: every path it names must stay in that folder.

    Such a file is as untrusted as the reports beside it, so its ``metadata``, ``user_dicts`` and
    ``extra_stopword_files`` (and other corpus paths) may not lead out of the folder with ``..``, an
    absolute path or a link. A config kept elsewhere is the researcher's own and may name any path.
    """
    def listed(value: Any) -> list[str]:
        return [value] if isinstance(value, str) else [v for v in (value or []) if isinstance(v, str)]

    here = toml.resolve().parent
    corpus = [Path(p).resolve() for p in listed(data.get("corpus", {}).get("path")) if Path(p).is_dir()]
    home = next((folder for folder in corpus if here.is_relative_to(folder)), None)
    if home is None:
        return
    for (section, key), value in sorted(written.items()):
        for given, absolute in zip(listed(value), listed(data[section][key])):
            if not Path(absolute).resolve().is_relative_to(home):
                raise ConfigError(f"{toml}: {section}.{key} = {given!r} leads outside the corpus folder {home}, which "
                                  "holds this config file: a config that comes with a corpus may name only files in "
                                  "it (move the file out of the corpus folder if you wrote it yourself)")


def _relative_to(folder: Path, value: Any) -> Any:
    if isinstance(value, list):
        return [_relative_to(folder, v) for v in value]
    if isinstance(value, str) and value and not os.path.isabs(value):
        return os.path.normpath(folder / value)
    return value


def _apply(data: dict[str, dict[str, Any]], layers: list[Mapping[str, Any]], source: str = "") -> dict[str, dict[str, Any]]:
    """``layers`` written over ``data`` key by key, every key and value checked."""
    where = f" in {source}" if source else ""
    defaults_ = copy.deepcopy(data)
    for layer in layers:
        for section, values in layer.items():
            if section not in data:
                raise ConfigError(f"unknown config section [{section}]{where}; known: {', '.join(data)}")
            if not isinstance(values, Mapping):
                raise ConfigError(f"config section [{section}]{where} must be a table of keys, not {values!r}")
            for key, value in values.items():
                if key not in data[section]:
                    known = ", ".join(list(data[section])[:4]) + (", ..." if len(data[section]) > 4 else "")
                    raise ConfigError(f"unknown config key {section}.{key}{where}; known: {known}")
                data[section][key] = _check(section, key, _plain(value), defaults_[section][key])
    return data


def _check(section: str, key: str, value: Any, default: Any) -> Any:
    """``value`` when it suits ``section.key``, else a ConfigError saying what is expected."""
    from .models import MODELS
    from .outputs import FIGURES
    from .segmenting import ENGINES
    from .stopwords import STOPWORD_LAYERS

    def fail(expected: str) -> ConfigError:
        return ConfigError(f"config key {section}.{key} must be {expected}, not {value!r}")

    # The registries as they are now, so that a registered engine, model, layer or figure is a valid choice.
    choices = {("tokens", "backend"): tuple(ENGINES), ("model", "name"): tuple(MODELS)}
    members = {("tokens", "layers"): tuple(STOPWORD_LAYERS), ("figures", "which"): tuple(FIGURES)}
    if (section, key) in choices:
        if value not in choices[section, key]:
            raise fail(f"one of {', '.join(choices[section, key])}")
    elif (section, key) in members:
        if not isinstance(value, list) or any(v not in members[section, key] for v in value):
            raise fail(f"a list drawn from {', '.join(members[section, key])}")
    elif (section, key) == ("model", "k"):
        if value != "auto" and not (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
            raise fail('"auto" or a whole number >= 1')
    elif (section, key) == ("model", "k_range"):
        if value != "auto" and not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)
                and 1 <= value[0] <= value[1]):
            raise fail('"auto" or [lowest, highest] whole numbers with 1 <= lowest <= highest')
    elif (section, key) == ("corpus", "path"):
        if not (isinstance(value, str) or (isinstance(value, list) and value and all(isinstance(v, str) for v in value))):
            raise fail("a file or folder, or a list of them")
    elif (section, key) in (("corpus", "min_year"), ("corpus", "max_year")):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise fail("a year (a whole number)")
    elif (section, key) == ("tokens", "pos"):
        if not isinstance(value, (bool, list)):
            raise fail("true, false or a list of jieba tags")
    elif (section, key) == ("model", "codebook"):
        if not isinstance(value, str):
            raise fail('the path of a codebook TOML file, the name of a shipped one, or "" (no codebook)')
    elif (section, key) == ("corpus", "metadata"):
        if value is not None and not isinstance(value, str):
            raise fail("the path of a metadata table (CSV or .xlsx)")
    elif (section, key) == ("corpus", "near_duplicate"):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1):
            raise fail("a similarity in (0, 1]")
    elif (section, key) == ("trends", "weight"):
        from .trends import WEIGHTINGS

        if value not in WEIGHTINGS:
            raise fail(f"one of {', '.join(WEIGHTINGS)}")
    elif (section, key) == ("trends", "by"):
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value) or len(set(value)) < len(value):
            raise fail("a list of distinct column names, e.g. [\"level\"]")
        if set(value) & set(NOT_GROUPS):
            raise fail(f"columns other than {' and '.join(NOT_GROUPS)} (every prevalence table is by year; "
                       "the parts have topic_prevalence_by_part)")
    elif (section, key) == ("effects", "year_df"):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise fail("a whole number >= 1 (unset: about one per four years)")
    elif (section, key) == ("effects", "periods"):
        pairs = isinstance(value, list) and all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(y, int) and not isinstance(y, bool) for y in p)
            and p[0] <= p[1] for p in value)
        if not pairs:
            raise fail("a list of [first, last] years, e.g. [[2013, 2017], [2018, 2022]]")
    elif (section, key) == ("explorer", "lambda"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise fail("a number in [0, 1]")
    elif default is not None and value is not None and (section != "model" or key in scan_keys()):
        # Estimator parameters are checked by the estimator; the rest by the type of their default.
        kinds = {bool: (bool,), int: (int,), float: (int, float), str: (str,), list: (list,)}[type(default)]
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise fail(f"of type {type(default).__name__}")
    return value


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise ConfigError(f"{value!r} cannot be written as TOML")

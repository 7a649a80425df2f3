"""Results on disk that load without running code: the stage cache's file format.

A pickle runs whatever code its file names, so a cache entry someone else wrote (a shared or
copied cache folder, a file swapped on disk) could run code as you. :func:`dumps` writes data
instead: a JSON tree of plain values, with every NumPy array in NumPy's own ``.npy`` format,
read back with ``np.load(allow_pickle=False)``. Besides JSON's own values it holds tuples, sets,
bytes, NumPy arrays, scalars and dtypes, pandas frames, series and indexes (numeric,
string, nullable integer, boolean and categorical columns, with ``attrs``), and instances of the
classes named in :data:`ALLOWED`, whose state is their attributes. Loading makes an instance
as pickle does (the class's ``__new__``, then ``__setstate__`` or its ``__dict__``) but only of
those classes, and calls nothing else: no name in a file can reach any other function.

Each file starts with a SHA-256 of its body, so a damaged or truncated file is
:class:`DamagedEntry`, never half-read.

>>> import pandas as pd
>>> frame = pd.DataFrame({"word": ["普法", None], "n": [3, 4]}).astype({"n": "Int64"})
>>> back = loads(dumps({"table": frame, "shape": (2, 2)}))
>>> back["table"].equals(frame), back["shape"]
(True, (2, 2))
>>> loads(dumps([1.5, b"\\x00", {"a"}]))
[1.5, b'\\x00', {'a'}]
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import io
import json
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ALLOWED", "DamagedEntry", "Unstorable", "dumps", "loads"]

MAGIC = b"govtopics-store 1\n"

# Classes whose instances may be stored: the stages' own results and the fitted models' parts.
# A file naming any other class is damaged, not obeyed.
ALLOWED = frozenset({
    "govtopics.reading.Corpus", "govtopics.reading.Document", "govtopics.reading.Skipped",
    "govtopics.metadata.Metadata", "govtopics.metadata.AuditNote",
    "govtopics.structure.Section", "govtopics.structure.Unit",
    "govtopics.cleaning.CleanResult", "govtopics.cleaning.Removal",
    "govtopics.models.LdaTopics", "govtopics.models.NmfTopics", "govtopics.seeded.SeededTopics",
    "govtopics.codebook.Codebook", "govtopics.codebook.Concept",
    "govtopics.effects.TopicEffects",
    "gensim.models.ldamodel.LdaModel", "gensim.models.ldamulticore.LdaMulticore", "gensim.models.ldamodel.LdaState",
    "gensim.corpora.dictionary.Dictionary",
    "sklearn.decomposition._nmf.NMF",
    "sklearn.feature_extraction.text.TfidfVectorizer", "sklearn.feature_extraction.text.TfidfTransformer",
})
# Types that may appear as values (an estimator's ``dtype=np.float64``, a vectorizer's ``analyzer=list``).
_TYPES = {f"{t.__module__}.{t.__qualname__}": t for t in (
    int, float, str, bool, complex, list, tuple, dict, set, frozenset, np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64,
    np.uint8, np.uint16, np.uint32, np.uint64, np.bool_, np.complex64, np.complex128)}
_MASKED = ("Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64", "Float32", "Float64", "boolean")
# Strings at least this long are stored once however often they are referred to (a report's text, its cleaned copy).
_SHARED_STR = 64


class DamagedEntry(ValueError):
    """A stored file that is truncated, altered, or names something it may not: never used."""


class Unstorable(TypeError):
    """A value holding something this format cannot store (it is then computed again each time)."""


# Classes stored by functions of their own: (state of an instance, instance from a state).
_CUSTOM: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {}


def _random_state(state: Any) -> np.random.RandomState:
    generator = np.random.RandomState()
    generator.set_state(tuple(state))
    return generator


_CUSTOM["numpy.random.mtrand.RandomState"] = (lambda r: list(r.get_state()), _random_state)


def _effects_state(fit: Any) -> dict[str, Any]:
    """A TopicEffects without its formulaic model spec, which is made again from the formula and the reports."""
    return {f.name: getattr(fit, f.name) for f in dataclasses.fields(fit) if f.name != "spec"}


def _effects(state: dict[str, Any]) -> Any:
    import warnings

    import formulaic

    from .effects import TopicEffects

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=FutureWarning)
        spec = formulaic.model_matrix(state["fitted_formula"], state["reports"], na_action="raise").model_spec
    return TopicEffects(**state, spec=spec)


_CUSTOM["govtopics.effects.TopicEffects"] = (_effects_state, _effects)


def dumps(value: Any) -> bytes:
    """``value`` as the bytes of one stored file (raises :class:`Unstorable` for what the format cannot hold)."""
    encoder = _Encoder()
    text = json.dumps(encoder.encode(value), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    tree = text.encode("utf-8", "surrogatepass")
    body = b"".join([len(tree).to_bytes(8, "little"), tree, *encoder.blobs])
    header = json.dumps({"sha256": hashlib.sha256(body).hexdigest(), "size": len(body),
                         "arrays": [len(b) for b in encoder.blobs]}).encode("ascii")
    return MAGIC + header + b"\n" + body


def loads(data: bytes) -> Any:
    """The value stored by :func:`dumps`; :class:`DamagedEntry` for bytes that are not exactly such a file."""
    if not data.startswith(MAGIC):
        raise DamagedEntry("not a govtopics store file")
    end = data.find(b"\n", len(MAGIC))
    try:
        header = json.loads(data[len(MAGIC):end])
        expected, size, sizes = str(header["sha256"]), int(header["size"]), [int(n) for n in header["arrays"]]
    except (ValueError, KeyError, TypeError):
        raise DamagedEntry("its header is damaged") from None
    body = memoryview(data)[end + 1:]
    if len(body) != size:
        raise DamagedEntry(f"truncated or extended: {len(body)} bytes where {size} were written")
    if hashlib.sha256(body).hexdigest() != expected:
        raise DamagedEntry("its content does not match its SHA-256")
    length = int.from_bytes(body[:8], "little")
    offsets = np.cumsum([8 + length, *sizes]).tolist()
    blobs = [body[start:stop] for start, stop in zip(offsets[:-1], offsets[1:])]
    try:
        return _Decoder(blobs).decode(json.loads(bytes(body[8:8 + length]).decode("utf-8", "surrogatepass")))
    except DamagedEntry:
        raise
    except Exception as error:  # noqa: BLE001 - anything a damaged tree can raise: the entry is not used
        raise DamagedEntry(f"unreadable ({type(error).__name__}: {error})") from None


def _qualname(kind: type) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"


class _Encoder:
    """Plain values as themselves; everything else as ``{"$": kind, ...}``; arrays to :attr:`blobs`."""

    def __init__(self) -> None:
        self.blobs: list[bytes] = []
        self.seen: dict[int, tuple[int, Any]] = {}  # id -> (reference number, object kept alive)

    def array(self, values: np.ndarray) -> int:
        if values.dtype.hasobject:
            raise Unstorable("an object array reached the array writer")
        buffer = io.BytesIO()
        np.save(buffer, values, allow_pickle=False)
        self.blobs.append(buffer.getvalue())
        return len(self.blobs) - 1

    def shared(self, value: Any, make: Callable[[], dict[str, Any]]) -> Any:
        """``value`` stored once: later references to the same object are ``{"$": "ref"}``."""
        known = self.seen.get(id(value))
        if known is not None:
            return {"$": "ref", "i": known[0]}
        number = len(self.seen)
        self.seen[id(value)] = (number, value)
        return {**make(), "id": number}

    def encode(self, value: Any) -> Any:
        if value is None or type(value) in (bool, int):
            return value
        if type(value) is float:
            return value if math.isfinite(value) else {"$": "float", "v": repr(value)}
        if type(value) is str:
            return value if len(value) < _SHARED_STR else self.shared(value, lambda: {"$": "str", "v": value})
        if type(value) is list:
            return [self.encode(v) for v in value]
        if type(value) is tuple:
            return {"$": "tuple", "v": [self.encode(v) for v in value]}
        if type(value) is dict:
            return {"$": "dict", "v": [[self.encode(k), self.encode(v)] for k, v in value.items()]}
        if type(value) in (set, frozenset):
            return {"$": type(value).__name__, "v": [self.encode(v) for v in value]}
        if type(value) is bytes:
            return {"$": "bytes", "a": self.array(np.frombuffer(value, dtype=np.uint8))}
        if isinstance(value, np.ndarray):
            return self.shared(value, lambda: self.ndarray(value))
        if isinstance(value, np.generic):
            return {"$": "scalar", "dtype": _dtype_name(value.dtype), "a": self.array(np.asarray(value))}
        if isinstance(value, np.dtype):
            return {"$": "dtype", "v": _dtype_name(value)}
        if isinstance(value, type):
            name = _qualname(value)
            if name not in _TYPES:
                raise Unstorable(f"the type {name} as a value")
            return {"$": "type", "v": name}
        if isinstance(value, pd.DataFrame):
            return self.shared(value, lambda: self.frame(value))
        if isinstance(value, pd.Series):
            return {"$": "series", "v": self.column(value.array), "index": self.index(value.index),
                    "name": self.encode(value.name), "attrs": self.encode(dict(value.attrs))}
        if isinstance(value, pd.Index):
            return self.index(value)
        name = _qualname(type(value))
        if name in _CUSTOM:
            return self.shared(value, lambda: {"$": "custom", "type": name, "v": self.encode(_CUSTOM[name][0](value))})
        if name in ALLOWED:
            return self.shared(value, lambda: {"$": "obj", "type": name, "v": self.encode(_state_of(value))})
        raise Unstorable(f"a {name} (not one of the stored classes)")

    def ndarray(self, values: np.ndarray) -> dict[str, Any]:
        if values.dtype.hasobject:
            return {"$": "objarray", "shape": list(values.shape), "v": [self.encode(v) for v in values.ravel().tolist()]}
        return {"$": "array", "a": self.array(values)}

    def column(self, values: Any) -> dict[str, Any]:
        """One column's values, keeping its pandas dtype."""
        dtype = values.dtype
        if isinstance(dtype, pd.StringDtype):
            na = "nan" if dtype.na_value is np.nan else "NA"
            return {"$": "strings", "storage": dtype.storage, "na": na,
                    "v": [None if pd.isna(v) else str(v) for v in values]}
        if isinstance(dtype, pd.CategoricalDtype):
            return {"$": "categorical", "codes": self.array(np.asarray(values.codes)),
                    "categories": self.index(dtype.categories), "ordered": bool(dtype.ordered)}
        if str(dtype) in _MASKED:
            numpy_dtype = dtype.numpy_dtype
            data = values.to_numpy(dtype=numpy_dtype, na_value=numpy_dtype.type(0))
            return {"$": "masked", "dtype": str(dtype), "data": self.array(data),
                    "mask": self.array(np.asarray(values.isna(), dtype=bool))}
        if isinstance(values, pd.arrays.NumpyExtensionArray) or isinstance(dtype, np.dtype):
            return self.ndarray(np.asarray(values))
        raise Unstorable(f"a pandas column of dtype {dtype}")

    def index(self, index: pd.Index) -> dict[str, Any]:
        if type(index) is pd.RangeIndex:
            return {"$": "range", "start": index.start, "stop": index.stop, "step": index.step,
                    "name": self.encode(index.name)}
        if isinstance(index, pd.MultiIndex):
            return {"$": "multiindex", "levels": [self.column(index.get_level_values(i).array)
                                                  for i in range(index.nlevels)],
                    "names": [self.encode(n) for n in index.names]}
        return {"$": "index", "v": self.column(index.array), "name": self.encode(index.name)}

    def frame(self, frame: pd.DataFrame) -> dict[str, Any]:
        return {"$": "frame", "columns": self.index(frame.columns), "index": self.index(frame.index),
                "v": [self.column(frame.iloc[:, i].array) for i in range(frame.shape[1])],
                "attrs": self.encode(dict(frame.attrs))}


def _dtype_name(dtype: np.dtype) -> str:
    if dtype.hasobject or dtype.fields is not None:
        raise Unstorable(f"a NumPy dtype {dtype}")
    return dtype.str


def _state_of(value: Any) -> Any:
    """What pickle would store for ``value``: its ``__getstate__()`` (by default its attributes)."""
    state = value.__getstate__()
    state = {} if state is None else state
    if not isinstance(state, dict) and _setstate(type(value)) is None:
        raise Unstorable(f"a {_qualname(type(value))} whose state is not its attributes")
    return state


def _setstate(kind: type) -> Callable[..., Any] | None:
    """The class's own ``__setstate__``, if it has one."""
    return getattr(kind, "__setstate__", None)


class _Decoder:
    """Values back from the tree; classes only from :data:`ALLOWED`, arrays only without pickle."""

    def __init__(self, blobs: list[memoryview]):
        self.blobs = blobs
        self.refs: dict[int, Any] = {}

    def array(self, index: Any) -> np.ndarray:
        return np.load(io.BytesIO(self.blobs[int(index)]), allow_pickle=False)

    def keep(self, node: dict[str, Any], value: Any) -> Any:
        """``value``, remembered under the node's reference number when later nodes refer to it."""
        if "id" in node:
            self.refs[int(node["id"])] = value
        return value

    def decode(self, node: Any) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self.decode(v) for v in node]
        if not isinstance(node, dict):
            raise DamagedEntry(f"unexpected {type(node).__name__} in the tree")
        kind = node.get("$")
        if kind == "ref":
            return self.refs[int(node["i"])]
        if kind == "float":
            return float(node["v"]) if node["v"] in ("nan", "inf", "-inf") else _bad(node)
        if kind == "str":
            return self.keep(node, str(node["v"]))
        if kind == "tuple":
            return tuple(self.decode(v) for v in node["v"])
        if kind == "dict":
            return {self.decode(k): self.decode(v) for k, v in node["v"]}
        if kind in ("set", "frozenset"):
            return (set if kind == "set" else frozenset)(self.decode(v) for v in node["v"])
        if kind == "bytes":
            return self.array(node["a"]).tobytes()
        if kind == "array":
            return self.keep(node, self.array(node["a"]))
        if kind == "objarray":
            items = [self.decode(v) for v in node["v"]]
            out = np.empty(len(items), dtype=object)
            for i, item in enumerate(items):
                out[i] = item
            return self.keep(node, out.reshape([int(n) for n in node["shape"]]))
        if kind == "scalar":
            value = self.array(node["a"])
            if value.shape != () or value.dtype.str != node["dtype"]:
                return _bad(node)
            return value[()]
        if kind == "dtype":
            dtype = np.dtype(str(node["v"]))
            return dtype if not dtype.hasobject and dtype.fields is None else _bad(node)
        if kind == "type":
            return _TYPES[node["v"]] if node["v"] in _TYPES else _bad(node)
        if kind in ("frame", "series", "index", "range", "multiindex"):
            return self.pandas(node)
        if kind == "custom":
            name = node["type"]
            if name not in _CUSTOM:
                return _bad(node)
            return self.keep(node, _CUSTOM[name][1](self.decode(node["v"])))
        if kind == "obj":
            return self.instance(node)
        return _bad(node)

    def instance(self, node: dict[str, Any]) -> Any:
        name = node["type"]
        if name not in ALLOWED:
            raise DamagedEntry(f"it names the class {name!r}, which is never stored")
        module, _, qualname = name.rpartition(".")
        kind = getattr(importlib.import_module(module), qualname)
        value = self.keep(node, kind.__new__(kind))
        state = self.decode(node["v"])
        if _setstate(kind) is not None:
            value.__setstate__(state)
        elif isinstance(state, dict):
            value.__dict__.update(state)
        else:
            return _bad(node)
        return value

    def column(self, node: dict[str, Any]) -> Any:
        kind = node.get("$")
        if kind == "strings":
            if node["storage"] not in ("python", "pyarrow") or node["na"] not in ("nan", "NA"):
                return _bad(node)
            dtype = pd.StringDtype(node["storage"], na_value=np.nan if node["na"] == "nan" else pd.NA)
            return pd.array([None if v is None else str(v) for v in node["v"]], dtype=dtype)
        if kind == "categorical":
            return pd.Categorical.from_codes(self.array(node["codes"]), categories=self.pandas(node["categories"]),
                                             ordered=bool(node["ordered"]))
        if kind == "masked":
            if node["dtype"] not in _MASKED:
                return _bad(node)
            dtype = pd.api.types.pandas_dtype(node["dtype"])
            return dtype.construct_array_type()(self.array(node["data"]), self.array(node["mask"]))
        if kind in ("array", "objarray"):
            values = self.decode(node)
            return values if values.ndim == 1 else _bad(node)
        return _bad(node)

    def pandas(self, node: dict[str, Any]) -> Any:
        kind = node["$"]
        if kind == "range":
            return pd.RangeIndex(int(node["start"]), int(node["stop"]), int(node["step"]), name=self.decode(node["name"]))
        if kind == "index":
            values = self.column(node["v"])
            return pd.Index(values, name=self.decode(node["name"]), dtype=values.dtype, copy=False)
        if kind == "multiindex":
            return pd.MultiIndex.from_arrays([self.column(level) for level in node["levels"]],
                                             names=[self.decode(n) for n in node["names"]])
        if kind == "series":
            series = pd.Series(self.column(node["v"]), index=self.pandas(node["index"]), name=self.decode(node["name"]),
                               copy=False)
            series.attrs.update(self.decode(node["attrs"]))
            return series
        columns, index = self.pandas(node["columns"]), self.pandas(node["index"])
        values = [self.column(v) for v in node["v"]]
        if len(values) != len(columns):
            return _bad(node)
        frame = pd.DataFrame({i: pd.Series(v, index=index, copy=False) for i, v in enumerate(values)}, index=index)
        frame.columns = columns
        frame.attrs.update(self.decode(node["attrs"]))
        return self.keep(node, frame)


def _bad(node: Any) -> Any:
    raise DamagedEntry(f"a malformed {node.get('$', 'value') if isinstance(node, dict) else 'value'} entry")

"""Registries: a name -> object table filled where each thing is defined (figures, models, stopword layers).

Config validation, the build, the CLI's choices and the tests iterate over a registry, so adding a
figure, a model or a layer is one function (or class) plus one ``register`` call.
"""

from __future__ import annotations

from typing import Any, TypeVar

__all__ = ["Registry"]

T = TypeVar("T")


class Registry(dict[str, Any]):
    """Named entries of one kind, in registration order.

    >>> shapes = Registry("shape")
    >>> @shapes.register("square")
    ... def square(x): return x * x
    >>> shapes.get_or_raise("square")(3), list(shapes)
    (9, ['square'])
    >>> shapes.get_or_raise("circle")
    Traceback (most recent call last):
    ValueError: unknown shape 'circle'; choose from: square
    """

    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind

    def register(self, name: str, obj: T | None = None) -> Any:
        """Add ``obj`` under ``name``; without ``obj``, a decorator that adds what it decorates."""
        if obj is not None:
            self[name] = obj
            return obj

        def decorate(thing: T) -> T:
            self[name] = thing
            return thing

        return decorate

    def get_or_raise(self, name: str) -> Any:
        """The entry called ``name``, or a ValueError listing the known names."""
        if name not in self:
            raise ValueError(f"unknown {self.kind} {name!r}; choose from: {', '.join(self)}")
        return self[name]

    def check(self, names: Any) -> list[str]:
        """``names`` as a list when every one is registered, else a ValueError naming the unknown ones."""
        names = [names] if isinstance(names, str) else list(names)
        unknown = [n for n in names if n not in self]
        if unknown:
            raise ValueError(f"unknown {self.kind}(s) {unknown}; choose from: {', '.join(self)}")
        return names

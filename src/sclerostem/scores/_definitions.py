"""Look-up of a published change/response definition given by name or as an object."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from sclerostem.errors import InputError, UnknownFieldError

__all__ = ["resolve_definition"]

D = TypeVar("D")


def resolve_definition(definition: str | D, known: Mapping[str, D], kind: type[D]) -> D:
    """``known[definition]`` for a name, ``definition`` itself for a ``kind`` instance.

    Raises
    ------
    UnknownFieldError
        A name not in ``known`` (the message lists the known names).
    InputError
        Neither a name nor a ``kind``.
    """
    if isinstance(definition, str):
        if definition not in known:
            raise UnknownFieldError("definition", definition, "one of " + ", ".join(known))
        return known[definition]
    if isinstance(definition, kind):
        return definition
    raise InputError("definition", definition, f"a name or an {kind.__name__}")

"""Shared machinery for the typed one-visit input models.

Each model is a frozen dataclass whose fields are declared once as
:class:`~sclerostem.scores._columns.Column` objects (name, kind, unit, range);
the same declarations validate the table columns of the batch path, so a value
refused in a table is refused with the same words in a model.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar, Self

from sclerostem.errors import UnknownFieldError
from sclerostem.scores._columns import Column, check_value

__all__ = ["ColumnModel"]


class ColumnModel:
    """Mixin for frozen dataclasses whose fields are described by ``FIELDS``.

    Subclasses set ``FIELDS`` (one :class:`Column` per dataclass field, same
    names). ``__post_init__`` validates every value; ``None`` means not
    recorded.
    """

    FIELDS: ClassVar[tuple[Column, ...]] = ()

    def __post_init__(self) -> None:
        for col in self.FIELDS:
            value = check_value(col, getattr(self, col.name))
            object.__setattr__(self, col.name, value)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Self:
        """Build the model from a mapping, refusing names it does not define.

        Raises
        ------
        UnknownFieldError
            A key that is not a field of the model (the message lists the fields).
        """
        names = [c.name for c in cls.FIELDS]
        for key in data:
            if key not in names:
                raise UnknownFieldError(
                    key, data[key],
                    f"no such field in {cls.__name__}; its fields are " + ", ".join(names),
                )
        return cls(**dict(data))

    def recorded(self) -> dict[str, Any]:
        """Field values as a plain dict (``None`` = not recorded)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    def missing_fields(self) -> tuple[str, ...]:
        """Names of the fields that were not recorded."""
        return tuple(c.name for c in self.FIELDS if getattr(self, c.name) is None)

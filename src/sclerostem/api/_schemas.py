"""Pydantic request models generated from the registry's field declarations."""

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from sclerostem.registry import ENTITIES, FieldSpec

__all__ = ["CREATE_MODELS", "UPDATE_MODELS", "TokenRequest"]


def _annotation(spec: FieldSpec) -> Any:
    if spec.kind == "int":
        return int
    if spec.kind == "float":
        return float
    if spec.kind == "bool":
        return bool
    if spec.kind == "date":
        return dt.date
    if spec.kind == "choice":
        return Literal[spec.choices]
    return str


def _field(spec: FieldSpec, required: bool) -> tuple[Any, Any]:
    kw: dict[str, Any] = {"description": spec.description or spec.allowed()}
    if spec.kind in ("int", "float"):
        if spec.lo is not None:
            kw["ge"] = spec.lo
        if spec.hi is not None:
            kw["le"] = spec.hi
        if spec.kind == "float":
            kw["allow_inf_nan"] = False
    if spec.kind == "str":
        kw["max_length"] = spec.max_length
    if spec.kind == "date":
        kw["description"] = (spec.description + " " if spec.description else "") + "(YYYY-MM-DD, 1900–2200)"
    ann = _annotation(spec)
    if required:
        return ann, Field(..., **kw)
    return ann | None, Field(None, **kw)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _model(name: str, specs: tuple[FieldSpec, ...], creating: bool) -> type[BaseModel]:
    fields = {s.name: _field(s, creating and s.required) for s in specs}
    if not creating:
        fields["expected_version"] = (int | None, Field(
            None, ge=1, description="version you read; the update is refused (409) if it changed"))
    return create_model(name, __base__=_Strict, **fields)  # type: ignore[call-overload]


def _camel(entity: str) -> str:
    return "".join(p.capitalize() for p in entity.split("_"))


CREATE_MODELS: dict[str, type[BaseModel]] = {
    e: _model(f"{_camel(e)}Create", specs, True) for e, (_m, specs) in ENTITIES.items()
}
UPDATE_MODELS: dict[str, type[BaseModel]] = {
    e: _model(f"{_camel(e)}Update", specs, False) for e, (_m, specs) in ENTITIES.items()
}


class TokenRequest(_Strict):
    """Credentials exchanged for an API token."""

    username: str = Field(..., min_length=1, max_length=80)
    password: str = Field(..., min_length=1, max_length=200)
    name: str = Field("script", min_length=1, max_length=80, description="label of the token")
    expires_days: int | None = Field(None, ge=1, le=3650)

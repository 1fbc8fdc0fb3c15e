"""The public API of sclerostem.scores is explicit, sorted and complete."""

from __future__ import annotations

import types

import sclerostem.scores as scores
from sclerostem.scores._batch import instrument_modules

CONTRACT_NAMES = {"COLUMNS", "score_frame"}  # per-module batch contract, not package API


def test_all_is_sorted_like_ruff():
    # RUF022 order: SCREAMING_CASE constants, then CamelCase classes, then the rest
    def key(name: str) -> tuple[int, str]:
        kind = 0 if name.isupper() else 1 if name[0].isupper() else 2
        return kind, name

    assert scores.__all__ == sorted(scores.__all__, key=key)
    assert len(scores.__all__) == len(set(scores.__all__))


def test_all_matches_public_names():
    public = {
        name for name, obj in vars(scores).items()
        if not name.startswith("_") and not isinstance(obj, types.ModuleType)
    }
    assert public == set(scores.__all__)


def test_every_instrument_module_is_exported():
    for mod in instrument_modules():
        missing = set(mod.__all__) - CONTRACT_NAMES - set(scores.__all__)
        assert not missing, f"{mod.__name__} exports {sorted(missing)} not in sclerostem.scores"
        assert set(mod.__all__) >= CONTRACT_NAMES, mod.__name__


def test_one_function_per_instrument_returns_result():
    from sclerostem.result import Result

    r = scores.mrss(dict.fromkeys(scores.MRSS_SITES, 0))
    assert isinstance(r, Result)
    assert r.to_dict()["computable"] is True

"""The runnable examples in this part's docstrings stay correct."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["_mrss", "_acr_eular", "_eustar_ai", "_leroy", "_duration", "_response"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    mod = importlib.import_module(f"sclerostem.scores.{name}")
    result = doctest.testmod(mod)
    assert result.attempted > 0
    assert result.failed == 0

"""The usage examples in the public package docstrings run and print what they show."""

from __future__ import annotations

import doctest

import pytest

import sclerostem.evidence
import sclerostem.stats.meta


@pytest.mark.parametrize("module", [sclerostem.evidence, sclerostem.stats.meta])
def test_docstring_examples(module):
    result = doctest.testmod(module, verbose=False)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize("module", [sclerostem.evidence, sclerostem.stats.meta])
def test_all_is_sorted_and_importable(module):
    # ruff RUF022 order: CONSTANTS, then Classes, then functions, each alphabetical
    def key(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert list(module.__all__) == sorted(module.__all__, key=key)
    for name in module.__all__:
        assert hasattr(module, name), name

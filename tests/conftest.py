"""Project-wide test configuration.

Under CI (``CI=true``) a test that needs an external service (PostgreSQL,
Chromium) must run: ``require_or_skip`` turns a missing service into a failure
there, and into a skip only on a developer machine.
"""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_or_skip(available: bool, what: str) -> None:
    """Skip locally, fail under CI, when ``what`` is not available."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true but is not available")
    pytest.skip(f"{what} not available on this machine")

"""Property-based test of the whole OpenAPI document: no request yields a server error (5xx).

For every operation of the API's OpenAPI document, schemathesis generates
requests (positive: schema-valid; negative: schema-violating bodies and
parameters) and the ``not_a_server_error`` check fails on any 5xx. Hypothesis
runs derandomised (fixed seed) so a failure reproduces.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from sclerostem.api import create_api_app
from sclerostem.registry import Database, authenticate, create_api_token
from sclerostem.registry.demo import load_demo_cohort

MAX_EXAMPLES = 12  #: per operation and mode; 43 operations x 2 modes -> ~1,000 requests


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, str]]]:
    path: Path = tmp_path_factory.mktemp("api") / "registry.db"
    db = Database(f"sqlite:///{path}")
    load_demo_cohort(db, n_patients=8, seed=11, today=dt.date(2026, 1, 1))
    with db.session() as s:
        admin = authenticate(s, "admin", "demo-admin")
        token = create_api_token(s, admin, "schemathesis")
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_api_app(db))
    yield schema, {"Authorization": f"Bearer {token}"}
    db.dispose()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors(api, mode: GenerationMode) -> None:
    schema, headers = api
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 40  # every route is in the document
    # revoking the test's own token would turn every later request into a 401
    operations = [op for op in operations if op.path != "/api/tokens/current"]
    exercised = 0
    statuses: dict[int, int] = {}
    for op in operations:

        @given(case=op.as_strategy(generation_mode=mode))
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), database=None)
        def run(case: Any) -> None:
            response = case.call_and_validate(headers=headers, checks=[not_a_server_error])
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        try:
            run()
            exercised += 1
        except Unsatisfiable:
            # negative mode: an operation without parameters or body has nothing to violate
            assert mode is GenerationMode.NEGATIVE
            assert not list(op.path_parameters)
            assert not list(op.query)
            assert not list(op.body)
    assert exercised >= 30
    # the token stayed valid: the requests reached the routes (not just 401s)
    assert statuses.get(401, 0) < sum(statuses.values()) / 2
    if mode is GenerationMode.POSITIVE:
        assert sum(n for code, n in statuses.items() if code < 300) > 50

"""SCOT GRCS preset: hierarchy of hsct.md C2 and its UNCONFIRMED caveats."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from sclerostem.result import Evidence
from sclerostem.stats.gpc import Endpoint, participant_scores, scot_endpoints, scot_grcs

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "src" / "sclerostem" / "data" / "gpc" / "example_grcs.csv"
)


def test_hierarchy_order_and_directions() -> None:
    # hsct.md C2 [P]: death -> event-free survival -> FVC -> HAQ-DI -> mRSS
    eps = scot_endpoints()
    assert [e.name for e in eps] == [
        "death",
        "event-free survival",
        "FVC % predicted change",
        "HAQ-DI change",
        "mRSS change",
    ]
    assert [e.kind for e in eps] == ["tte", "tte", "continuous", "continuous", "continuous"]
    assert [e.direction for e in eps] == ["higher", "higher", "higher", "lower", "lower"]


def test_thresholds_are_parameters_and_flagged_unconfirmed() -> None:
    table = pl.read_csv(EXAMPLE, null_values=[""])
    res = scot_grcs(
        table, arm="arm", treated="HSCT", fvc_threshold_percent_predicted=10.0, haq_di_threshold=0.4
    )
    assert [lv.threshold for lv in res.levels] == [0.0, 0.0, 10.0, 0.4, 0.0]
    codes = {c.code: c for c in res.caveats}
    for code in (
        "scot.thresholds_unconfirmed",
        "scot.time_vs_status_unconfirmed",
        "scot.ties_missing_unconfirmed",
    ):
        assert codes[code].status is Evidence.UNCONFIRMED
    assert "FVC 10 percentage points" in codes["scot.thresholds_unconfirmed"].message
    assert res.n_pairs == 400


def test_participant_scores_are_fs_row_sums() -> None:
    # Every comparison is counted once for each patient with opposite sign: scores sum to 0,
    # and the treated patients' scores sum to n1 * n2 * (Gehan net benefit) (outcomes.md 1.1).
    table = pl.read_csv(EXAMPLE, null_values=[""])
    eps = scot_endpoints()
    u = participant_scores(table, endpoints=eps, arm="arm", treated="HSCT")
    assert u.sum() == 0
    treated = (table["arm"] == "HSCT").to_numpy()
    res = scot_grcs(table, arm="arm", treated="HSCT")
    assert u[treated].sum() == round(res.final.net_benefit * 400)
    assert np.all(np.abs(u) <= len(u) - 1)


def test_participant_scores_tiny() -> None:
    data = {"arm": ["T", "C", "C"], "y": [3.0, 1.0, 2.0]}
    u = participant_scores(data, endpoints=[Endpoint("y", "continuous")], arm="arm", treated="T")
    assert u.tolist() == [2.0, -2.0, 0.0]

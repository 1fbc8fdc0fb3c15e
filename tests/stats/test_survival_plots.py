"""KM and CIF figures: axis labels with units, number-at-risk table, legend."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import polars as pl
import pytest

from sclerostem.errors import InputError
from sclerostem.plots._survival import cif_figure, km_figure
from sclerostem.stats.survival import (
    cumulative_incidence,
    gray_test,
    kaplan_meier_by_group,
    logrank_test,
)

ROSSI = resources.files("sclerostem") / "data" / "datasets" / "rossi.csv"
CR = Path(__file__).resolve().parents[1] / "data" / "survival" / "cr_ties.csv"


def test_km_figure_has_risk_table_and_units() -> None:
    d = pl.read_csv(ROSSI)
    curves = list(kaplan_meier_by_group(d["week"], d["arrest"], d["fin"].to_list()).values())
    fig = km_figure(curves, time_unit="weeks", risk_times=[0, 26, 52],
                    logrank=logrank_test(d["week"], d["arrest"], d["fin"].to_list()))
    ax, tab = fig.axes
    assert ax.get_ylabel() == "Survival probability"
    assert tab.get_xlabel() == "Time (weeks)"
    texts = [t.get_text() for t in tab.texts]
    # number at risk (week >= t) per arm at 0, 26, 52 weeks, as KaplanMeier.n_at_risk computes it
    expected = [str(int(n)) for c in curves for n in c.n_at_risk([0, 26, 52])]
    assert texts == expected
    assert texts[0] == "216"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["0 (n=216, events=66)", "1 (n=216, events=48)"]
    assert any("log-rank" in t.get_text() for t in ax.texts)


def test_cif_figure_labels_and_tests() -> None:
    d = pl.read_csv(CR)
    g = d["group"].to_list()
    curves = cumulative_incidence(d["time_months"], d["cause"], g)
    fig = cif_figure(curves, cause_labels={1: "transplant-related death"}, tests=gray_test(d["time_months"], d["cause"], g))
    (ax,) = fig.axes
    assert ax.get_xlabel() == "Time (months)"
    assert ax.get_ylabel() == "Cumulative incidence (probability)"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:2] == ["transplant-related death, A", "transplant-related death, B"]
    assert labels[3] == "cause 2, A"
    assert "Gray's test, cause 1" in ax.texts[0].get_text()


def test_empty_inputs_refused() -> None:
    with pytest.raises(InputError):
        km_figure([])
    with pytest.raises(InputError):
        cif_figure([])

"""Forest, funnel and icon-array figures (matplotlib Agg): content checks on the drawn artists."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from sclerostem import evidence
from sclerostem.errors import InputError
from sclerostem.plots._forest import forest_figure, funnel_figure
from sclerostem.plots._icons import GOOD_COLOUR, icon_array_figure, trial_icon_arms
from sclerostem.stats import meta


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]


@pytest.fixture(scope="module")
def trm():
    t = evidence.canned_table("hsct-trm")
    es = meta.escalc("RD", ai=t.ai, bi=t.bi, ci=t.ci, di=t.di, labels=t.labels)
    return t, meta.rma(es, method="REML")


def test_forest_shows_rows_weights_diamond_pi_and_heterogeneity(trm):
    t, res = trm
    fig = forest_figure(res, counts=list(zip(t.ai, t.bi, t.ci, t.di, strict=True)), arm_labels=("HSCT", "Control"))
    texts = _texts(fig)
    for label in t.labels:
        assert label in texts
    assert "8/79" in texts  # ASTIS HSCT arm, hsct.md C6
    assert "0/77" in texts
    assert any(s.endswith("%") and s[:-1].replace(".", "").isdigit() for s in texts)
    assert "Prediction interval" in texts
    assert any(s.startswith("Heterogeneity:") and "I^2" in s for s in texts)
    assert any(s.startswith("Test for overall effect: z") for s in texts)
    assert any("Random effects (REML)" in s for s in texts)
    from matplotlib.patches import Polygon

    diamonds = [p for p in fig.findobj(Polygon) if len(p.get_xy()) >= 4]
    assert diamonds


def test_forest_ratio_measure_uses_back_transformed_ticks():
    es = meta.escalc("RR", ai=[4, 6, 3], bi=[119, 300, 228], ci=[11, 29, 11], di=[128, 274, 209])
    fig = forest_figure(meta.rma(es, method="DL", test="knha"))
    ax = fig.axes[1]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert "1" in labels
    assert any(s.startswith("Test for overall effect: t") for s in _texts(fig))


def test_forest_counts_must_match_studies(trm):
    _, res = trm
    with pytest.raises(InputError) as exc:
        forest_figure(res, counts=[(1, 2, 3, 4)])
    assert str(exc.value) == "field 'counts': got 1; allowed: one (ai, bi, ci, di) row per study (3)."


def test_funnel(trm):
    _, res = trm
    fig = funnel_figure(res)
    assert fig.axes[0].get_ylabel() == "Standard error"
    lo, hi = fig.axes[0].get_ylim()
    assert lo > hi  # inverted: precise studies at the top


def test_icon_array_counts_coloured_icons():
    fig = icon_array_figure([("HSCT", 74), ("Cyclophosphamide", 47)], outcome_label="alive without organ failure",
                            time_label="At 72 months", source="SCOT (hsct.md C6)")
    from matplotlib.patches import Circle

    for ax, want in zip(fig.axes, (74, 47), strict=True):
        heads = [p for p in ax.patches if isinstance(p, Circle)]
        assert len(heads) == 100
        good = [p for p in heads if p.get_facecolor()[:3] == pytest.approx(_rgb(GOOD_COLOUR))]
        assert len(good) == want
    texts = _texts(fig)
    assert any("At 72 months" in s and "SCOT (hsct.md C6)" in s for s in texts)
    assert "alive without organ failure" in texts  # legend


def _rgb(hex_colour: str) -> tuple[float, float, float]:
    h = hex_colour.lstrip("#")
    return tuple(int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


@pytest.mark.parametrize(("arms", "field", "value"), [
    ([("HSCT", 101)], "arms[0].count", 101),
    ([("HSCT", -1)], "arms[0].count", -1),
])
def test_icon_array_bad_count(arms, field, value):
    with pytest.raises(InputError) as exc:
        icon_array_figure(arms, outcome_label="alive", time_label="t", source="s")
    assert str(exc.value) == f"field '{field}': got {value}; allowed: a whole number from 0 to 100."


def test_icon_array_needs_arms():
    with pytest.raises(InputError) as exc:
        icon_array_figure([], outcome_label="alive", time_label="t", source="s")
    assert str(exc.value) == "field 'arms': got []; allowed: at least one (label, count) pair."


@pytest.mark.parametrize(("study", "outcome", "counts", "status"), [
    # SCOT 72-month per-protocol KM: EFS 74 vs 47 %, OS 86 vs 51 %, TRM 6 vs 0 % (hsct.md C6, [P])
    ("SCOT", "efs", (74, 47), "confirmed"),
    ("SCOT", "os", (86, 51), "confirmed"),
    ("SCOT", "trm", (94, 100), "confirmed"),
    # ASTIS: event-free 57/79 vs 46/77 at median 5.8 y (hsct.md C3 [S]); TRM 8/79 vs 0/77 at 12 mo (C6 [S]);
    # alive 60/79 vs 54/77 = 79 - 19 and 77 - 23 deaths (C6 [S], arithmetic [D])
    ("ASTIS", "efs", (72, 60), "secondary"),
    ("ASTIS", "os", (76, 70), "derived"),
    ("ASTIS", "trm", (90, 100), "secondary"),
])
def test_trial_icon_arms(study, outcome, counts, status):
    arms, label, time_label, source = trial_icon_arms(study, outcome)
    assert tuple(a.count for a in arms) == counts
    assert {a.status for a in arms} == {status}
    assert time_label.startswith("At ")
    assert source.startswith(study)
    assert label
    # SCOT 72-month KM population is per-protocol [D] (hsct.md C2): the picture says so
    assert ("(population derived)" in time_label) == (study == "SCOT" and outcome in ("efs", "os"))


def test_forest_xlabel_and_transform_options():
    es = meta.escalc("RR", ai=[4, 6, 3], bi=[119, 300, 228], ci=[11, 29, 11], di=[128, 274, 209])
    res = meta.rma(es, method="REML")
    fig = forest_figure(res, xlabel="Risk ratio (log scale)", transform="exp")
    assert fig.axes[1].get_xlabel() == "Risk ratio (log scale)"
    raw = forest_figure(res, transform="none")
    assert "1" not in [t.get_text() for t in raw.axes[1].get_xticklabels()]  # log-scale ticks, no back-transform
    with pytest.raises(InputError) as exc:
        forest_figure(res, transform="log10")
    assert str(exc.value) == "field 'transform': got 'log10'; allowed: one of 'exp', 'none'."


def test_icon_arms_time_code_with_a_dot():
    """ASTIS rows at median 5.8 years carry time code '5.8y' (hsct.md C3)."""
    arms, *_ = trial_icon_arms("ASTIS", "efs", time="5.8y")
    assert [a.count for a in arms] == [72, 60]
    with pytest.raises(InputError):
        trial_icon_arms("ASTIS", "efs", time="99y")

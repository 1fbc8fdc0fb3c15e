"""Bad input to the meta-analysis engine: exact error wording (sclerostem.errors form)."""

from __future__ import annotations

import pytest

from sclerostem.errors import ConsistencyError, InputError
from sclerostem.stats import meta


def test_negative_count():
    with pytest.raises(InputError) as exc:
        meta.escalc("RR", ai=[1, -2], bi=[3, 4], ci=[1, 1], di=[3, 3])
    assert str(exc.value) == "row 2, field 'ai': got -2; allowed: a whole number of at least 0."


def test_fractional_count():
    with pytest.raises(InputError) as exc:
        meta.escalc("OR", ai=[1.5], bi=[3], ci=[1], di=[3])
    assert str(exc.value) == "row 1, field 'ai': got 1.5; allowed: a whole number of at least 0."


def test_events_above_arm_size():
    with pytest.raises(ConsistencyError) as exc:
        meta.escalc("RR", ai=[1, 12], n1i=[10, 10], ci=[1, 1], n2i=[10, 10])
    assert str(exc.value) == "row 2, field 'ai': got 12; allowed: at most the arm size n1i = 10."


def test_control_events_above_arm_size():
    with pytest.raises(ConsistencyError) as exc:
        meta.escalc("RD", ai=[1], n1i=[10], ci=[11], n2i=[10])
    assert str(exc.value) == "row 1, field 'ci': got 11; allowed: at most the arm size n2i = 10."


@pytest.mark.parametrize("bad", [0.0, -1.0])
def test_non_positive_variance(bad):
    with pytest.raises(InputError) as exc:
        meta.escalc("GEN", yi=[0.1, 0.2], vi=[0.1, bad])
    assert str(exc.value) == f"row 2, field 'vi': got {bad!r}; allowed: a number greater than 0."


def test_single_study_random_effects():
    es = meta.escalc("GEN", yi=[0.1], vi=[0.1])
    with pytest.raises(InputError) as exc:
        meta.rma(es, method="REML")
    assert str(exc.value) == (
        "field 'k': got 1; allowed: at least 2 studies for a random-effects model (method 'REML'); use method 'FE'."
    )
    assert meta.rma(es, method="FE").estimate == pytest.approx(0.1)


def test_non_convergence_is_an_error_not_nan():
    es = meta.escalc("GEN", yi=[0.1, 0.3, 0.5], vi=[0.01, 0.02, 0.01])
    with pytest.raises(meta.ConvergenceError) as exc:
        meta.rma(es, method="REML", maxiter=1, on_nonconvergence="error")
    assert str(exc.value).startswith("Fisher scoring for the REML estimate of tau² did not converge in 1 iteration(s)")
    assert str(exc.value).endswith("raise maxiter, use on_nonconvergence='fallback', or use method='PM' or 'DL'")


def test_non_convergence_fallback_is_reported_and_correct():
    es = meta.escalc("GEN", yi=[0.1, 0.3, 0.5], vi=[0.01, 0.02, 0.01])
    exact = meta.rma(es, method="REML")
    fb = meta.rma(es, method="REML", maxiter=1)
    assert fb.tau2 == pytest.approx(exact.tau2, abs=1e-9)
    assert any("fallback used" in n for n in fb.notes)
    assert not any("fallback" in n for n in exact.notes)


def test_unknown_method_and_test():
    es = meta.escalc("GEN", yi=[0.1, 0.3], vi=[0.01, 0.02])
    with pytest.raises(InputError) as exc:
        meta.rma(es, method="XX")
    assert str(exc.value) == "field 'method': got 'XX'; allowed: one of 'FE', 'DL', 'REML', 'ML', 'PM', 'SJ', 'HE'."
    with pytest.raises(InputError) as exc:
        meta.meta_analysis(es, test="t")
    assert str(exc.value) == "field 'test': got 't'; allowed: one of 'z', 'knha'."


def test_zero_cell_without_correction():
    with pytest.raises(InputError) as exc:
        meta.escalc("RR", ai=[0], bi=[3], ci=[1], di=[3], to="none")
    assert str(exc.value) == (
        "row 1, field 'ai/bi/ci/di': got (0, 3, 1, 3); allowed: counts giving a finite RR with positive "
        "variance (a zero cell needs a continuity correction: add > 0, to != 'none')."
    )


def test_mh_needs_counts():
    es = meta.escalc("GEN", yi=[0.1, 0.3], vi=[0.01, 0.02])
    with pytest.raises(InputError) as exc:
        meta.meta_analysis(es, method="MH")
    assert str(exc.value) == "field 'method': got 'MH'; allowed: 'MH' and 'PETO' only with 2x2 counts (ai, bi, ci, di)."


def test_mh_rr_without_events_in_one_arm():
    with pytest.raises(InputError) as exc:
        meta.rma_mh([8, 1], [71, 35], [0, 0], [77, 39], measure="RR")
    assert "use measure 'RD'" in str(exc.value)


def test_hr_limits_must_enclose_estimate():
    with pytest.raises(ConsistencyError) as exc:
        meta.loghr_from_ci(0.35, 0.74, 0.16)
    assert str(exc.value) == "field 'hr': got 0.35; allowed: a value strictly between ci_low = 0.74 and ci_high = 0.16."


def test_leave_one_out_needs_three_studies_for_random_effects():
    es = meta.escalc("GEN", yi=[0.1, 0.3], vi=[0.01, 0.02])
    with pytest.raises(InputError) as exc:
        meta.leave_one_out(es)
    assert str(exc.value) == "field 'k': got 2; allowed: at least 3 studies for a leave-one-out analysis with method 'REML'."


def test_mh_risk_difference_without_any_event():
    with pytest.raises(InputError) as exc:
        meta.rma_mh([0, 0], [10, 12], [0, 0], [9, 11], measure="RD")
    assert str(exc.value) == (
        "field 'ai/ci': got 'no events in any study'; allowed: at least one study with events for a "
        "Mantel-Haenszel estimate."
    )


def test_peto_without_information():
    with pytest.raises(InputError) as exc:
        meta.rma_peto([0, 0], [10, 12], [0, 0], [9, 11])
    assert str(exc.value) == (
        "field 'ai/ci': got 'no events (or no non-events) in any study'; allowed: at least one study with "
        "both events and non-events."
    )

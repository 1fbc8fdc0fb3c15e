"""Fine-Gray regression against R ``cmprsk::crr`` (tests/data/survival/fine_gray.json).

Data: fg_ties.csv (300 subjects, x1 binary, x2 continuous, integer months) and
cr_ties.csv (600 subjects, group dummies), both simulated and seeded by
validation/survival/make_reference.R. R was run with gtol = 1e-12 so that its
estimate is converged well inside the tolerance; the default gtol gives the same
digits on fg_ties (third case).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from sclerostem.cli import app
from sclerostem.errors import InputError
from sclerostem.stats.survival import fine_gray

REF = Path(__file__).resolve().parents[1] / "data" / "survival"
RTOL_R = 1e-6  #: project default against R references stored with 15 significant digits
REFERENCE = json.loads((REF / "fine_gray.json").read_text())
FG = pl.read_csv(REF / "fg_ties.csv")


@pytest.mark.parametrize("i", [0, 1, 2], ids=["cause1", "cause2", "cause1-default-gtol"])
def test_fine_gray_matches_crr(i: int) -> None:
    case = REFERENCE["cases"][i]
    assert case["converged"]
    m = fine_gray(FG["time_months"], FG["cause"], {"x1": FG["x1"], "x2": FG["x2"]}, failcode=case["failcode"])
    np.testing.assert_allclose(m.coef, case["coef"], rtol=RTOL_R)
    np.testing.assert_allclose(m.se, case["se"], rtol=RTOL_R)
    np.testing.assert_allclose(m.variance, case["var"], rtol=RTOL_R)
    np.testing.assert_allclose(m.loglik, case["loglik"], rtol=RTOL_R)
    assert m.n == case["n"]


def test_fine_gray_heavy_ties_groups_matches_crr() -> None:
    case = REFERENCE["cr_ties_groups"]
    d = pl.read_csv(REF / "cr_ties.csv")
    cov = {"groupB": (d["group"] == "B").cast(int), "groupC": (d["group"] == "C").cast(int)}
    m = fine_gray(d["time_months"], d["cause"], cov)
    assert m.terms == tuple(case["terms"])
    np.testing.assert_allclose(m.coef, case["coef"], rtol=RTOL_R)
    np.testing.assert_allclose(m.variance, case["var"], rtol=RTOL_R)
    np.testing.assert_allclose(m.loglik, case["loglik"], rtol=RTOL_R)


def test_row_order_does_not_matter() -> None:
    perm = np.random.default_rng(3).permutation(FG.height)
    d = FG[perm]
    a = fine_gray(FG["time_months"], FG["cause"], {"x1": FG["x1"], "x2": FG["x2"]})
    b = fine_gray(d["time_months"], d["cause"], {"x1": d["x1"], "x2": d["x2"]})
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-10)
    np.testing.assert_allclose(a.se, b.se, rtol=1e-10)


def test_errors() -> None:
    with pytest.raises(InputError) as exc:
        fine_gray([1, 2, 3], [0, 2, 2], {"x": [1.0, 0.0, 1.0]})
    assert str(exc.value) == (
        "field 'cause': got 'no events of cause 1'; allowed: at least one event of the cause of interest."
    )
    with pytest.raises(InputError) as exc:
        fine_gray([1, 2, 3], [1, 2, 0], {"arm": ["a", "b", "a"]})
    assert str(exc.value) == "row 1, field 'arm': got 'a'; allowed: a number (encode categories as 0/1 columns)."


def test_cli_fine_gray_json() -> None:
    r = CliRunner().invoke(app, ["stats", "fine-gray", str(REF / "fg_ties.csv"), "--time", "time_months",
                                 "--cause", "cause", "--covariates", "x1,x2", "--failcode", "2", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    np.testing.assert_allclose([t["coef"] for t in out["terms"]], REFERENCE["cases"][1]["coef"], rtol=RTOL_R)
    np.testing.assert_allclose([t["se"] for t in out["terms"]], REFERENCE["cases"][1]["se"], rtol=RTOL_R)


@pytest.mark.parametrize("bad", [True, "1", float("inf")])
def test_fine_gray_refuses_non_numeric_covariates_like_cox(bad: object) -> None:
    # Same rule as cox_ph: categories must be 0/1 numbers; booleans, text and infinity are refused.
    from sclerostem.errors import InputError
    from sclerostem.stats.survival import fine_gray

    time = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    cause = [1, 2, 1, 0, 1, 2]
    x = [0.5, 1.0, bad, 2.0, 0.1, 3.0]
    with pytest.raises(InputError, match=r"row 3, field 'x': got "):
        fine_gray(time, cause, {"x": x})

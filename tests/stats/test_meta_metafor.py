"""Agreement with R's metafor on the reference grid written by validation/metafor/make_reference.R.

Reference: tests/data/meta/metafor_reference.json (R 4.2.2, metafor 3.8-1; R and package
versions are recorded in the file). Iterative estimators in R were run with
threshold = tol = 1e-12, so differences measure the method, not a root-finder tolerance.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from sclerostem.stats import meta

REF_PATH = Path(__file__).resolve().parents[1] / "data" / "meta" / "metafor_reference.json"
REF = json.loads(REF_PATH.read_text(encoding="utf-8"))

RTOL_R = 1e-6  #: agreement target with metafor (relative)
ATOL_R = 1e-6  #: agreement target with metafor (absolute, for values near 0)

GRID_METHODS = ("FE", "DL", "REML", "ML", "PM", "SJ", "HE")
GRID_TESTS = ("z", "knha")
GRID_FIELDS = ("estimate", "se", "ci_low", "ci_high", "stat", "pval", "tau2", "i2", "h2", "q", "q_p",
               "pi_low", "pi_high", "tau2_ci_low", "tau2_ci_high")


def _es(ds: dict) -> meta.EffectSizes:
    rows = ds["input"]
    labels = [r["study"] for r in rows]
    if ds["measure"] in ("RR", "OR", "RD"):
        return meta.escalc(ds["measure"], ai=[r["ai"] for r in rows], bi=[r["bi"] for r in rows],
                           ci=[r["ci"] for r in rows], di=[r["di"] for r in rows], labels=labels)
    cols = {c: [r[c] for r in rows] for c in ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")}
    return meta.escalc(ds["measure"], labels=labels, **cols)


def assert_close_to_metafor(actual, expected, what: str) -> None:
    if expected is None:
        assert actual is None, what
        return
    assert actual is not None, what
    np.testing.assert_allclose(actual, expected, rtol=RTOL_R, atol=ATOL_R, err_msg=what)


def test_reference_file_records_versions():
    assert REF["metafor_version"].startswith("3.8")
    assert REF["r_version"].startswith("R version")


def test_grid_is_complete():
    """Every estimator x test on every data set; a means (SMD) set, a zero-cell set, MH and Peto present."""
    want = set(itertools.product(GRID_METHODS, GRID_TESTS))
    for name, ds in REF["datasets"].items():
        got = {(g["method"], g["test"]) for g in ds["grid"]}
        assert got == want, name
    measures = {ds["measure"] for ds in REF["datasets"].values()}
    assert {"RR", "OR", "RD", "MD", "SMD"} <= measures
    zero_sets = [ds for ds in REF["datasets"].values() if "ai" in ds["input"][0]
                 and any(0 in (r["ai"], r["bi"], r["ci"], r["di"]) for r in ds["input"])]
    assert zero_sets
    fixed = {(f["method"], f["measure"]) for ds in REF["datasets"].values() for f in ds.get("fixed", [])}
    assert {("MH", "RR"), ("MH", "OR"), ("MH", "RD"), ("PETO", "PETO")} <= fixed
    # our side covers the same grid
    assert set(GRID_METHODS) | {"MH", "PETO"} == set(meta.METHODS)
    assert set(GRID_TESTS) == set(meta.TESTS)


@pytest.mark.parametrize("name", sorted(REF["datasets"]))
def test_effect_sizes_match_escalc(name):
    ds = REF["datasets"][name]
    es = _es(ds)
    np.testing.assert_allclose(es.yi, ds["yi"], rtol=RTOL_R, atol=ATOL_R)
    np.testing.assert_allclose(es.vi, ds["vi"], rtol=RTOL_R, atol=ATOL_R)


CASES = [(name, g["method"], g["test"]) for name, ds in sorted(REF["datasets"].items()) for g in ds["grid"]]


@pytest.mark.parametrize(("name", "method", "test"), CASES)
def test_grid_matches_metafor(name, method, test):
    ds = REF["datasets"][name]
    ref = next(g for g in ds["grid"] if g["method"] == method and g["test"] == test)
    res = meta.rma(_es(ds), method=method, test=test)
    d = res.to_dict()
    for f in GRID_FIELDS:
        if method == "FE" and f in ("pi_low", "pi_high"):
            # metafor's predict() for FE models returns the CI; we report no PI for FE models.
            assert d[f] is None
            continue
        assert_close_to_metafor(d[f], ref[f], f"{name} {method}/{test} {f}")


FIXED = [(name, f["method"], f["measure"]) for name, ds in sorted(REF["datasets"].items()) for f in ds.get("fixed", [])]


@pytest.mark.parametrize(("name", "method", "measure"), FIXED)
def test_mh_and_peto_match_metafor(name, method, measure):
    ds = REF["datasets"][name]
    ref = next(f for f in ds["fixed"] if f["method"] == method and f["measure"] == measure)
    rows = ds["input"]
    cols = {c: [r[c] for r in rows] for c in ("ai", "bi", "ci", "di")}
    labels = [r["study"] for r in rows]
    if method == "MH":
        res = meta.rma_mh(**cols, labels=labels, measure=measure)
    else:
        res = meta.rma_peto(**cols, labels=labels)
    d = res.to_dict()
    for f in ("estimate", "se", "ci_low", "ci_high", "q", "q_p", "i2", "h2"):
        assert_close_to_metafor(d[f], ref[f], f"{name} {method} {measure} {f}")


@pytest.mark.parametrize("l1o", REF["datasets"]["bcg_rr"]["leave1out"], ids=lambda x: x["method"])
def test_leave_one_out_matches_metafor(l1o):
    es = _es(REF["datasets"]["bcg_rr"])
    out = meta.leave_one_out(es, method=l1o["method"])
    assert [o.omitted for o in out] == list(es.labels)
    assert_close_to_metafor([o.result.estimate for o in out], l1o["estimate"], "estimate")
    assert_close_to_metafor([o.result.se for o in out], l1o["se"], "se")
    assert_close_to_metafor([o.result.tau2 for o in out], l1o["tau2"], "tau2")
    assert_close_to_metafor([o.result.i2 for o in out], l1o["i2"], "i2")
    assert_close_to_metafor([o.result.q for o in out], l1o["q"], "q")


def test_subgroup_matches_metafor():
    ref = REF["subgroup_bcg_alloc"]
    es = _es(REF["datasets"]["bcg_rr"])
    res = meta.subgroup(es, ref["groups"], method="REML")
    assert set(res.groups) == set(ref["subgroups"])
    for g, r in ref["subgroups"].items():
        assert_close_to_metafor(res.groups[g].estimate, r["estimate"], f"{g} estimate")
        assert_close_to_metafor(res.groups[g].se, r["se"], f"{g} se")
        assert_close_to_metafor(res.groups[g].tau2, r["tau2"], f"{g} tau2")
        assert res.groups[g].k == r["k"]
    assert_close_to_metafor(res.q_between, ref["q_between"], "q_between")
    assert_close_to_metafor(res.p_value, ref["p"], "p")
    assert res.df == ref["df"]

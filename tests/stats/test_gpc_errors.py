"""GPC input validation: exact error wording (field, value received, what is allowed)."""

from __future__ import annotations

import pytest

from sclerostem.errors import InputError, InputTypeError, UnknownFieldError
from sclerostem.stats.gpc import Endpoint, endpoints_from_spec, gpc

DATA = {
    "arm": ["T", "T", "C", "C"],
    "time": [5.0, 3.0, 4.0, 6.0],
    "status": [1, 0, 1, 0],
    "y": [1.0, 2.0, 3.0, 4.0],
}
TTE = Endpoint("time", "tte", 0, "higher", "status")


def test_unknown_column() -> None:
    with pytest.raises(UnknownFieldError) as exc:
        gpc(DATA, arm="arm", treated="T", endpoints=[Endpoint("tme", "continuous")])
    assert str(exc.value) == (
        "field 'endpoints[1].column': got 'tme'; allowed: one of the table's columns: "
        "'arm', 'time', 'status', 'y'."
    )


def test_unknown_arm_column() -> None:
    with pytest.raises(
        UnknownFieldError, match=r"^field 'arm': got 'group'; allowed: one of the table's columns"
    ):
        gpc(DATA, arm="group", treated="T", endpoints=[TTE])


def test_text_in_numeric_column() -> None:
    bad = {**DATA, "y": [1.0, 2.0, "high", 4.0]}
    with pytest.raises(InputTypeError) as exc:
        gpc(bad, arm="arm", treated="T", endpoints=[Endpoint("y", "continuous")])
    assert str(exc.value) == "row 3, field 'y': got 'high'; allowed: a number."


def test_empty_arm() -> None:
    only_t = {k: v[:2] for k, v in DATA.items()}
    with pytest.raises(InputError) as exc:
        gpc(only_t, arm="arm", treated="T", endpoints=[TTE])
    assert (
        str(exc.value)
        == "field 'arm': got ['T']; allowed: exactly two arms (the treated value and one control value)."
    )


def test_empty_arm_within_stratum() -> None:
    data = {**DATA, "site": ["a", "b", "a", "a"]}
    with pytest.raises(InputError) as exc:
        gpc(data, arm="arm", treated="T", endpoints=[TTE], strata="site")
    assert (
        str(exc.value)
        == "field 'arm': got 'C'; allowed: at least one patient in arm 'C' in stratum 'b'."
    )


def test_treated_value_not_in_arm_column() -> None:
    with pytest.raises(InputError) as exc:
        gpc(DATA, arm="arm", treated="HSCT", endpoints=[TTE])
    assert (
        str(exc.value) == "field 'treated': got 'HSCT'; allowed: a value of column 'arm': 'C', 'T'."
    )


def test_non_binary_status() -> None:
    bad = {**DATA, "status": [1, 2, 1, 0]}
    with pytest.raises(InputError) as exc:
        gpc(bad, arm="arm", treated="T", endpoints=[TTE])
    assert str(exc.value) == "row 2, field 'status': got 2; allowed: 1 (event) or 0 (censored)."


def test_negative_time() -> None:
    bad = {**DATA, "time": [5.0, -1.0, 4.0, 6.0]}
    with pytest.raises(InputError) as exc:
        gpc(bad, arm="arm", treated="T", endpoints=[TTE])
    assert (
        str(exc.value) == "row 2, field 'time': got -1.0; allowed: a follow-up time of at least 0."
    )


def test_binary_endpoint_values() -> None:
    bad = {**DATA, "y": [0, 1, 2, 0]}
    with pytest.raises(InputError) as exc:
        gpc(bad, arm="arm", treated="T", endpoints=[Endpoint("y", "binary")])
    assert str(exc.value) == "row 3, field 'y': got 2; allowed: 0 or 1."


def test_bad_options() -> None:
    with pytest.raises(InputError) as exc:
        gpc(DATA, arm="arm", treated="T", endpoints=[TTE], scoring="efron")
    assert str(exc.value) == "field 'scoring': got 'efron'; allowed: one of 'gehan', 'peron'."
    with pytest.raises(InputError) as exc:
        gpc(DATA, arm="arm", treated="T", endpoints=[TTE], n_resamples=0)
    assert (
        str(exc.value) == "field 'n_resamples': got 0; allowed: a whole number from 1 to 1000000."
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"kind": "ordinal"},
            "field 'type': got 'ordinal'; allowed: one of 'tte', 'continuous', 'binary'.",
        ),
        ({"direction": "up"}, "field 'direction': got 'up'; allowed: one of 'higher', 'lower'."),
        ({"threshold": -1.0}, "field 'threshold': got -1.0; allowed: a number of at least 0."),
    ],
)
def test_endpoint_declaration(kwargs: dict, message: str) -> None:
    base = {"column": "y", "kind": "continuous"}
    with pytest.raises(ValueError) as exc:
        Endpoint(**{**base, **kwargs})
    assert str(exc.value) == message


def test_tte_needs_status() -> None:
    with pytest.raises(InputError) as exc:
        Endpoint("time", "tte")
    assert (
        str(exc.value)
        == "field 'status': got None; allowed: the event-indicator column of tte endpoint 'time'."
    )


def test_spec_unknown_key() -> None:
    with pytest.raises(UnknownFieldError) as exc:
        endpoints_from_spec([{"column": "y", "type": "continuous", "treshold": 5}])
    assert str(exc.value) == (
        "field 'endpoints[1]': got 'treshold'; allowed: one of 'column', 'type', 'status', 'threshold', "
        "'direction', 'label'."
    )

"""``sclerostem stats gpc`` in-process with Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from sclerostem.cli import app

DATA = Path(__file__).resolve().parents[1] / "data" / "gpc"
EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "sclerostem" / "data" / "gpc"
ATOL_PRINTED = 6e-7  #: the spec prints 6 decimals
REF = json.loads((DATA / "buysetest_oracle.json").read_text())


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "endpoints.yaml"
    path.write_text(yaml.safe_dump(REF["hierarchy"]))
    return path


def _run(*args: str):
    return CliRunner().invoke(app, ["stats", "gpc", *args])


def _oracle24(endpoints: Path) -> tuple[str, ...]:
    """DATA, arm and endpoints arguments of a run on the oracle data set."""
    return (str(DATA / "oracle24.csv"), "--arm", "arm", "--treated", "T", "--endpoints", str(endpoints))


def test_json_matches_oracle(spec: Path) -> None:
    res = _run(*_oracle24(spec), "--scoring", "peron", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    got = [lv["net_benefit_se"] for lv in out["levels"]]
    assert got == pytest.approx(REF["peron"]["net_benefit_se"], abs=ATOL_PRINTED)
    assert set(out["levels"][0]) >= {
        "wins",
        "losses",
        "neutral",
        "uninformative",
        "net_benefit",
        "net_benefit_se",
        "net_benefit_ci_low",
        "net_benefit_ci_high",
        "net_benefit_p",
        "win_ratio",
        "win_ratio_se",
        "win_odds",
        "win_odds_p",
    }


def test_exact_permutation_json(spec: Path) -> None:
    res = _run(*_oracle24(spec), "--inference", "exact-permutation", "--json")
    out = json.loads(res.stdout)
    assert out["levels"][-1]["net_benefit_p"] == pytest.approx(
        REF["finkelstein_schoenfeld"]["p_two_sided"], abs=ATOL_PRINTED
    )
    assert out["levels"][-1]["win_ratio_se"] is None  # NaN becomes null in JSON


def test_table_output_and_plot(spec: Path, tmp_path: Path) -> None:
    plot = tmp_path / "gpc.png"
    res = _run(*_oracle24(spec), "--plot", str(plot))
    assert res.exit_code == 0, res.output
    assert "net_benefit" in res.stdout
    assert "0.2361" in res.stdout
    assert "caveat [secondary] gpc.ustat_first_order" in res.stdout
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_permutation_with_seed_is_reproducible(spec: Path) -> None:
    args = (*_oracle24(spec), "--inference", "permutation", "--n-resamples", "300", "--seed", "4", "--json")
    a, b = _run(*args), _run(*args)
    assert a.exit_code == 0, a.output
    assert json.loads(a.stdout) == json.loads(b.stdout)
    assert json.loads(a.stdout)["seed"] == 4


def test_example_files_run() -> None:
    res = _run(
        str(EXAMPLES / "example_grcs.csv"),
        "--arm",
        "arm",
        "--treated",
        "HSCT",
        "--endpoints",
        str(EXAMPLES / "example_endpoints.yaml"),
        "--json",
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert [lv["endpoint"] for lv in out["levels"]] == [
        "death",
        "event-free survival",
        "FVC change (% predicted)",
        "HAQ-DI change",
        "mRSS change",
    ]
    assert out["n_pairs"] == 400


def test_input_error_exit_code_2(spec: Path, tmp_path: Path) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text("arm,time,status,dfvc,dmrss\nT,5,2,1,1\nC,4,1,0,0\n")
    res = _run(str(csv), "--arm", "arm", "--treated", "T", "--endpoints", str(spec))
    assert res.exit_code == 2
    assert (
        res.stderr.strip()
        == "error: row 1, field 'status': got 2; allowed: 1 (event) or 0 (censored)."
    )


def test_bad_option_values(spec: Path) -> None:
    res = _run(*_oracle24(spec), "--scoring", "efron")
    assert res.exit_code == 2
    assert (
        res.stderr.strip()
        == "error: field '--scoring': got 'efron'; allowed: one of 'gehan', 'peron'."
    )


def test_missing_files(spec: Path, tmp_path: Path) -> None:
    res = _run(
        str(tmp_path / "nope.csv"), "--arm", "arm", "--treated", "T", "--endpoints", str(spec)
    )
    assert res.exit_code == 2
    assert (
        res.stderr.strip()
        == f"error: field 'DATA': got '{tmp_path / 'nope.csv'}'; allowed: an existing CSV file."
    )
    res = _run(*_oracle24(tmp_path / "x.yaml"))
    assert res.exit_code == 2
    assert "allowed: an existing YAML file listing the endpoints." in res.stderr

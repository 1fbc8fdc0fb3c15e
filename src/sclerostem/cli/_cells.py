"""CLI commands of the cells capability: ``sclerostem lot ...`` and ``sclerostem graft ...``."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import typer

from sclerostem.cli._common import atomic_path, fail_on_input_error
from sclerostem.errors import InputError

if TYPE_CHECKING:
    from sclerostem.cells import LotReleaseReport

lot_app = typer.Typer(help="MSC lot release against ISCT/GMP specifications.", no_args_is_help=True)
graft_app = typer.Typer(help="HSCT graft CD34+ dose and apheresis planning.", no_args_is_help=True)


class Format(StrEnum):
    text = "text"
    json = "json"
    pdf = "pdf"


@lot_app.command("specs")
def lot_specs() -> None:
    """List the shipped release specifications."""
    from sclerostem.cells import release_specs

    for name, spec in release_specs().items():
        typer.echo(f"{name:<32} {spec.kind:<9} v{spec.version:<6} {spec.title} [{spec.source}]")


@lot_app.command("check")
def lot_check(
    lot_file: Path = typer.Argument(..., help="Lot results as JSON (see docs/cells.md)."),
    spec: str = typer.Option(..., "--spec", help="Specification name (see `sclerostem lot specs`) or path of a spec YAML."),
    fmt: Format = typer.Option(Format.text, "--format", help="text, json or pdf."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write to FILE (required for pdf)."),
) -> None:
    """Check a lot's results against a specification. Exit 0 passed (releasable), 1 not, 2 bad input."""
    from sclerostem.cells import check_lot, load_spec, lot_from_dict
    from sclerostem.reports._certificate import render_certificate_pdf, render_certificate_text

    holder: dict[str, object] = {}

    def run() -> None:
        try:
            raw = json.loads(lot_file.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError("LOT_FILE", str(lot_file), f"a readable JSON file ({exc})") from None
        if fmt is Format.pdf and output is None:
            raise InputError("--output", None, "a file path when --format pdf")
        holder["report"] = check_lot(lot_from_dict(raw), load_spec(spec))

    fail_on_input_error(run)
    report = cast("LotReleaseReport", holder["report"])
    if fmt is Format.pdf:
        data = render_certificate_pdf(report)
    elif fmt is Format.json:
        data = (json.dumps(report.to_dict(), indent=2) + "\n").encode()
    else:
        data = (render_certificate_text(report) + "\n").encode()
    if output is not None:
        with atomic_path(output) as tmp:
            tmp.write_bytes(data)
        typer.echo(f"{report.decision}: written {output}", err=True)
    else:
        typer.echo(data.decode(), nl=False)
    raise typer.Exit(code=0 if report.passed else 1)


@graft_app.command("dose")
def graft_dose(
    weight_kg: float = typer.Option(..., "--weight-kg", help="Patient weight (kg)."),
    cd34: list[float] = typer.Option(..., "--cd34", help="CD34+ cells in one apheresis product (cells); repeat per collection."),
    target: float | None = typer.Option(None, "--target", help="Target dose (CD34+ cells/kg), a centre parameter."),
    minimum: float | None = typer.Option(None, "--minimum", help="Minimum dose (CD34+ cells/kg), a centre parameter."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable result on stdout."),
) -> None:
    """CD34+ dose per kg of a graft from its apheresis products."""
    from sclerostem.cells import Collection, graft_cd34_dose

    holder: dict[str, Any] = {}

    def run() -> None:
        holder["r"] = graft_cd34_dose([Collection(c, label=f"collection {i}") for i, c in enumerate(cd34, 1)], weight_kg,
                                      target_cd34_per_kg=target, minimum_cd34_per_kg=minimum)

    fail_on_input_error(run)
    r = holder["r"]
    if as_json:
        typer.echo(json.dumps(r.to_dict(), indent=2))
        return
    typer.echo(f"CD34+ dose: {r.value / 1e6:.2f} x 10^6/kg ({r.interpretation})")
    for part in r.components["collections"]:
        typer.echo(f"  {part['label']}: {part['cd34_cells']:.3g} cells = {part['cd34_per_kg'] / 1e6:.2f} x 10^6/kg")
    for cav in r.caveats:
        typer.echo(f"  caveat: {cav.message}")


@graft_app.command("volume")
def graft_volume(
    weight_kg: float = typer.Option(..., "--weight-kg", help="Patient weight (kg)."),
    target: float = typer.Option(..., "--target", help="Target dose (CD34+ cells/kg)."),
    pb_cd34_per_ul: float = typer.Option(..., "--pb-cd34-per-ul", help="Pre-apheresis peripheral CD34+ count (cells/uL)."),
    ce_percent: float = typer.Option(..., "--ce-percent", help="Expected collection efficiency (%)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Blood volume to process for a target CD34+ dose."""
    from sclerostem.cells import volume_to_process_ml

    holder: dict[str, Any] = {}

    def run() -> None:
        holder["r"] = volume_to_process_ml(weight_kg, target, pb_cd34_per_ul, ce_percent)

    fail_on_input_error(run)
    r = holder["r"]
    if as_json:
        typer.echo(json.dumps(r.to_dict(), indent=2))
        return
    typer.echo(f"Blood volume to process: {r.value:,.0f} mL ({r.interpretation})")
    for cav in r.caveats:
        typer.echo(f"  caveat: {cav.message}")


@graft_app.command("efficiency")
def graft_efficiency(
    cd34: float = typer.Option(..., "--cd34", help="CD34+ cells in the product (cells)."),
    litres: float = typer.Option(..., "--litres", help="Blood volume processed (L)."),
    pb_cd34_per_ul: float = typer.Option(..., "--pb-cd34-per-ul", help="Pre-procedure peripheral CD34+ (cells/uL)."),
) -> None:
    """Collection efficiency (CE2, %) of one apheresis."""
    from sclerostem.cells import collection_efficiency_percent

    holder: dict[str, Any] = {}

    def run() -> None:
        holder["ce"] = collection_efficiency_percent(cd34, litres, pb_cd34_per_ul)

    fail_on_input_error(run)
    typer.echo(f"Collection efficiency: {holder['ce']:.1f} %")


def register(app: typer.Typer) -> None:
    """Add ``sclerostem lot`` and ``sclerostem graft`` to the root application."""
    app.add_typer(lot_app, name="lot")
    app.add_typer(graft_app, name="graft")

"""CLI commands of the cells capability: ``sclerostem lot ...`` and ``sclerostem graft ...``."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import typer

from sclerostem.cli._common import atomic_path, fail_on_input_error, read_json, run_or_exit
from sclerostem.cli._registry import acting_session
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

    def run() -> LotReleaseReport:
        raw = read_json(lot_file, "LOT_FILE")
        if fmt is Format.pdf and output is None:
            raise InputError("--output", None, "a file path when --format pdf")
        return check_lot(lot_from_dict(raw), load_spec(spec))

    report = run_or_exit(run)
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

    r = run_or_exit(lambda: graft_cd34_dose(
        [Collection(c, label=f"collection {i}") for i, c in enumerate(cd34, 1)], weight_kg,
        target_cd34_per_kg=target, minimum_cd34_per_kg=minimum))
    if as_json:
        typer.echo(json.dumps(r.to_dict(), indent=2))
        return
    typer.echo(f"CD34+ dose: {cast(float, r.value) / 1e6:.2f} x 10^6/kg ({r.interpretation})")
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

    r = run_or_exit(lambda: volume_to_process_ml(weight_kg, target, pb_cd34_per_ul, ce_percent))
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

    ce = run_or_exit(lambda: collection_efficiency_percent(cd34, litres, pb_cd34_per_ul))
    typer.echo(f"Collection efficiency: {ce:.1f} %")


# ------------------------------------------------------------ registry-backed lot commands
DB_HELP = "Registry database URL; default $SCLEROSTEM_DB or the user data directory's SQLite file."
USER_HELP = "Registry user acting (audit trail); default $SCLEROSTEM_USER, else the only admin."


def _lot_id(session: Any, lot_number: str) -> int:
    from sqlalchemy import select

    from sclerostem.registry import CellLot

    lot_id = session.execute(select(CellLot.id).where(CellLot.lot_number == lot_number)).scalar()
    if lot_id is None:
        raise InputError("LOT_NUMBER", lot_number, "the lot number of a registered cell lot")
    return int(lot_id)


def _patient_id(session: Any, patient: str) -> int:
    from sqlalchemy import select

    from sclerostem.registry import Patient

    pid = session.execute(select(Patient.id).where(Patient.study_id == patient)).scalar()
    if pid is None and patient.isdigit() and session.get(Patient, int(patient)) is not None:
        pid = int(patient)
    if pid is None:
        raise InputError("--patient", patient, "a patient's study id or registry id")
    return int(pid)


@lot_app.command("register")
def lot_register(
    lot_number: str = typer.Argument(..., help="Local lot number (unique)."),
    din: str = typer.Option(..., "--din", help="ISBT 128 DIN with its check character (verified)."),
    product_type: str = typer.Option(..., "--product-type", help="hsc_cd34_selected, hsc_unmanipulated, msc, svf, fat_graft, other."),
    donor_type: str = typer.Option("autologous", "--donor-type", help="autologous or allogeneic."),
    patient: str | None = typer.Option(None, "--patient", help="Study id (or registry id) of the patient the product is made for."),
    tissue_source: str | None = typer.Option(None, "--tissue-source", help="bone_marrow, adipose, umbilical_cord, wharton_jelly, placenta, other."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    user: str | None = typer.Option(None, "--user", help=USER_HELP),
) -> None:
    """Register a cell lot in the registry under its DIN (check character verified)."""
    from sclerostem.registry import register_cell_lot

    def run() -> None:
        with acting_session(db, user) as (s, actor):
            pid = _patient_id(s, patient) if patient else None
            lot = register_cell_lot(s, actor, lot_number=lot_number, din=din,
                                    product_type=product_type, donor_type=donor_type, patient_id=pid,
                                    tissue_source=tissue_source)
            typer.echo(f"registered lot {lot.lot_number} (id {lot.id}), DIN {lot.din}, status {lot.status}")

    fail_on_input_error(run)


@lot_app.command("results")
def lot_results(
    lot_number: str = typer.Argument(..., help="Lot number of a registered lot."),
    results_file: Path = typer.Argument(..., help="Lot results as JSON (see docs/cells.md)."),
    spec: str = typer.Option(..., "--spec", help="Shipped specification name (see `sclerostem lot specs`)."),
    release_date: str | None = typer.Option(None, "--release-date", help="Release date YYYY-MM-DD if releasable (default today)."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    user: str | None = typer.Option(None, "--user", help=USER_HELP),
) -> None:
    """Record a registered lot's release results; store the decision. Exit 0 releasable, 1 not, 2 bad input."""
    from sclerostem.registry import record_lot_results

    def run() -> Any:
        raw = read_json(results_file, "RESULTS_FILE")
        with acting_session(db, user) as (s, actor):
            return record_lot_results(s, actor, _lot_id(s, lot_number), raw, spec, release_date=release_date)

    report = run_or_exit(run)
    typer.echo(f"lot {lot_number}: {report.decision} ({report.spec.name} v{report.spec.version})")
    missing = report.to_dict()["missing_results"]
    if missing:
        typer.echo("results missing (block release): " + ", ".join(missing))
    raise typer.Exit(code=0 if report.releasable else 1)


@lot_app.command("infuse")
def lot_infuse(
    lot_number: str = typer.Argument(..., help="Lot number of a registered, released lot."),
    patient: str = typer.Option(..., "--patient", help="Study id (or registry id) of the recipient."),
    scanned_din: str = typer.Option(..., "--scanned-din", help="DIN scanned or keyed at the bedside."),
    infusion_date: str = typer.Option(..., "--date", help="Infusion date YYYY-MM-DD."),
    dose: float | None = typer.Option(None, "--dose-cells-per-kg", help="Dose infused (cells/kg)."),
    volume: float | None = typer.Option(None, "--volume-ml", help="Volume infused (mL)."),
    weight: float | None = typer.Option(None, "--weight-kg", help="Recipient weight (kg)."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    user: str | None = typer.Option(None, "--user", help=USER_HELP),
) -> None:
    """Record an infusion after the identity check; a mismatch is refused (exit 2) and audited."""
    from sclerostem.registry import record_infusion

    def run() -> None:
        with acting_session(db, user) as (s, actor):
            inf = record_infusion(s, actor, _lot_id(s, lot_number), patient_id=_patient_id(s, patient),
                                  scanned_din=scanned_din, infusion_date=infusion_date,
                                  dose_cells_per_kg=dose, volume_ml=volume, weight_kg=weight)
            typer.echo(f"infusion of lot {lot_number} recorded (id {inf.id}) on {inf.infusion_date.isoformat()}")

    fail_on_input_error(run)


@lot_app.command("chain")
def lot_chain(
    lot_number: str = typer.Argument(..., help="Lot number of a registered lot."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    user: str | None = typer.Option(None, "--user", help=USER_HELP),
) -> None:
    """Print a lot's chain of identity (JSON): registration, collection, processing, release, infusion."""
    from sclerostem.registry import chain_of_identity

    def run() -> Any:
        with acting_session(db, user, read_only=True) as (s, actor):
            return chain_of_identity(s, actor, _lot_id(s, lot_number))

    typer.echo(json.dumps(run_or_exit(run), indent=2))


def register(app: typer.Typer) -> None:
    """Add ``sclerostem lot`` and ``sclerostem graft`` to the root application."""
    app.add_typer(lot_app, name="lot")
    app.add_typer(graft_app, name="graft")

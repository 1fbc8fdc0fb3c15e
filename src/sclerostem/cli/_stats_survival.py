"""``sclerostem stats km|cox|cif|responders``: survival, Cox, competing risks, responders on CSV."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import typer

from sclerostem.cli._common import atomic_path, fail_on_input_error
from sclerostem.errors import InputError, InputTypeError, UnknownFieldError

_PLOT_SUFFIXES = (".png", ".pdf", ".svg")


def _read_csv(path: Path) -> Any:
    import polars as pl

    if not path.is_file():
        raise InputError("DATA", str(path), "an existing CSV file")
    try:
        return pl.read_csv(path, infer_schema_length=None, null_values=["", "NA", "NaN"])
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
        raise InputError("DATA", str(path), f"a readable CSV file with a header row ({exc.__class__.__name__})") from None


def _column(df: Any, name: str) -> Any:
    if name not in df.columns:
        raise UnknownFieldError(name, "missing column", "a column of the CSV: " + ", ".join(df.columns))
    return df.get_column(name)


def _cast_float(df: Any, name: str, allowed: str) -> tuple[Any, Any]:
    """(column, column cast to Float64); text that is not a number is refused with the row number."""
    import polars as pl

    s = _column(df, name)
    cast = s.cast(pl.Float64, strict=False)
    bad_text = cast.is_null() & s.is_not_null()
    if bad_text.any():
        i = int(bad_text.arg_true()[0])
        raise InputTypeError(name, s[i], allowed, i + 1)
    return s, cast


def _numeric(df: Any, name: str, allowed: str) -> Any:
    """Column as float numpy array; empty cells and text are refused with the row number."""
    s, cast = _cast_float(df, name, allowed)
    if s.is_null().any():
        i = int(s.is_null().arg_true()[0])
        raise InputError(name, None, allowed + " (empty cells are not allowed)", i + 1)
    return cast.to_numpy()


def _events(df: Any, name: str, event_value: float, censor_value: float) -> Any:
    """Event column recoded to 1/0 from the given codes (e.g. R's lung: 2 = dead, 1 = censored)."""
    import numpy as np

    allowed = f"{event_value:g} (event) or {censor_value:g} (censored)"
    if event_value == censor_value:
        raise InputError("--event-value", event_value, "a code different from --censor-value")
    e = _numeric(df, name, allowed)
    bad = ~np.isin(e, (event_value, censor_value))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(name, float(e[i]), allowed, i + 1)
    return (e == event_value).astype(int)


def _covariate_names(option: str) -> list[str]:
    """The ``--covariates`` option split on commas."""
    names = [c.strip() for c in option.split(",") if c.strip()]
    if not names:
        raise InputError("--covariates", option, "comma-separated column names")
    return names


def _covariate_columns(df: Any, names: list[str]) -> dict[str, list[Any]]:
    """Numeric covariate columns by name; empty cells stay None (the model drops the row)."""
    return {n: _cast_float(df, n, "a number (encode categories as 0/1 columns)")[1].to_list() for n in names}


def _labels(df: Any, name: str) -> list[Any]:
    s = _column(df, name)
    if s.is_null().any():
        i = int(s.is_null().arg_true()[0])
        raise InputError(name, None, "a group label (empty cells are not allowed)", i + 1)
    return s.to_list()


def _parse_times(at: str | None, option: str = "--at") -> list[float] | None:
    if at is None:
        return None
    out = []
    for part in at.split(","):
        try:
            v = float(part.strip())
        except ValueError:
            raise InputError(option, part.strip(), "comma-separated numbers of at least 0, e.g. 12,24,36") from None
        if not math.isfinite(v) or v < 0:
            raise InputError(option, part.strip(), "comma-separated numbers of at least 0, e.g. 12,24,36")
        out.append(v)
    return out


def _check_plot(plot: Path | None) -> None:
    if plot is not None and plot.suffix.lower() not in _PLOT_SUFFIXES:
        raise InputError("--plot", str(plot), "a file name ending in " + ", ".join(_PLOT_SUFFIXES))


def _save(fig: Any, plot: Path) -> None:
    with atomic_path(plot) as tmp:
        fig.savefig(tmp, format=plot.suffix.lower().lstrip("."), dpi=150)


def _fmt(x: Any, nd: int = 4) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "NA"
    if isinstance(x, float):
        return f"{x:.{nd}f}"
    return str(x)


def _t(x: float) -> str:
    """A time for display: 12 rather than 12.0000."""
    return f"{x:g}"


def _g(x: float) -> str:
    """A time that may be missing (NA)."""
    return "NA" if not math.isfinite(x) else f"{x:g}"


def _v(x: float) -> str:
    """A variance for display (6 significant digits)."""
    return "NA" if not math.isfinite(x) else f"{x:.6g}"


def _fmt_p(p: float) -> str:
    return f"{p:.3g}" if p >= 1e-4 else f"{p:.2e}"


def _echo_table(header: list[str], rows: list[list[Any]]) -> None:
    cells = [header] + [[_fmt(v) for v in r] for r in rows]
    widths = [max(len(r[j]) for r in cells) for j in range(len(header))]
    for r in cells:
        typer.echo("  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)))


def register_stats(stats_app: typer.Typer) -> None:
    """Add the survival commands to the ``stats`` group."""

    @stats_app.command("km")
    def km(
        data: Path = typer.Argument(..., help="CSV file, one row per subject."),
        time: str = typer.Option(..., "--time", help="Column of follow-up times (>= 0; e.g. months)."),
        event: str = typer.Option(..., "--event", help="Column of event indicators: 1 event, 0 censored."),
        group: str | None = typer.Option(None, "--group", help="Column of group labels (one curve each + log-rank)."),
        event_value: float = typer.Option(1, "--event-value", help="Code of an event in the event column."),
        censor_value: float = typer.Option(0, "--censor-value", help="Code of a censored row in the event column."),
        ci: str = typer.Option("log", "--ci", help="CI type: log (R default), log-log or plain."),
        conf_level: float = typer.Option(0.95, "--conf-level", help="CI coverage."),
        at: str | None = typer.Option(None, "--at", help="Comma-separated times for survival estimates, e.g. 12,24."),
        time_unit: str = typer.Option("months", "--time-unit", help="Unit of the time column (axis label)."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON on stdout."),
        plot: Path | None = typer.Option(None, "--plot", help="Write the KM plot to FILE (.png, .pdf or .svg)."),
    ) -> None:
        """Kaplan-Meier curves (Greenwood CIs, R conventions), median, survival at times, log-rank."""
        from sclerostem.stats.survival import (
            CONF_TYPES,
            kaplan_meier,
            kaplan_meier_by_group,
            logrank_test,
        )

        def run() -> None:
            if ci not in CONF_TYPES:
                raise InputError("--ci", ci, "one of " + ", ".join(repr(c) for c in CONF_TYPES))
            _check_plot(plot)
            times = _parse_times(at)
            df = _read_csv(data)
            t = _numeric(df, time, "a number of at least 0 (follow-up time)")
            e = _events(df, event, event_value, censor_value)
            kw: dict[str, Any] = {"conf_type": ci, "conf_level": conf_level, "time_field": time, "event_field": event}
            lr = None
            if group is None:
                curves = [kaplan_meier(t, e, **kw)]
            else:
                g = _labels(df, group)
                curves = list(kaplan_meier_by_group(t, e, g, group_field=group, **kw).values())
                if len(curves) > 1:
                    lr = logrank_test(t, e, g, time_field=time, event_field=event, group_field=group)
            if as_json:
                out: dict[str, Any] = {"analysis": "kaplan-meier", "data": str(data), "time": time, "event": event,
                                       "group": group, "curves": [c.to_dict(at=times) for c in curves],
                                       "logrank": lr.to_dict() if lr else None}
                typer.echo(json.dumps(out, indent=2))
            else:
                for c in curves:
                    med, lo, hi = c.median
                    name = f"{group} = {c.group}" if c.group is not None else "all subjects"
                    median = "not reached" if math.isnan(med) else f"{med:g}"
                    typer.echo(f"{name}: n = {c.n}, events = {c.events}, median = {median} "
                               f"({round(c.conf_level * 100)}% CI {_g(lo)} to {_g(hi)}; CI type {c.conf_type})")
                    if times is not None:
                        a = c.at(times)
                        rows = [[_t(a["time"][i]), int(a["n_risk"][i]), float(a["survival"][i]),
                                 float(a["ci_low"][i]), float(a["ci_high"][i])] for i in range(len(times))]
                        _echo_table(["time", "n_risk", "survival", "ci_low", "ci_high"], rows)
                    else:
                        idx = [i for i in range(c.time.size) if c.n_event[i] > 0]
                        rows = [[_t(c.time[i]), int(c.n_risk[i]), int(c.n_event[i]), float(c.survival[i]),
                                 float(c.ci_low[i]), float(c.ci_high[i])] for i in idx]
                        _echo_table(["time", "n_risk", "n_event", "survival", "ci_low", "ci_high"], rows)
                    typer.echo("")
                if lr is not None:
                    typer.echo(f"log-rank test: chi-squared = {lr.chisq:.4f}, df = {lr.df}, p = {_fmt_p(lr.p_value)}")
            if plot is not None:
                from sclerostem.plots._survival import km_figure

                _save(km_figure(curves, time_unit=time_unit, risk_times=times, logrank=lr, group_name=group), plot)

        fail_on_input_error(run)

    @stats_app.command("cox")
    def cox(
        data: Path = typer.Argument(..., help="CSV file, one row per subject."),
        time: str = typer.Option(..., "--time", help="Column of follow-up times (>= 0)."),
        event: str = typer.Option(..., "--event", help="Column of event indicators: 1 event, 0 censored."),
        covariates: str = typer.Option(..., "--covariates", help="Comma-separated numeric covariate columns."),
        event_value: float = typer.Option(1, "--event-value", help="Code of an event in the event column."),
        censor_value: float = typer.Option(0, "--censor-value", help="Code of a censored row in the event column."),
        ties: str = typer.Option("efron", "--ties", help="Tie handling: efron (R default) or breslow."),
        conf_level: float = typer.Option(0.95, "--conf-level", help="CI coverage."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON on stdout."),
    ) -> None:
        """Cox proportional-hazards model: per term coef, se, HR, CI, p (Wald)."""

        from sclerostem.stats.survival import TIES, cox_ph

        def run() -> None:
            if ties not in TIES:
                raise InputError("--ties", ties, "one of " + ", ".join(repr(c) for c in TIES))
            names = _covariate_names(covariates)
            df = _read_csv(data)
            t = _numeric(df, time, "a number of at least 0 (follow-up time)")
            e = _events(df, event, event_value, censor_value)
            cov = _covariate_columns(df, names)
            model = cox_ph(t, e, cov, ties=ties, conf_level=conf_level,  # type: ignore[arg-type]
                           time_field=time, event_field=event)
            if as_json:
                out = {"analysis": "cox", "data": str(data), "time": time, "event": event, **model.to_dict()}
                typer.echo(json.dumps(out, indent=2))
                return
            typer.echo(f"Cox proportional hazards ({ties} ties): n = {model.n}, events = {model.n_event}"
                       + (f", {model.n_dropped} row(s) dropped for missing covariates" if model.n_dropped else ""))
            rows = [[t_, float(model.coef[i]), float(model.se[i]), float(model.hr[i]), float(model.hr_ci_low[i]),
                     float(model.hr_ci_high[i]), _fmt_p(float(model.p_value[i]))] for i, t_ in enumerate(model.terms)]
            _echo_table(["term", "coef", "se", "hr", "ci_low", "ci_high", "p"], rows)
            typer.echo(f"log partial likelihood: null {model.loglik_null:.4f}, model {model.loglik:.4f}")

        fail_on_input_error(run)

    @stats_app.command("cif")
    def cif(
        data: Path = typer.Argument(..., help="CSV file, one row per subject."),
        time: str = typer.Option(..., "--time", help="Column of follow-up times (>= 0)."),
        cause: str = typer.Option(..., "--cause", help="Column of causes: 0 censored, 1, 2, ... cause of the event."),
        group: str | None = typer.Option(None, "--group", help="Column of group labels (curves per group + Gray's test)."),
        at: str | None = typer.Option(None, "--at", help="Comma-separated times for estimates, e.g. 12,24."),
        time_unit: str = typer.Option("months", "--time-unit", help="Unit of the time column (axis label)."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON on stdout."),
        plot: Path | None = typer.Option(None, "--plot", help="Write the CIF plot to FILE (.png, .pdf or .svg)."),
    ) -> None:
        """Cumulative incidence per cause (Aalen-Johansen, cmprsk variance, no tie jitter); Gray's test."""
        from sclerostem.stats.survival import cumulative_incidence, gray_test

        def run() -> None:
            _check_plot(plot)
            times = _parse_times(at)
            df = _read_csv(data)
            t = _numeric(df, time, "a number of at least 0 (follow-up time)")
            c = _numeric(df, cause, "a whole number: 0 (censored) or a cause code 1, 2, ...")
            g = _labels(df, group) if group is not None else None
            curves = cumulative_incidence(t, c, g, time_field=time, cause_field=cause, group_field=group or "group")
            tests = []
            if g is not None and len({x.group for x in curves}) > 1:
                tests = gray_test(t, c, g, time_field=time, cause_field=cause, group_field=group or "group")
            if as_json:
                out = {"analysis": "cumulative-incidence", "data": str(data), "time": time, "cause": cause,
                       "group": group, "curves": [x.to_dict(at=times) for x in curves],
                       "gray_tests": [x.to_dict() for x in tests]}
                typer.echo(json.dumps(out, indent=2))
            else:
                for x in curves:
                    name = f"cause {x.cause}" + (f", {group} = {x.group}" if x.group is not None else "")
                    typer.echo(f"{name}: n = {x.n}, events = {int(x.n_event.sum())}")
                    if times is not None:
                        a = x.at(times)
                        rows = [[_t(a["time"][i]), float(a["cif"][i]), _v(float(a["variance"][i]))]
                                for i in range(len(times))]
                        _echo_table(["time", "cif", "variance"], rows)
                    else:
                        rows = [[_t(x.time[i]), int(x.n_event[i]), float(x.cif[i]), _v(float(x.variance[i]))]
                                for i in range(x.time.size)]
                        _echo_table(["time", "n_event", "cif", "variance"], rows)
                    typer.echo("")
                for gt in tests:
                    typer.echo(f"Gray's test, cause {gt.cause}: statistic = {gt.statistic:.4f}, df = {gt.df}, "
                               f"p = {_fmt_p(gt.p_value)}")
            if plot is not None:
                from sclerostem.plots._survival import cif_figure

                _save(cif_figure(curves, time_unit=time_unit, tests=tests), plot)

        fail_on_input_error(run)

    @stats_app.command("fine-gray")
    def fine_gray_cmd(
        data: Path = typer.Argument(..., help="CSV file, one row per subject."),
        time: str = typer.Option(..., "--time", help="Column of follow-up times (>= 0)."),
        cause: str = typer.Option(..., "--cause", help="Column of causes: 0 censored, 1, 2, ... cause of the event."),
        covariates: str = typer.Option(..., "--covariates", help="Comma-separated numeric covariate columns."),
        failcode: int = typer.Option(1, "--failcode", help="Cause of interest."),
        conf_level: float = typer.Option(0.95, "--conf-level", help="CI coverage."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON on stdout."),
    ) -> None:
        """Fine-Gray subdistribution-hazards regression (R cmprsk::crr): coef, robust se, SHR, CI, p."""

        from sclerostem.stats.survival import fine_gray

        def run() -> None:
            names = _covariate_names(covariates)
            df = _read_csv(data)
            t = _numeric(df, time, "a number of at least 0 (follow-up time)")
            c = _numeric(df, cause, "a whole number: 0 (censored) or a cause code 1, 2, ...")
            cov = _covariate_columns(df, names)
            model = fine_gray(t, c, cov, failcode=failcode, conf_level=conf_level, time_field=time,
                              cause_field=cause)
            if as_json:
                typer.echo(json.dumps({"analysis": "fine-gray", "data": str(data), **model.to_dict()}, indent=2))
                return
            typer.echo(f"Fine-Gray model for cause {failcode}: n = {model.n}, events of the cause = {model.n_event}"
                       + (f", {model.n_dropped} row(s) dropped for missing covariates" if model.n_dropped else ""))
            rows = [[t_, float(model.coef[i]), float(model.se[i]), float(model.shr[i]), float(model.shr_ci_low[i]),
                     float(model.shr_ci_high[i]), _fmt_p(float(model.p_value[i]))]
                    for i, t_ in enumerate(model.terms)]
            _echo_table(["term", "coef", "se", "shr", "ci_low", "ci_high", "p"], rows)
            typer.echo(f"log pseudo-likelihood: {model.loglik:.4f}")

        fail_on_input_error(run)

    @stats_app.command("responders")
    def responders(
        data: Path = typer.Argument(..., help="Visits CSV: one row per patient visit."),
        definitions: str = typer.Option(
            ..., "--definitions",
            help="Comma-separated presets: acr_criss, mrss_mcid_dcssc, mrss_eustar_improvement, mrss_assist, "
                 "fvc_assist, fvc_rcriss_5pct, haq_di_mcid.",
        ),
        landmarks: str = typer.Option(..., "--landmarks", help="Comma-separated landmark times in months, e.g. 12,24."),
        patient: str = typer.Option("patient_id", "--patient", help="Patient identifier column."),
        time: str = typer.Option("time_months", "--time", help="Column of months since baseline."),
        group: str | None = typer.Option(None, "--group", help="Arm/group column."),
        window: float = typer.Option(3.0, "--window", help="Landmark visit window, +/- months."),
        baseline_window: float = typer.Option(1.0, "--baseline-window", help="Baseline visit window, +/- months."),
        missing: str = typer.Option("exclude", "--missing", help="Not-evaluable patients: exclude or non_responder."),
        custom: list[str] = typer.Option(
            [], "--custom",
            help="Extra caller-supplied rule (reported UNCONFIRMED), e.g. "
                 "name=fvc_mcid,measure=fvc_percent_predicted,direction=increase,min_change=3. Repeatable.",
        ),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON on stdout."),
    ) -> None:
        """Responder proportions at landmark times with exact (Clopper-Pearson) 95% CIs."""
        from sclerostem.stats.responders import custom_definition, get_definition, responder_rates

        def run() -> None:
            defs = [get_definition(n.strip()) for n in definitions.split(",") if n.strip()]
            for spec in custom:
                defs.append(_parse_custom(spec, custom_definition))
            lms = _parse_times(landmarks, "--landmarks") or []
            df = _read_csv(data)
            res = responder_rates(df, defs, lms, patient_col=patient, time_col=time, group_col=group,
                                  window_months=window, baseline_window_months=baseline_window,
                                  missing=missing)  # type: ignore[arg-type]
            if as_json:
                typer.echo(json.dumps(res.to_dict(), indent=2))
                return
            rows = [[r.definition, _t(r.landmark_months), r.group or "all", r.n_patients, r.n_evaluable, r.n_responders,
                     r.proportion, r.ci_low, r.ci_high] for r in res.rates]
            _echo_table(["definition", "month", "group", "patients", "evaluable", "responders", "proportion",
                         "ci_low", "ci_high"], rows)
            typer.echo("")
            for d in res.definitions:
                typer.echo(f"{d.name}: {d.describe()} [{d.status.value}; {d.source}]")
            for c in res.caveats:
                typer.echo(f"caveat ({c.status.value}): {c.message}")

        fail_on_input_error(run)


def _parse_custom(spec: str, factory: Any) -> Any:
    allowed = ("name=NAME,measure=COLUMN,direction=decrease|increase and min_change=X and/or "
               "min_relative_pct=Y [,strict=1]")
    kv: dict[str, str] = {}
    for part in spec.split(","):
        if "=" not in part:
            raise InputError("--custom", spec, allowed)
        k, v = part.split("=", 1)
        kv[k.strip()] = v.strip()
    try:
        name, measure, direction = kv.pop("name"), kv.pop("measure"), kv.pop("direction")
        nums = {k: float(kv.pop(k)) for k in ("min_change", "min_relative_pct") if k in kv}
        strict = kv.pop("strict", "0") in ("1", "true")
    except (KeyError, ValueError):
        raise InputError("--custom", spec, allowed) from None
    if kv:
        raise InputError("--custom", spec, allowed)
    return factory(name, measure, direction, strict=strict, **nums)

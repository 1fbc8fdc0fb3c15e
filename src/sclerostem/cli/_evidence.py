"""CLI commands of the evidence capability: ``sclerostem evidence ...`` and ``sclerostem meta``."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import typer

from sclerostem.cli._common import atomic_path, fail_on_input_error
from sclerostem.errors import InputError, InputTypeError

evidence_app = typer.Typer(help="The evidence base: the review's references and the trial results.",
                           no_args_is_help=True)

_COUNT_COLS = ("ai", "bi", "ci", "di")
_EVENT_COLS = ("ai", "n1i", "ci", "n2i")
_MEAN_COLS = ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")
_GEN_COLS = ("yi", "vi")
_HR_COLS = ("hr", "ci_low", "ci_high")


@evidence_app.command("list")
def list_cmd(
    therapy: str | None = typer.Option(None, help="Therapy code prefix, e.g. hsct, hsct-auto-myeloablative, msc-bm, svf."),
    disease: str | None = typer.Option(None, help="ssc or morphea."),
    kind: str | None = typer.Option(None, help="randomised-trial, cohort, case-report, review, guideline, "
                                    "mechanistic or meta-analysis."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List the references of the evidence dataset."""

    def run() -> None:
        from sclerostem import evidence

        refs = evidence.references(therapy=therapy, disease=disease, kind=kind)
        if as_json:
            typer.echo(json.dumps({"dataset_version": evidence.dataset_version(),
                                   "references": [r.to_dict() for r in refs]}, indent=2, ensure_ascii=False))
            return
        for r in refs:
            num = f"[{r.number}]" if r.number is not None else "[-]"
            typer.echo(f"{num:>5} {r.key:<22} {r.year or '':<5} {r.kind:<17} {','.join(r.therapies) or '-':<40} "
                       f"{','.join(r.diseases) or '-'}")
        typer.echo(f"{len(refs)} reference(s); dataset {evidence.dataset_version()}")

    fail_on_input_error(run)


@evidence_app.command("show")
def show_cmd(
    key: str = typer.Argument(..., help="Reference key, e.g. SCOT, ASTIS, Farge-2022."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show one reference and its outcome rows."""

    def run() -> None:
        from sclerostem import evidence

        ref = evidence.get(key)
        rows = evidence.outcome_rows(study=key)
        if as_json:
            typer.echo(json.dumps({**ref.to_dict(), "outcomes": [r.to_dict() for r in rows]},
                                  indent=2, ensure_ascii=False))
            return
        typer.echo(f"{ref.key}: {ref.citation}")
        ids = [f"DOI {ref.doi}" if ref.doi else "", f"PMID {ref.pmid}" if ref.pmid else "", *ref.other_ids]
        typer.echo("  identifiers: " + ("; ".join(i for i in ids if i) or "-"))
        typer.echo(f"  kind: {ref.kind}; therapies: {', '.join(ref.therapies) or '-'}; "
                   f"diseases: {', '.join(ref.diseases) or '-'}")
        cited = f"cited by the review as [{ref.number}]" if ref.cited_by_review else "not cited by the review"
        typer.echo(f"  {cited}; record status: {ref.status.value}; spec: {ref.spec_ref or '-'}")
        if ref.notes:
            typer.echo(f"  note: {ref.notes}")
        for i, r in enumerate(rows):
            typer.echo(f"  - {_row_text(r)}")
            following = rows[i + 1].caveats if i + 1 < len(rows) else None
            if r.caveats != following:  # once, after each run of rows sharing caveats (e.g. both arms)
                for cv in r.caveats:
                    typer.echo(f"      caveat [{cv.status.value}]: {cv.message}")

    fail_on_input_error(run)


@evidence_app.command("icons")
def icons_cmd(
    study: str = typer.Argument(..., help="ASTIS or SCOT (any study with count or percent rows for both arms)."),
    outcome: str = typer.Argument(..., help="efs, os or trm."),
    plot: Path = typer.Option(..., "--plot", help="Output picture (PNG, PDF or SVG by extension)."),
    time: str | None = typer.Option(None, "--time", help="Row time code, e.g. 72m; default the latest."),
) -> None:
    """Draw an icon array (per 100 patients, per arm) from the trial data, with time point and source."""

    def run() -> None:
        from sclerostem.plots._icons import OTHER_LABELS, icon_array_figure, trial_icon_arms

        fmt = plot.suffix.lower().lstrip(".") or "png"
        if fmt not in ("png", "pdf", "svg"):
            raise InputError("--plot", str(plot), "a file name ending in .png, .pdf or .svg")
        arms, label, time_label, source = trial_icon_arms(study, outcome, time=time)
        fig = icon_array_figure([(a.label, a.count) for a in arms], outcome_label=label, time_label=time_label,
                                source=source, other_label=OTHER_LABELS[outcome])
        with atomic_path(plot) as tmp:
            fig.savefig(tmp, format=fmt)
        for a in arms:
            typer.echo(f"{a.label}: {a.count} of 100 {label} (from {a.derivation}; {a.status})")
        typer.echo(f"{time_label}. Source: {source}")
        typer.echo(f"icon array written to {plot}")

    fail_on_input_error(run)


def _row_text(r: Any) -> str:
    if r.measure == "count":
        val = f"{r.events}/{r.n}"
    elif r.measure == "hr":
        val = f"HR {r.estimate:g} ({r.ci_low:g}-{r.ci_high:g})"
    else:
        val = f"{r.estimate:g}" + (" %" if r.measure == "percent" else "")
        if r.sd is not None:
            val += f" (SD {r.sd:g})"
        if r.ci_low is not None:
            val += f" [{r.ci_low:g} to {r.ci_high:g}]"
        if r.n is not None:
            val += f", n = {r.n}"
    pop = f", {r.population.upper()}" if r.population else ""
    if r.population and r.population_derived:
        pop += f" (population {r.population_status.value})"
    p = f", P {r.p_value}" if r.p_value else ""
    return f"{r.outcome} {r.arm}{pop} at {r.time_label}: {val}{p} [{r.status.value}, {r.spec_ref}]"


def _read_csv(path: Path) -> tuple[list[str], dict[str, list[str]]]:
    if not path.is_file():
        raise InputError("STUDIES.csv", str(path), "an existing CSV file")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None:
            raise InputError("STUDIES.csv", str(path), "a CSV file with a header row")
        fields = [f.strip() for f in reader.fieldnames]
        cols: dict[str, list[str]] = {f: [] for f in fields}
        for row in reader:
            for raw_name, value in row.items():
                if raw_name is None:
                    raise InputError("STUDIES.csv", str(path), "rows with no more cells than the header")
                cols[raw_name.strip()].append((value or "").strip())
    if not cols or not next(iter(cols.values())):
        raise InputError("STUDIES.csv", str(path), "at least one data row")
    return fields, cols


def _numbers(name: str, values: list[str], integer: bool) -> list[float | int]:
    out: list[float | int] = []
    kind = "a whole number" if integer else "a number"
    for i, v in enumerate(values, start=1):
        if v == "":
            raise InputError(name, v, f"{kind} in every row", row=i)
        try:
            x = float(v)
        except ValueError:
            raise InputTypeError(name, v, kind, row=i) from None
        if integer:
            if not x.is_integer():
                raise InputError(name, v, kind, row=i)
            out.append(int(x))
        else:
            out.append(x)
    return out


def _effect_sizes_from_csv(
    path: Path, measure: str | None
) -> tuple[Any, list[tuple[int, int, int, int]] | None, dict[str, list[str]]]:
    from sclerostem.stats import meta

    fields, cols = _read_csv(path)
    k = len(next(iter(cols.values())))
    labels = cols.get("study") or [f"Study {i + 1}" for i in range(k)]
    have = set(fields)
    if set(_COUNT_COLS) <= have or set(_EVENT_COLS) <= have:
        m = measure or "RR"
        if m not in ("RR", "OR", "RD"):
            raise InputError("measure", m, "RR, OR or RD for 2x2 count columns")
        use = _COUNT_COLS if set(_COUNT_COLS) <= have else _EVENT_COLS
        vals = {c: _numbers(c, cols[c], integer=True) for c in use}
        es = meta.escalc(m, labels=labels, **vals)  # type: ignore[arg-type]
        counts = [tuple(int(x) for x in row) for row in (es.counts if es.counts is not None else [])]
        return es, counts, cols  # type: ignore[return-value]
    if set(_MEAN_COLS) <= have:
        m = measure or "SMD"
        if m not in ("MD", "SMD"):
            raise InputError("measure", m, "MD or SMD for mean columns")
        vals = {c: _numbers(c, cols[c], integer=c in ("n1i", "n2i")) for c in _MEAN_COLS}
        return meta.escalc(m, labels=labels, **vals), None, cols  # type: ignore[arg-type]
    if set(_HR_COLS) <= have:
        if measure not in (None, "HR"):
            raise InputError("measure", measure, "HR (or none) for hr, ci_low, ci_high columns")
        hr_vals = {c: _numbers(c, cols[c], integer=False) for c in _HR_COLS}
        return meta.hr_effect_sizes(labels=labels, **hr_vals), None, cols  # type: ignore[arg-type]
    if set(_GEN_COLS) <= have:
        vals = {c: _numbers(c, cols[c], integer=False) for c in _GEN_COLS}
        return meta.escalc("GEN", labels=labels, **vals), None, cols  # type: ignore[arg-type]
    raise InputError(
        "columns", ",".join(fields),
        "study plus ai,bi,ci,di (or ai,n1i,ci,n2i), or m1i,sd1i,n1i,m2i,sd2i,n2i, or hr,ci_low,ci_high, or yi,vi",
    )


def _text_report(res: Any, title: str | None) -> str:
    import math

    d = res.to_dict()
    log = res.log_scale
    z = 1.959963984540054

    def t(x: float) -> float:
        return math.exp(x) if log else x

    lines = [title] if title else []
    lines.append(f"{'study':<24} {'estimate':>9} {'95% CI':>21} {'weight':>8}")
    for s in d["studies"]:
        if math.isfinite(s["yi"]) and math.isfinite(s["vi"]):
            lo, hi = s["yi"] - z * math.sqrt(s["vi"]), s["yi"] + z * math.sqrt(s["vi"])
            lines.append(f"{s['study']:<24} {t(s['yi']):>9.4f} [{t(lo):>8.4f}, {t(hi):>8.4f}] {s['weight_percent']:>7.1f}%")
        else:
            lines.append(f"{s['study']:<24} {'n/a':>9} {'':>21} {s['weight_percent']:>7.1f}%")
    scale = " (back-transformed)" if log else ""
    lines.append(f"pooled{scale}: {t(res.estimate):.4f} [{t(res.ci_low):.4f}, {t(res.ci_high):.4f}]; "
                 f"method {res.method}, test {res.test}, k = {res.k}")
    lines.append(f"analysis scale: estimate {res.estimate:.6f}, se {res.se:.6f}, "
                 f"{'t' if res.test == 'knha' else 'z'} = {res.stat:.4f}, p = {res.pval:.4g}")
    if res.pi_low is not None:
        lines.append(f"prediction interval: [{t(res.pi_low):.4f}, {t(res.pi_high):.4f}]")
    het = f"heterogeneity: tau2 = {res.tau2:.6f}"
    if res.tau2_ci is not None:
        het += f" [{res.tau2_ci[0]:.6f}, {res.tau2_ci[1]:.6f}]"
    het += f"; I2 = {res.i2:.1f}%; H2 = {res.h2:.3f}; Q = {res.q:.4f} (df = {res.q_df}, p = {res.q_p:.4g})"
    lines.append(het)
    lines.extend(f"note: {n}" for n in res.notes)
    return "\n".join(lines)


def _pooled_text(r: Any) -> str:
    import math

    def t(x: float) -> float:
        return math.exp(x) if r.log_scale else x

    return f"{t(r.estimate):.4f} [{t(r.ci_low):.4f}, {t(r.ci_high):.4f}]"


def meta_cmd(
    studies: Path | None = typer.Argument(None, help="CSV with metafor column names: study + ai,bi,ci,di "
                                          "(or ai,n1i,ci,n2i), or m1i,sd1i,n1i,m2i,sd2i,n2i, or yi,vi; "
                                          "or hr,ci_low,ci_high (95 % CI) for hazard ratios."),
    measure: str | None = typer.Option(None, "--measure", help="RR, OR, RD (counts), MD, SMD (means) or HR "
                                       "(hr columns). Default RR for counts, SMD for means."),
    method: str = typer.Option("REML", "--method", help="REML, DL, PM, ML, SJ, HE (random effects) or FE, MH, PETO."),
    test: str = typer.Option("z", "--test", help="z (Wald) or knha (Hartung-Knapp-Sidik-Jonkman)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a forest plot (PNG, PDF or SVG by extension)."),
    canned: str | None = typer.Option(None, "--canned", help="Run a canned analysis from the evidence dataset: "
                                      "hsct-trm (treatment-related deaths at 12 months in ASSIST, ASTIS, SCOT)."),
    subgroup_col: str | None = typer.Option(None, "--subgroup", help="CSV column with subgroup labels: separate "
                                            "models per subgroup and the test for subgroup differences."),
    loo: bool = typer.Option(False, "--leave-one-out", help="Also refit the model leaving out each study in turn."),
    funnel: Path | None = typer.Option(None, "--funnel", help="Write a funnel plot (PNG, PDF or SVG)."),
) -> None:
    """Meta-analysis of a CSV of studies (metafor conventions), or of a canned evidence set."""

    def run() -> None:
        from sclerostem import evidence
        from sclerostem._validation import check_choice
        from sclerostem.stats import meta

        check_choice("method", method.upper(), meta.METHODS)
        check_choice("test", test, meta.TESTS)
        if measure is not None:
            check_choice("measure", measure.upper(), ("RR", "OR", "RD", "MD", "SMD", "HR"))
        m_up = measure.upper() if measure else None
        title = source = None
        statuses: list[dict[str, str]] = []
        cols: dict[str, list[str]] = {}
        counts: list[tuple[int, int, int, int]] | None
        if canned is not None:
            if studies is not None:
                raise InputError("STUDIES.csv", str(studies), "no CSV together with --canned")
            tab = evidence.canned_table(canned)
            m_use = m_up or tab.default_measure
            if m_use not in ("RR", "OR", "RD"):
                raise InputError("measure", m_use, "RR, OR or RD for the count data of a canned analysis")
            es = meta.escalc(m_use, ai=tab.ai, bi=tab.bi, ci=tab.ci, di=tab.di, labels=tab.labels)
            counts = list(zip(tab.ai, tab.bi, tab.ci, tab.di, strict=True))
            title = tab.description
            source = "; ".join(f"{s} {ref} [{st.value}]" for s, ref, st in
                               zip(tab.labels, tab.spec_refs, tab.statuses, strict=True))
            statuses = [{"study": s, "status": st.value, "spec_ref": ref}
                        for s, st, ref in zip(tab.labels, tab.statuses, tab.spec_refs, strict=True)]
        elif studies is None:
            raise InputError("STUDIES.csv", None, "a CSV file, or --canned hsct-trm")
        else:
            es, counts, cols = _effect_sizes_from_csv(studies, m_up)
        for target in (plot, funnel):
            if target is not None and (target.suffix.lower().lstrip(".") or "png") not in ("png", "pdf", "svg"):
                raise InputError("--plot" if target is plot else "--funnel", str(target),
                                 "a file name ending in .png, .pdf or .svg")
        res = meta.meta_analysis(es, method=method.upper(), test=test)
        sub = None
        if subgroup_col is not None:
            if subgroup_col not in cols:
                raise InputError("--subgroup", subgroup_col, "a column of the CSV (" + ", ".join(cols) + ")")
            sub = meta.subgroup(es, cols[subgroup_col], method=method.upper(), test=test)
        loo_res = meta.leave_one_out(es, method=method.upper(), test=test) if loo else None
        if funnel is not None:
            from sclerostem.plots._forest import funnel_figure

            ffig = funnel_figure(res)
            with atomic_path(funnel) as tmp:
                ffig.savefig(tmp, format=funnel.suffix.lower().lstrip(".") or "png")
        if plot is not None:
            from sclerostem.plots._forest import forest_figure

            fmt = plot.suffix.lower().lstrip(".") or "png"
            fig = forest_figure(res, counts=counts,
                                arm_labels=("HSCT", "Control") if canned else ("Treatment", "Control"),
                                favours=("favours HSCT", "favours control") if canned else None,
                                title=title, source=source)
            with atomic_path(plot) as tmp:
                fig.savefig(tmp, format=fmt)
        if as_json:
            out = res.to_dict()
            if canned is not None:
                out["canned"] = canned
                out["evidence"] = statuses
                out["dataset_version"] = evidence.dataset_version()
            if sub is not None:
                out["subgroups"] = {g: r.to_dict() for g, r in sub.groups.items()}
                out["subgroup_test"] = {"q_between": sub.q_between, "df": sub.df, "p": sub.p_value,
                                        "notes": list(sub.notes)}
            if loo_res is not None:
                out["leave_one_out"] = [{"omitted": o.omitted, "estimate": o.result.estimate, "se": o.result.se,
                                         "ci_low": o.result.ci_low, "ci_high": o.result.ci_high,
                                         "tau2": o.result.tau2, "i2": o.result.i2, "q": o.result.q}
                                        for o in loo_res]
            typer.echo(json.dumps(out, indent=2))
        else:
            typer.echo(_text_report(res, title))
            if source:
                typer.echo(f"source: {source}")
            if sub is not None:
                typer.echo(f"subgroups by {subgroup_col}:")
                for g, r in sub.groups.items():
                    typer.echo(f"  {g}: k = {r.k}, {_pooled_text(r)}, tau2 = {r.tau2:.6f}, I2 = {r.i2:.1f}%")
                typer.echo(f"  test for subgroup differences: Q = {sub.q_between:.4f} (df = {sub.df}, "
                           f"p = {sub.p_value:.4g})")
                for n in sub.notes:
                    typer.echo(f"  note: {n}")
            if loo_res is not None:
                typer.echo("leave-one-out:")
                for o in loo_res:
                    typer.echo(f"  without {o.omitted}: {_pooled_text(o.result)}, tau2 = {o.result.tau2:.6f}, "
                               f"I2 = {o.result.i2:.1f}%")
            if plot is not None:
                typer.echo(f"forest plot written to {plot}")
            if funnel is not None:
                typer.echo(f"funnel plot written to {funnel}")

    fail_on_input_error(run)


def register(app: typer.Typer) -> None:
    """Add ``sclerostem evidence`` and ``sclerostem meta`` to the root application."""
    app.add_typer(evidence_app, name="evidence")
    app.command("meta")(meta_cmd)

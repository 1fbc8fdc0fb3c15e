"""Declared input fields of registry records: kind, plausible range, unit, source.

One declaration serves the service layer (single records), the REST API
(request models) and the importers (whole tables), so every path gives the
same error wording (:func:`sclerostem.errors.format_problem`).

Ranges
------
The mRSS site grades (0–3, 17 sites) and the HAQ-DI range (0–3) are clinical
facts: ``shared/spec/scores.md`` §1 and §5 [CONFIRMED]. All other ranges are
**plausibility bounds** chosen by the project to catch typing and unit errors
(e.g. CRP entered in mg/L into a mg/dL field); they are not clinical cut-offs
and are not taken from a publication.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, Literal

from sclerostem._validation import describe_range
from sclerostem.errors import InputError, InputTypeError
from sclerostem.scores import MRSS_SITES  # the 17 sites, declared once in the core

__all__ = [
    "CELL_LOT_FIELDS",
    "CRISS_EVENTS",
    "DIAGNOSIS_FIELDS",
    "DISEASES",
    "EVENT_FIELDS",
    "MRSS_SITES",
    "PATIENT_FIELDS",
    "SUBSETS",
    "TRANSPLANT_FIELDS",
    "TREATMENT_FIELDS",
    "VISIT_FIELDS",
    "VISIT_SCORE_INPUTS",
    "FieldSpec",
    "check_record",
    "converter",
    "parse_value",
]

Kind = Literal["int", "float", "bool", "str", "date", "choice"]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One declared field.

    Attributes
    ----------
    name : str
        Column / attribute name (unit in the name).
    kind : {"int", "float", "bool", "str", "date", "choice"}
    lo, hi : float, optional
        Inclusive plausible range for numbers.
    unit : str, optional
    choices : tuple of str
        Allowed codes for ``choice`` fields.
    description : str
    source : str, optional
        Citation of the range or code list (``None`` = project plausibility bound).
    required : bool
        Must be present when a record is created.
    identifying : bool
        Direct identifier: hidden from researchers and from de-identified exports.
    max_length : int
        For ``str`` fields.
    """

    name: str
    kind: Kind
    lo: float | None = None
    hi: float | None = None
    unit: str | None = None
    choices: tuple[str, ...] = ()
    description: str = ""
    source: str | None = None
    required: bool = False
    identifying: bool = False
    max_length: int = 200

    def allowed(self) -> str:
        """The 'allowed' phrase of the package's one error wording."""
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "bool":
            return "true or false (1/0), empty if not recorded"
        if self.kind == "date":
            return "a date YYYY-MM-DD"
        if self.kind == "str":
            return f"text of at most {self.max_length} characters"
        return describe_range(self.lo, self.hi, self.unit, integer=self.kind == "int")


_MRSS_SRC = "scores.md §1 (Khanna 2017; Clements 1993/1995): 17 sites graded 0–3 [CONFIRMED]"


def _f(name: str, kind: Kind, **kw: Any) -> FieldSpec:
    return FieldSpec(name, kind, **kw)


PATIENT_FIELDS: tuple[FieldSpec, ...] = (
    _f("study_id", "str", required=True, max_length=40,
       description="pseudonymous study identifier (unique)"),
    _f("centre", "str", required=True, max_length=80, description="treating centre"),
    _f("sex", "choice", choices=("female", "male", "other", "unknown")),
    _f("name", "str", identifying=True, description="full name (identifying)"),
    _f("date_of_birth", "date", identifying=True, description="date of birth (identifying)"),
    _f("hospital_number", "str", identifying=True, max_length=40,
       description="hospital record number (identifying)"),
    _f("consent_registry", "bool", description="registry consent recorded"),
    _f("synthetic", "bool", description="synthetic demo record"),
)

DISEASES = ("ssc", "morphea")
SUBSETS = ("dcSSc", "lcSSc", "ssc_sine_scleroderma", "limited_morphea", "generalized_morphea",
           "linear_scleroderma", "pansclerotic_morphea", "mixed_morphea")

DIAGNOSIS_FIELDS: tuple[FieldSpec, ...] = (
    _f("disease", "choice", choices=DISEASES, required=True),
    _f("subset", "choice", choices=SUBSETS,
       source="scores.md §7 (LeRoy subsets) and §8a (morphea classification)"),
    _f("raynaud_onset_date", "date"),
    _f("first_non_raynaud_date", "date", description="onset of first non-Raynaud symptom"),
    _f("diagnosis_date", "date"),
    _f("anti_scl70", "bool"),
    _f("anti_centromere", "bool"),
    _f("anti_rna_pol3", "bool"),
    _f("ild", "bool", description="interstitial lung disease on HRCT"),
)

_EUSTAR_SRC = "scores.md §3a (revised EUSTAR activity index, Valentini 2017) [CONFIRMED]"
_CRISS_SRC = "scores.md §4 (ACR-CRISS step 1, Khanna 2016 Table 4)"
_RULES_SRC = "hsct.md (candidacy criteria); name, unit and range of sclerostem.rules.Patient"

#: CRISS step-1 events during the interval since baseline (scores.md §4), as visit fields.
CRISS_EVENTS: dict[str, str] = {
    "criss_new_renal_crisis": "new scleroderma renal crisis since baseline",
    "criss_fvc_decline_with_ild": "FVC decline >= 15 % (relative) with ILD, confirmed, since baseline",
    "criss_new_lv_failure": "new left ventricular failure (LVEF <= 45 %) since baseline",
    "criss_new_pah": "new PAH on right-heart catheterisation since baseline",
}

VISIT_SCORE_INPUTS: tuple[str, ...] = (
    *(f"mrss_{s}" for s in MRSS_SITES),
    "fvc_percent_predicted", "dlco_percent_predicted", "haq_di", "crp_mg_dl",
    "patient_global_0_10", "physician_global_0_10", "digital_ulcers",
    "skin_worsening_patient_last_month", "tendon_friction_rubs", *CRISS_EVENTS,
)

VISIT_FIELDS: tuple[FieldSpec, ...] = (
    _f("visit_date", "date", required=True),
    _f("visit_label", "str", max_length=40, description="e.g. baseline, month_12"),
    *(_f(f"mrss_{s}", "int", lo=0, hi=3, description=f"mRSS {s.replace('_', ' ')} (0–3)",
         source=_MRSS_SRC) for s in MRSS_SITES),
    _f("fvc_percent_predicted", "float", lo=10, hi=200, unit="% predicted"),
    _f("dlco_percent_predicted", "float", lo=5, hi=200, unit="% predicted"),
    _f("lvef_percent", "float", lo=5, hi=90, unit="%"),
    _f("echo_spap_mmhg", "float", lo=5, hi=150, unit="mmHg",
       description="systolic pulmonary artery pressure estimated by echocardiography"),
    _f("rhc_mpap_mmhg", "float", lo=3, hi=100, unit="mmHg",
       description="mean pulmonary artery pressure at rest, measured by right-heart catheterisation "
                   "(never an echo estimate)"),
    _f("creatinine_mg_dl", "float", lo=0.1, hi=20, unit="mg/dL"),
    _f("creatinine_clearance_ml_min", "float", lo=0, hi=250, unit="mL/min"),
    _f("crp_mg_dl", "float", lo=0, hi=50, unit="mg/dL"),
    _f("esr_mm_h", "float", lo=0, hi=150, unit="mm/h"),
    _f("haq_di", "float", lo=0, hi=3, source="scores.md §5: HAQ-DI range 0–3 [CONFIRMED]"),
    _f("weight_kg", "float", lo=20, hi=250, unit="kg"),
    _f("patient_global_0_10", "float", lo=0, hi=10),
    _f("physician_global_0_10", "float", lo=0, hi=10),
    _f("digital_ulcers", "bool", description="digital ulcers present at the visit"),
    # EUSTAR activity items (scores.md §3a, Valentini 2017) -------------------
    _f("skin_worsening_patient_last_month", "bool", source=_EUSTAR_SRC,
       description="skin worse during the last month, as judged by the patient"),
    _f("tendon_friction_rubs", "bool", source=_EUSTAR_SRC,
       description="tendon friction rubs present at the visit"),
    # CRISS step-1 events since the baseline visit (scores.md §4) ------------
    *(_f(name, "bool", source=_CRISS_SRC, description=text) for name, text in CRISS_EVENTS.items()),
    # candidacy inputs (hsct.md; field names and ranges of sclerostem.rules.Patient) --
    _f("pulmonary_involvement", "bool", source=_RULES_SRC,
       description="lung involvement by SSc (ILD on HRCT and/or reduced FVC/DLCO)"),
    _f("progressive_ild", "bool", source=_RULES_SRC,
       description="progressive, CT-confirmed interstitial lung disease"),
    _f("heart_involvement", "bool", source=_RULES_SRC, description="cardiac involvement by SSc"),
    _f("kidney_involvement", "bool", source=_RULES_SRC,
       description="renal involvement by SSc, including prior scleroderma renal crisis"),
    _f("other_visceral_organ_involvement", "bool", source=_RULES_SRC,
       description="visceral involvement other than lung, heart, kidney (e.g. gastrointestinal)"),
    _f("acute_phase_reaction", "bool", source=_RULES_SRC,
       description="raised acute-phase reactants (ESR and/or CRP above the laboratory's upper limit)"),
    _f("crp_other_causes_excluded", "bool", source=_RULES_SRC,
       description="infection and other causes of a raised CRP excluded (CRP attributed to SSc)"),
    _f("proteinuria", "bool", source=_RULES_SRC, description="proteinuria on urinalysis"),
    _f("tlc_relative_decline_12m_percent", "float", lo=0, hi=100, unit="%", source=_RULES_SRC,
       description="relative fall of TLC (% predicted) over the last 12 months (0 if stable or improved)"),
    _f("karnofsky_percent", "int", lo=0, hi=100, unit="%", source=_RULES_SRC,
       description="Karnofsky performance status"),
    _f("ecog_performance_status", "int", lo=0, hi=4, unit="ECOG grade", source=_RULES_SRC,
       description="ECOG performance status"),
    _f("notes", "str", max_length=2000),
)

TREATMENT_AGENTS = ("cyclophosphamide", "mycophenolate", "methotrexate", "rituximab",
                    "tocilizumab", "nintedanib", "glucocorticoid", "azathioprine", "other")

TREATMENT_FIELDS: tuple[FieldSpec, ...] = (
    _f("agent", "choice", choices=TREATMENT_AGENTS, required=True),
    _f("start_date", "date", required=True),
    _f("end_date", "date"),
    _f("dose", "float", lo=0, hi=100000),
    _f("dose_unit", "choice", choices=("mg", "mg/m2", "mg/kg", "mg/day", "g/m2", "g")),
    _f("route", "choice", choices=("iv", "oral", "sc", "other")),
    _f("courses", "int", lo=0, hi=100, description="number of courses / pulses"),
    _f("notes", "str", max_length=2000),
)

MOBILISATION = ("cy_gcsf", "gcsf_only", "other")
CONDITIONING = ("cy200_ratg", "cy120_eatg_tbi", "ratg_flu_cy120", "melphalan", "other")

TRANSPLANT_FIELDS: tuple[FieldSpec, ...] = (
    _f("mobilisation_regimen", "choice", choices=MOBILISATION,
       source="msc.md §4.1 / hsct.md §B (ASSIST, ASTIS, SCOT regimens)"),
    _f("mobilisation_date", "date"),
    _f("apheresis_date", "date"),
    _f("apheresis_sessions", "int", lo=0, hi=10),
    _f("cd34_collected_e6_per_kg", "float", lo=0, hi=100, unit="10^6 CD34+ cells/kg"),
    _f("cd34_selection", "bool", source="msc.md §4.1 (ASTIS/SCOT selected, ASSIST not)"),
    _f("cd34_infused_e6_per_kg", "float", lo=0, hi=100, unit="10^6 CD34+ cells/kg"),
    _f("conditioning_regimen", "choice", choices=CONDITIONING,
       source="hsct.md §B: Cy 200 mg/kg + rATG (ASSIST/ASTIS); Cy 120 mg/kg + eATG + TBI 800 cGy (SCOT); rATG + Flu + Cy 120 (ASSIST-II)"),
    _f("transplant_date", "date", required=True, description="day 0 (graft infusion)"),
    _f("cell_lot_id", "int", lo=1, description="registry id of the infused cell lot"),
    _f("neutrophil_engraftment_date", "date"),
    _f("platelet_engraftment_date", "date"),
    _f("notes", "str", max_length=2000),
)

EVENT_TYPES = ("death", "organ_failure", "relapse", "progression", "infection",
               "secondary_autoimmunity", "malignancy", "other")
ORGANS = ("lung", "heart", "kidney", "other")

EVENT_FIELDS: tuple[FieldSpec, ...] = (
    _f("event_type", "choice", choices=EVENT_TYPES, required=True),
    _f("event_date", "date", required=True),
    _f("organ", "choice", choices=ORGANS),
    _f("treatment_related", "bool"),
    _f("cause", "str", max_length=200, description="cause of death / details"),
    _f("grade", "int", lo=1, hi=5, description="severity grade (CTCAE-like 1–5)"),
    _f("notes", "str", max_length=2000),
)

CELL_LOT_FIELDS: tuple[FieldSpec, ...] = (
    _f("lot_number", "str", required=True, max_length=40),
    _f("product_type", "choice", choices=("hsc_cd34_selected", "hsc_unmanipulated", "msc", "svf",
                                          "fat_graft", "other"), required=True),
    _f("collection_date", "date"),
    _f("release_date", "date"),
    _f("viable_cells_e6", "float", lo=0, hi=1e6, unit="10^6 cells"),
    _f("viability_percent", "float", lo=0, hi=100, unit="%"),
    _f("cd34_percent", "float", lo=0, hi=100, unit="%"),
    _f("status", "choice", choices=("quarantine", "released", "rejected", "infused", "discarded")),
    _f("notes", "str", max_length=2000),
)

_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f"}


def parse_value(spec: FieldSpec, value: Any, row: int | None = None) -> Any:
    """Validate and convert one value; ``None`` and ``""`` mean not recorded.

    Text (from CSV, forms) is converted to the declared kind; errors use the
    package's one wording naming field, value and what is allowed.
    """
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    k = spec.kind
    if k in ("int", "float"):
        v = value
        if isinstance(v, str):
            try:
                v = float(v.strip())
            except ValueError:
                raise InputTypeError(spec.name, value, spec.allowed(), row) from None
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise InputTypeError(spec.name, value, spec.allowed(), row)
        if math.isnan(v) or math.isinf(v):
            raise InputError(spec.name, value, spec.allowed(), row)
        if k == "int":
            if float(v) != int(v):
                raise InputError(spec.name, value, spec.allowed(), row)
            v = int(v)
        else:
            v = float(v)
        if (spec.lo is not None and v < spec.lo) or (spec.hi is not None and v > spec.hi):
            raise InputError(spec.name, value, spec.allowed(), row)
        return v
    if k == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise InputError(spec.name, value, spec.allowed(), row)
    if k == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                d = dt.date.fromisoformat(value.strip())
            except ValueError:
                raise InputError(spec.name, value, spec.allowed(), row) from None
            if d.year < 1900 or d.year > 2200:
                raise InputError(spec.name, value, spec.allowed(), row)
            return d
        raise InputTypeError(spec.name, value, spec.allowed(), row)
    if k == "choice":
        if value not in spec.choices:
            raise InputError(spec.name, value, spec.allowed(), row)
        return value
    if not isinstance(value, str):
        raise InputTypeError(spec.name, value, spec.allowed(), row)
    value = value.strip()
    if len(value) > spec.max_length:
        raise InputError(spec.name, value, spec.allowed(), row)
    return value


def converter(spec: FieldSpec) -> Any:
    """A fast converter for text cells of ``spec`` (same results and errors as :func:`parse_value`).

    Used by the bulk importers: numbers given as text take a short path;
    anything unusual falls back to :func:`parse_value`.
    """
    if spec.kind not in ("int", "float"):
        return lambda raw, row=None: parse_value(spec, raw, row)
    lo = -math.inf if spec.lo is None else spec.lo
    hi = math.inf if spec.hi is None else spec.hi
    integer = spec.kind == "int"

    def conv(raw: Any, row: int | None = None) -> Any:
        if raw.__class__ is str:
            if raw == "":
                return None
            try:
                v = float(raw)
            except ValueError:
                return parse_value(spec, raw, row)
            if lo <= v <= hi:  # False for NaN
                if integer:
                    if v != int(v):
                        raise InputError(spec.name, raw, spec.allowed(), row)
                    return int(v)
                return v
        return parse_value(spec, raw, row)

    return conv


def check_record(
    specs: tuple[FieldSpec, ...],
    values: dict[str, Any],
    *,
    row: int | None = None,
    creating: bool = True,
    errors: list[InputError | InputTypeError] | None = None,
) -> dict[str, Any]:
    """Validate a whole record; return converted values.

    Parameters
    ----------
    specs : tuple of FieldSpec
    values : dict
        Field name -> raw value. Unknown names raise ``UnknownFieldError``.
    row : int, optional
        1-based data row for messages.
    creating : bool
        Check required fields (a new record) or not (a partial update).
    errors : list, optional
        When given, every problem is appended and nothing is raised, so that an
        importer can report all problems of a file at once.
    """
    from sclerostem.errors import UnknownFieldError

    by_name = {s.name: s for s in specs}
    out: dict[str, Any] = {}
    problems: list[InputError | InputTypeError] = []
    for key, raw in values.items():
        spec = by_name.get(key)
        if spec is None:
            problems.append(UnknownFieldError(key, raw, "one of " + ", ".join(sorted(by_name)), row))
            continue
        try:
            out[key] = parse_value(spec, raw, row)
        except (InputError, InputTypeError) as exc:
            problems.append(exc)
    if creating:
        for spec in specs:
            if spec.required and out.get(spec.name) is None and spec.name not in {
                p.field for p in problems
            }:
                problems.append(InputError(spec.name, values.get(spec.name), "a value (required)", row))
    if problems:
        if errors is not None:
            errors.extend(problems)
        else:
            raise problems[0]
    return out

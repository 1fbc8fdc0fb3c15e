"""Cell products: MSC lot release, HSCT graft CD34+ dose and apheresis planning, chain of identity.

Pure core: no I/O beyond reading the shipped specification files.
"""

from sclerostem.cells._dose import (
    ENDOTOXIN_K_EU_PER_KG,
    EndotoxinCheck,
    InfusionPlan,
    endotoxin_check,
    plan_infusion,
)
from sclerostem.cells._graft import (
    Collection,
    collection_efficiency_percent,
    engraftment_day,
    graft_cd34_dose,
    selection_performance,
    volume_to_process_ml,
)
from sclerostem.cells._identity import IdentityMismatchError, check_infusion_identity
from sclerostem.cells._isbt128 import DonationId, iso7064_mod37_2, parse_din
from sclerostem.cells._lot import LotResults, lot_from_dict
from sclerostem.cells._release import LotReleaseReport, check_lot, check_nomenclature
from sclerostem.cells._specs import Criterion, ReleaseSpec, load_spec, release_specs

__all__ = [
    "ENDOTOXIN_K_EU_PER_KG",
    "Collection",
    "Criterion",
    "DonationId",
    "EndotoxinCheck",
    "IdentityMismatchError",
    "InfusionPlan",
    "LotReleaseReport",
    "LotResults",
    "ReleaseSpec",
    "check_infusion_identity",
    "check_lot",
    "check_nomenclature",
    "collection_efficiency_percent",
    "endotoxin_check",
    "engraftment_day",
    "graft_cd34_dose",
    "iso7064_mod37_2",
    "load_spec",
    "lot_from_dict",
    "parse_din",
    "plan_infusion",
    "release_specs",
    "selection_performance",
    "volume_to_process_ml",
]

"""Clinical scores for systemic sclerosis and morphea.

One public function per instrument, each returning
:class:`sclerostem.result.Result`, and :func:`score_table` for a whole visits
table (vectorised, the same numbers). Every clinical number cites its source in
``shared/spec/scores.md``.

Instruments: mRSS and its change definitions, 2013 ACR/EULAR criteria, revised
EUSTAR activity index, LeRoy subset, disease duration, trial response
definitions (``_mrss``, ``_acr_eular``, ``_eustar_ai``, ``_leroy``,
``_duration``, ``_response``); ACR-CRISS and revised
CRISS (``_criss``); HAQ-DI and SHAQ (``_haq``); LoSCAT and the Padua morphea
subtype (``_morphea``).
"""

from sclerostem.scores._acr_eular import AcrEular2013Items, acr_eular_2013
from sclerostem.scores._batch import score_table, table_columns
from sclerostem.scores._columns import Column
from sclerostem.scores._criss import (
    CrissStep1Events,
    CrissVisit,
    acr_criss,
    criss_fvc_decline_criterion,
    revised_criss,
)
from sclerostem.scores._duration import disease_duration
from sclerostem.scores._eustar_ai import EustarActivityInputs, eustar_activity_index
from sclerostem.scores._haq import (
    HAQ_AIDS_FIELDS,
    HAQ_CATEGORIES,
    SHAQ_SCALES,
    HaqDiItems,
    haq_di,
    haq_di_band,
    shaq_vas,
)
from sclerostem.scores._leroy import leroy_subset
from sclerostem.scores._morphea import (
    LOSCAT_SITES,
    PADUA_AREAS,
    LoscatSite,
    MorpheaPresentation,
    losai,
    loscat,
    losdi,
    mlossi,
    padua_subtype,
)
from sclerostem.scores._mrss import (
    MRSS_CHANGE_DEFINITIONS,
    MRSS_SITES,
    MrssChangeDefinition,
    mrss,
    mrss_change,
)
from sclerostem.scores._response import (
    ENDPOINT_DEFINITIONS,
    EndpointDefinition,
    EndpointInputs,
    response_endpoint,
)

__all__ = [
    "ENDPOINT_DEFINITIONS",
    "HAQ_AIDS_FIELDS",
    "HAQ_CATEGORIES",
    "LOSCAT_SITES",
    "MRSS_CHANGE_DEFINITIONS",
    "MRSS_SITES",
    "PADUA_AREAS",
    "SHAQ_SCALES",
    "AcrEular2013Items",
    "Column",
    "CrissStep1Events",
    "CrissVisit",
    "EndpointDefinition",
    "EndpointInputs",
    "EustarActivityInputs",
    "HaqDiItems",
    "LoscatSite",
    "MorpheaPresentation",
    "MrssChangeDefinition",
    "acr_criss",
    "acr_eular_2013",
    "criss_fvc_decline_criterion",
    "disease_duration",
    "eustar_activity_index",
    "haq_di",
    "haq_di_band",
    "leroy_subset",
    "losai",
    "loscat",
    "losdi",
    "mlossi",
    "mrss",
    "mrss_change",
    "padua_subtype",
    "response_endpoint",
    "revised_criss",
    "score_table",
    "shaq_vas",
    "table_columns",
]

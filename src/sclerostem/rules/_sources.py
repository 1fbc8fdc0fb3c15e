"""Citation keys a criteria rule may name, and the examinations that provide parameters.

The keys are those of the source register of ``shared/spec/hsct.md`` §0 (the
EBMT 2025 SSc rules are also given in ``shared/spec/msc.md`` §4.6 under the
same key ``EBMT-2025``). A test compares this tuple with the register parsed
from the spec, so a key cannot drift from it.
"""

from __future__ import annotations

__all__ = ["EXAMINATIONS", "SOURCE_KEYS"]

#: Source-register keys of shared/spec/hsct.md §0.
SOURCE_KEYS: tuple[str, ...] = (
    "ASSIST",
    "ASTIS",
    "SCOT",
    "EBMT-2012",
    "EBMT-cardio-2017",
    "EBMT-2025",
    "EBMT-patients-2019",
    "EBMT-registry-2017",
    "EBMT-indications",
    "ASBMT-2018",
    "Cochrane-2022",
    "vanBijnen-2020",
    "vanBijnen-EULAR-2019",
    "Higashitani-2023",
    "Ayano-2019",
    "Franks-2020",
    "Franks-2019",
    "Assassi-2019",
    "Wareing-2024",
    "Ayoglu-2023",
    "Baraut-2014",
    "LimaJunior-2021",
    "Arruda-2018",
    "Levin-2022",
    "ART-2022-remodeling",
    "Walker-2018",
    "RDCNA-2015",
    "JSRD-2023",
    "Spierings-2022",
    "AitAbdallah-2021",
    "ASTIS-NL",
    "SCOT-LTFU-2018",
    "UPSIDE",
    "WJT-2016",
    "NIHMS1672995",
    "ASTIS-design",
)

#: Controlled vocabulary: the examination (or record) that provides a parameter.
#: A missing measurement is reported with the examination that would settle it.
EXAMINATIONS: tuple[str, ...] = (
    "arterial blood gas",
    "blood tests",
    "cardiac MRI",
    "classification criteria (2013 ACR/EULAR)",
    "clinical history",
    "coronary assessment",
    "creatinine clearance",
    "criteria set evaluation",
    "ECG and Holter monitoring",
    "echocardiography",
    "HRCT",
    "HRCT and pulmonary function tests",
    "performance status",
    "pulmonary function tests",
    "right heart catheterisation with exercise",
    "right heart catheterisation with fluid challenge",
    "skin examination (mRSS)",
    "treatment history",
    "upper GI endoscopy",
    "urinalysis",
)

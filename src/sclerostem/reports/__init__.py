"""Reports (adapter layer): the HSCT candidacy report as HTML, PDF and text.

Examples
--------
>>> from sclerostem.rules import assess
>>> from sclerostem.reports import render_candidacy_html, render_candidacy_pdf
>>> a = assess({"age_years": 45, "sex": "female"})
>>> render_candidacy_pdf(a)[:4]
b'%PDF'
"""

from sclerostem.reports._candidacy_html import render_candidacy_html
from sclerostem.reports._candidacy_pdf import render_candidacy_pdf
from sclerostem.reports._candidacy_text import render_candidacy_text
from sclerostem.reports._certificate import render_certificate_pdf, render_certificate_text

__all__ = [
    "render_candidacy_html",
    "render_candidacy_pdf",
    "render_candidacy_text",
    "render_certificate_pdf",
    "render_certificate_text",
]

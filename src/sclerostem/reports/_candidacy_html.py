"""Candidacy report as a self-contained HTML page (Jinja2 template, images inlined)."""

from __future__ import annotations

import base64
from dataclasses import asdict

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from sclerostem.reports._candidacy_context import build_context
from sclerostem.rules import Assessment

__all__ = ["render_candidacy_html"]

_ENV = Environment(
    loader=PackageLoader("sclerostem.reports", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_candidacy_html(assessment: Assessment) -> str:
    """Render the HSCT candidacy report as one self-contained HTML page.

    Parameters
    ----------
    assessment : Assessment
        From :func:`sclerostem.rules.assess`.

    Returns
    -------
    str
        HTML with sections ``patient``, ``verdicts``, ``missing``, ``rules``,
        ``risks``, ``evidence`` (icon arrays inlined as PNG data URIs) and the
        date, software version and criteria-set versions.
    """
    ctx = build_context(assessment, with_png=True)
    icons = [dict(asdict(i), png_b64=base64.b64encode(i.png).decode("ascii")) for i in ctx.icons]
    view = {k: getattr(ctx, k) for k in ctx.__slots__}
    view["icons"] = icons
    return _ENV.get_template("candidacy.html.j2").render(c=view)

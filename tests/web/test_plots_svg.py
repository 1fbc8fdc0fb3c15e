"""The trajectory plots written directly as SVG: well-formed, labelled, marked, cached by data."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from sclerostem.web._plots import MEASURES, cached_svg, render_svg, trajectory_svg

NS = "{http://www.w3.org/2000/svg}"
D = dt.date
POINTS = ((D(2019, 3, 1), 24.0), (D(2020, 1, 10), 28.0), (D(2021, 6, 1), 9.0))


def _texts(svg: bytes) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{NS}text")]


def test_axis_labels_title_transplant_and_reference_are_text():
    svg = render_svg(MEASURES["fvc"], POINTS, (D(2020, 6, 1),))
    texts = _texts(svg)
    assert "FVC (% predicted)" in texts
    assert "Visit date" in texts
    assert "Forced vital capacity" in texts
    assert "HSCT" in texts
    assert "80% predicted" in texts
    assert "2020" in texts  # a date tick
    root = ET.fromstring(svg)
    assert len(list(root.iter(f"{NS}circle"))) == len(POINTS)
    assert root.get("width") == "560"
    assert root.get("height") == "290"


def test_no_values_says_so_and_draws_no_point():
    svg = render_svg(MEASURES["haq_di"], ())
    assert "no values recorded" in _texts(svg)
    assert not list(ET.fromstring(svg).iter(f"{NS}circle"))


def test_eustar_ranges_are_bars_with_a_legend():
    svg = render_svg(MEASURES["eustar"], (), (), ((D(2021, 1, 1), 1.0, 4.5),))
    assert "range (items not recorded)" in _texts(svg)
    assert "active ≥ 2.5" in _texts(svg)


def test_higher_point_than_the_axis_range_stays_inside_the_plot():
    svg = render_svg(MEASURES["haq_di"], ((D(2020, 1, 1), 3.0), (D(2021, 1, 1), 0.0)))
    ys = [float(c.get("cy")) for c in ET.fromstring(svg).iter(f"{NS}circle")]
    assert all(0 <= y <= 290 for y in ys)
    assert ys[0] < ys[1]  # larger value drawn higher (SVG y grows downwards)


def test_plots_are_cached_by_their_data():
    m = MEASURES["mrss"]
    pts = ((D(2001, 2, 3), 7.0),)
    assert cached_svg(m, pts) is None  # never rendered: the route renders it off the event loop
    first = trajectory_svg(m, pts)
    assert cached_svg(m, pts) is first
    assert trajectory_svg(m, pts) is first
    assert trajectory_svg(m, ((D(2001, 2, 3), 8.0),)) != first


_dates = st.dates(min_value=D(1990, 1, 1), max_value=D(2040, 12, 31))


@settings(max_examples=60, deadline=None)
@given(points=st.lists(st.tuples(_dates, st.floats(0, 200, allow_nan=False)), max_size=30),
       transplants=st.lists(_dates, max_size=2), key=st.sampled_from(sorted(MEASURES)))
def test_any_data_gives_well_formed_svg_with_one_marker_per_point(points, transplants, key):
    svg = render_svg(MEASURES[key], points, transplants)
    root = ET.fromstring(svg)
    assert len(list(root.iter(f"{NS}circle"))) == len(points)
    for c in root.iter(f"{NS}circle"):
        assert 0 <= float(c.get("cx")) <= 560
        assert 0 <= float(c.get("cy")) <= 290

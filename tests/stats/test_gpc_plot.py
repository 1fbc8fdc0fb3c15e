"""GPC plot: builds with labelled axes and writes an image file."""

from __future__ import annotations

from pathlib import Path

from sclerostem.plots._gpc import gpc_figure, save_gpc_plot
from sclerostem.stats.gpc import Endpoint, gpc

DATA = {"arm": ["T", "T", "C", "C"], "y": [3.0, 1.0, 2.0, 0.0], "z": [1.0, 1.0, 1.0, 2.0]}


def test_figure_has_bars_and_labels() -> None:
    res = gpc(
        DATA,
        arm="arm",
        treated="T",
        endpoints=[Endpoint("y", "continuous", 1.5), Endpoint("z", "continuous")],
    )
    fig = gpc_figure(res)
    ax_bar, ax_nb = fig.axes
    assert "pairs decided" in ax_bar.get_xlabel()
    assert "net benefit" in ax_nb.get_xlabel()
    assert [t.get_text() for t in ax_bar.get_yticklabels()] == ["1. y", "2. z"]
    assert len(ax_bar.patches) == 8  # 4 categories x 2 levels


def test_save_svg(tmp_path: Path) -> None:
    res = gpc(DATA, arm="arm", treated="T", endpoints=[Endpoint("y", "continuous")])
    out = tmp_path / "gpc.svg"
    save_gpc_plot(res, out)
    assert out.read_text().lstrip().startswith("<?xml")

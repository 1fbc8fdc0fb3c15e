"""Plots (matplotlib): survival, GPC, forest/funnel, icon arrays. Adapter layer.

Every function returns a :class:`matplotlib.figure.Figure` built without pyplot
state; the caller saves it (``fig.savefig(path)``).
"""

from sclerostem.plots._forest import forest_figure, funnel_figure
from sclerostem.plots._gpc import gpc_figure, save_gpc_plot
from sclerostem.plots._icons import icon_array_figure, trial_icon_arms
from sclerostem.plots._survival import cif_figure, km_figure

__all__ = [
    "cif_figure",
    "forest_figure",
    "funnel_figure",
    "gpc_figure",
    "icon_array_figure",
    "km_figure",
    "save_gpc_plot",
    "trial_icon_arms",
]

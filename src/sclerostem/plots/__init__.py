"""Plots (matplotlib): survival, GPC, forest/funnel, icon arrays. Adapter layer."""

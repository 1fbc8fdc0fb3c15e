"""sclerostem.stats."""

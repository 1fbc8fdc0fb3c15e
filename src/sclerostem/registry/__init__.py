"""sclerostem.registry."""

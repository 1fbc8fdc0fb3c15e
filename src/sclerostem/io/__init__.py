"""sclerostem.io."""

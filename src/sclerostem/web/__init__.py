"""sclerostem.web."""

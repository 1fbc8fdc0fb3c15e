"""sclerostem.rules."""

"""sclerostem.cells."""

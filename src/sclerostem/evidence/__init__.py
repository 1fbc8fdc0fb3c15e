"""sclerostem.evidence."""

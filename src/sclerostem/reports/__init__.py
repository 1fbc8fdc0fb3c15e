"""sclerostem.reports."""

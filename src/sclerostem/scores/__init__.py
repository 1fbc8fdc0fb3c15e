"""sclerostem.scores."""

"""Page bodies too large for a thin page module: layout builders and their callbacks."""

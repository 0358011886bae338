"""onestop."""

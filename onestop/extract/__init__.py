"""The nightly extraction: read each system's changes, validate them against the contract, land them in `raw`."""

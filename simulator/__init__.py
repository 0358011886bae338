"""The demo province: simulated one-stop systems speaking the three real formats, with ground truth."""

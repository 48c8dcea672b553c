"""One analyze run and the nightly job, phase by phase (see analyze.py for the order)."""

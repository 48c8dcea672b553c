"""`make bench`: throughput measured side by side, printed as one table of ratios.

Every ratio compares two things measured in the same process on the same machine, so a shared or
busy machine slows both sides alike. Timings live here, never in tests.
"""

"""Benchmarks: each prints a table (ours, the baseline, the limit) and one JSON line last."""

"""Benchmarks of scrm_sim (run with `make bench`)."""

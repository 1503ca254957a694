"""Calibrating a scenario to a client's own data.

- :mod:`figures` — what a client observes (``observed.yaml``), computed the same way from a
  client's export and from a simulated run, so that a calibration compares like with like.
"""

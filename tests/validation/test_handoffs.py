"""Resolution time and loss grow with hand-offs exactly as the friction parameters say."""

from __future__ import annotations

from scrm_sim.validation.handoffs import handoff_checks


def test_resolution_time_and_loss_follow_the_friction_parameters():
    checks = handoff_checks(silo_delays=(0.0, 8.0), seeds=(1, 2))
    one = [c.expected for c in checks if "one hand-off" in c.name]
    assert one[1] > one[0]  # more silo delay, slower resolution — in theory and …
    measured = [c.measured for c in checks if "one hand-off" in c.name]
    assert measured[1] > measured[0]  # … in the model
    failed = [c for c in checks if not c.passed]
    assert not failed, failed

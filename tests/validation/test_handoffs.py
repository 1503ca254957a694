"""Resolution time and loss grow with hand-offs exactly as the friction parameters say, hop
by hop along the chain of liaisons."""

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


def test_a_hand_off_through_the_executive_pays_the_friction_of_both_hops():
    checks = handoff_checks(silo_delays=(8.0,), seeds=(1, 2), liaisons="through_executive")
    two_hops = next(c for c in checks if "one hand-off of 2 hops" in c.name)
    one_hop = next(c for c in handoff_checks(silo_delays=(8.0,), seeds=(1,))
                   if "one hand-off" in c.name)
    assert two_hops.expected > one_hop.expected  # two hops take longer than one …
    assert two_hops.measured > one_hop.measured  # … in the model too
    failed = [c for c in checks if not c.passed]
    assert not failed, failed

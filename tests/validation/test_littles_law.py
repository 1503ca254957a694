"""Little's law holds on every queue of full (non-reduced) runs."""

from __future__ import annotations

import pytest

from scrm_sim.validation.queueing import littles_law_checks


@pytest.mark.parametrize("ownership", ["marketing_led", "hybrid"])
def test_every_queue_obeys_littles_law(ownership):
    checks = littles_law_checks(ownership, days=60)
    assert {"hub", "sales", "service", "product"} <= {c.name.split("'")[1] for c in checks}
    failed = [c for c in checks if not c.passed]
    assert not failed, failed

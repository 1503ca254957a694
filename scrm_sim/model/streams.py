"""Common random numbers: random streams addressed by purpose and time.

Two runs with the same seed under different ownership models should draw the same
demand, the same word-of-mouth coin flips and the same daily churn and acquisition
draws for as long as their customers' states agree, so that differences between the
models are measured with little noise (paired comparisons). A single sequential
generator cannot do that: as soon as one model draws one number more, every later
draw shifts. So each purpose has its own child of the model's ``SeedSequence``, and
each hour (or day) a fresh generator is made from that child and the time index —
the draws of hour h never depend on what happened before.
"""

from __future__ import annotations

import numpy as np

PURPOSES = ("demand", "word_of_mouth", "daily", "measurement", "scope", "post_fate",
            "handoff_hops", "accounts", "key_accounts", "pilot", "customer_traits",
            "listening",
            "post_draws")  # append only: a new purpose leaves the others' draws as they were


class CommonStreams:
    """Generators for (purpose, index), all derived from the model's seeded generator."""

    def __init__(self, rng: np.random.Generator) -> None:
        children = rng.bit_generator.seed_seq.spawn(len(PURPOSES))
        self._children = dict(zip(PURPOSES, children, strict=True))

    def at(self, purpose: str, index: int) -> np.random.Generator:
        """The generator of ``purpose`` for hour or day ``index`` (same seed, same draws)."""
        child = self._children[purpose]
        sequence = np.random.SeedSequence(child.entropy, spawn_key=(*child.spawn_key, index))
        return np.random.Generator(np.random.PCG64(sequence))

    def stream(self, purpose: str) -> np.random.Generator:
        """One sequential generator of ``purpose`` (for draws that need no pairing)."""
        return np.random.Generator(np.random.PCG64(self._children[purpose]))

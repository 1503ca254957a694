"""Common random numbers: random streams addressed by purpose and time.

Two runs with the same seed under different ownership models should draw the same
demand, the same word-of-mouth coin flips and the same daily churn and acquisition
draws for as long as their customers' states agree, so that differences between the
models are measured with little noise (paired comparisons). A single sequential
generator cannot do that: as soon as one model draws one number more, every later
draw shifts. So each purpose has its own child of the model's ``SeedSequence``, and
the draws of hour (or day) h come from a counter-based generator keyed by that child and
h — the draws of hour h never depend on what happened before.

The keyed generator is Philox-4×64 (Salmon et al. 2011, "Parallel random numbers: as easy
as 1, 2, 3"), which is built for exactly this: each distinct 128-bit key gives an
independent stream. Re-keying one generator costs a fifth of making a fresh seeded
generator every hour, which a run does thousands of times.
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
        # the first half of each purpose's Philox key: a word of its own child sequence
        self._key_words = {purpose: int(child.generate_state(1, np.uint64)[0])
                           for purpose, child in self._children.items()}
        # purpose → its re-keyed generator and the state it is reset to (only the index changes)
        self._keyed: dict[str, tuple[np.random.Philox, np.random.Generator, dict]] = {}

    def at(self, purpose: str, index: int) -> np.random.Generator:
        """The generator of ``purpose`` for hour or day ``index`` (same seed, same draws).

        One generator per purpose is re-keyed on each call, so draw from it before asking
        for the same purpose again.
        """
        keyed = self._keyed.get(purpose)
        if keyed is None:
            bits = np.random.Philox(key=[self._key_words[purpose], 0])
            state = {"bit_generator": "Philox",
                     "state": {"counter": np.zeros(4, np.uint64),
                               "key": np.array([self._key_words[purpose], 0], np.uint64)},
                     "buffer": np.zeros(4, np.uint64), "buffer_pos": 4,
                     "has_uint32": 0, "uinteger": 0}
            keyed = self._keyed[purpose] = (bits, np.random.Generator(bits), state)
        bits, generator, state = keyed
        # the state setter copies the values in, so one dict serves every call (drawing
        # from the generator never changes it)
        state["state"]["key"][1] = index
        bits.state = state
        return generator

    def stream(self, purpose: str) -> np.random.Generator:
        """One sequential generator of ``purpose`` (for draws that need no pairing)."""
        return np.random.Generator(np.random.PCG64(self._children[purpose]))

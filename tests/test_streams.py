"""Common random numbers: the generator of (purpose, index) gives the same draws whatever was
drawn before, from it or from any other (scrm_sim/model/streams.py)."""

from __future__ import annotations

import numpy as np

from scrm_sim.model.streams import CommonStreams


def test_an_index_gives_the_same_draws_whatever_was_drawn_before_it():
    fresh = CommonStreams(np.random.default_rng(5)).at("demand", 3).random(8)
    streams = CommonStreams(np.random.default_rng(5))
    streams.at("demand", 3).random(3, dtype=np.float32)  # an odd number of half-words left
    streams.at("demand", 7).standard_normal(1001)
    streams.at("word_of_mouth", 3).random(5)
    assert np.array_equal(streams.at("demand", 3).random(8), fresh)


def test_each_index_and_each_purpose_has_draws_of_its_own():
    streams = CommonStreams(np.random.default_rng(5))
    hour_3, hour_4 = streams.at("demand", 3).random(8), streams.at("demand", 4).random(8)
    other_purpose = streams.at("post_fate", 3).random(8)
    assert not np.array_equal(hour_3, hour_4)
    assert not np.array_equal(hour_3, other_purpose)

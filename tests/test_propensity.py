"""Customers as individuals, propensity and influence (issue 16 item 6, ODD §7.23): a
heavy-tailed posting propensity of mean 1 multiplies every post rate (both engines), calibrated
so that the 10% most active write 80% of the posts (Pew Research Center 2019); frequent
posters pass grievances on further."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from scrm_sim.model.customers import CustomerPopulation
from scrm_sim.model.demand import DemandProcess
from scrm_sim.model.engines import post_rates
from scrm_sim.model.model import SCRMModel
from scrm_sim.model.propensity import (
    expected_top_share,
    lognormal_propensity,
    relative_power,
    spread_for_top_share,
    top_share,
)
from scrm_sim.model.word_of_mouth import NegativeCascades
from scrm_sim.scenario.schema import POST_TYPES, Customers, Demand

from .conftest import small_scenario

PEW_TOP_DECILE_SHARE = 0.80  # Pew Research Center 2019: top 10% of tweeters, 80% of tweets


def test_propensity_has_mean_one_so_the_volume_is_unchanged():
    w = lognormal_propensity(np.random.default_rng(1).standard_normal(5_000), 2.0)
    assert w.mean() == pytest.approx(1.0)
    assert w.min() > 0


def test_the_spread_that_gives_the_cited_concentration():
    spread = spread_for_top_share(PEW_TOP_DECILE_SHARE, 0.1)
    assert spread == pytest.approx(2.12, abs=0.01)
    assert expected_top_share(spread, 0.1) == pytest.approx(PEW_TOP_DECILE_SHARE)
    assert expected_top_share(0.0, 0.1) == pytest.approx(0.1)


def test_top_share_of_equal_weights_is_the_fraction():
    assert top_share(np.ones(100), 0.1) == pytest.approx(0.1)
    assert top_share(np.r_[np.zeros(90), np.ones(10)], 0.1) == pytest.approx(1.0)


def test_relative_power_is_one_on_average_and_rises_with_propensity():
    w = np.array([0.1, 1.0, 2.9])
    power = relative_power(w, 0.5)
    assert power.mean() == pytest.approx(1.0)
    assert np.all(np.diff(power) > 0)
    assert np.allclose(relative_power(w, 0.0), 1.0)


def test_without_spread_nobody_has_a_propensity():
    model = SCRMModel(small_scenario("marketing_led"), seed=1)
    assert model.population.propensity is None and model.population.influence is None


def test_every_post_rate_of_a_person_is_multiplied_by_their_propensity():
    scenario = small_scenario("marketing_led", engine="agents", duration_days=0.1,
                              customers={"propensity": {"spread": 1.0}})
    model = SCRMModel(scenario, seed=1)
    rates = dict.fromkeys(POST_TYPES, 0.01)
    customer = model.customer_agent(3)
    with_propensity = post_rates(customer, rates, scenario.demand)
    propensity = model.population.propensity
    model.population.propensity = None
    alike = post_rates(customer, rates, scenario.demand)
    assert with_propensity == pytest.approx([r * propensity[3] for r in alike])


def test_the_ten_percent_most_active_write_the_cited_share_of_posts():
    """The vectorised demand, drawn for 30 busy hours over 5,000 customers, gives the top
    decile of authors Pew's 80% of the posts (within 4 points)."""
    spread = spread_for_top_share(PEW_TOP_DECILE_SHARE, 0.1)
    spec = Customers(count=5_000, prospects=0, propensity={"spread": spread})
    rng = np.random.default_rng(7)
    population = CustomerPopulation(spec, rng)
    population.assign_traits(spec, np.random.default_rng(8))
    demand = DemandProcess(Demand(rates_per_customer_per_day={t: 20.0 for t in POST_TYPES},
                                  diurnal_profile="flat", annual_growth=0.0, campaigns=[],
                                  incidents=[]))
    counts = np.zeros(population.n)
    for hour in range(30):
        for batch in demand.draw(population, hour, 0.0, rng):
            counts += np.bincount(batch.authors, minlength=population.n)
    assert counts.sum() > 300_000
    assert top_share(counts, 0.1) == pytest.approx(PEW_TOP_DECILE_SHARE, abs=0.04)
    # authors are drawn in proportion to propensity: the realised share follows the sample's
    assert top_share(counts, 0.1) == pytest.approx(top_share(population.propensity, 0.1),
                                                   abs=0.02)


def test_both_engines_draw_the_same_concentration():
    """The per-agent reference and the vectorised engine give frequent posters the same
    share of posts (one day, 1,200 people; the mean over four seeds: one seed's difference
    between the engines has a standard deviation of about 0.03, the mean's 0.016)."""
    shares = []
    for engine in ("vectorised", "agents"):
        scenario = small_scenario("marketing_led", engine=engine, duration_days=1,
                                  customers={"propensity": {"spread": 1.5}},
                                  demand={"volume_multiplier": 5.0})
        per_seed = []
        for seed in range(2, 6):
            model = SCRMModel(scenario, seed=seed)
            model.run()
            top = np.argsort(model.population.propensity)[-120:]
            per_seed.append(np.isin(model.posts.author, top).mean())
        shares.append(float(np.mean(per_seed)))
    assert shares[0] == pytest.approx(shares[1], abs=0.06)
    assert min(shares) > 0.4  # far above the 10% they would write without propensity


def test_a_spreader_passes_a_grievance_on_in_proportion_to_their_influence():
    star = sp.csr_array(np.r_[[np.r_[0, np.ones(200)]], np.c_[np.ones(200), np.zeros((200, 200))]])
    counts = {}
    for influence in (0.5, 2.0):
        cascades = NegativeCascades(star, 10, np.r_[influence, np.ones(200)])
        cascades.start(0, 0.2, 0)
        counts[influence] = len(cascades.step(0, np.random.default_rng(4)))
    assert counts[0.5] == pytest.approx(20, abs=12)
    assert counts[2.0] == pytest.approx(80, abs=20)


# ---------------------------------------------------------------------- paired seeds


def test_with_propensity_a_few_people_write_most_posts():
    off = SCRMModel(small_scenario("marketing_led"), seed=5)
    on = SCRMModel(small_scenario("marketing_led", customers={"propensity": {"spread": 2.12}}),
                   seed=5)
    off.run(), on.run()

    def decile(model: SCRMModel) -> float:
        counts = np.bincount(model.posts.author, minlength=model.population.n)
        return top_share(counts, 0.1)

    assert decile(on) > decile(off) + 0.2


def test_customers_and_prospects_each_start_with_the_volume_they_had_without_propensity():
    model = SCRMModel(small_scenario("marketing_led", customers={"propensity": {"spread": 2.12}}),
                      seed=5)
    weighted = model.population.weighted_rows()
    assert weighted["customers"] == pytest.approx(800)
    assert weighted["prospects"] == pytest.approx(400)


def frequent_posters_grievance_reach(elasticity: float, seed: int) -> float:
    """Mean reach of the grievances whose author is among the 10% most frequent posters."""
    scenario = small_scenario("marketing_led", customers={
        "propensity": {"spread": 1.5, "influence_elasticity": elasticity}})
    model = SCRMModel(scenario, seed=seed)
    model.run()
    cascade = model.posts.cascade
    authors = model.posts.author[cascade >= 0]
    reach = np.asarray(model.cascades.reach)[cascade[cascade >= 0]]
    w = model.population.propensity
    return float(reach[w[authors] > np.quantile(w, 0.9)].mean())


def test_grievances_of_frequent_posters_reach_further_with_influence():
    for seed in (1, 2):
        assert frequent_posters_grievance_reach(1.0, seed) > 2 * frequent_posters_grievance_reach(
            0.0, seed)


def test_an_influential_author_s_praise_converts_more_of_the_same_contacts():
    """Positive word of mouth is scaled by the author's influence, as grievances are."""
    from scrm_sim.model.customers import Stage
    from scrm_sim.model.word_of_mouth import contacts_of

    def conversions(influence: float) -> int:
        model = SCRMModel(small_scenario("service_led", customers={
            "propensity": {"spread": 1.0, "influence_elasticity": 1.0}}), seed=5)
        model.population.influence[:] = influence
        author = int(np.flatnonzero(model.population.stage != Stage.PROSPECT)[0])
        contacts = contacts_of(model.adjacency, author)
        model.population.stage[contacts] = Stage.PROSPECT
        model.rng = np.random.default_rng(1)
        model.outcomes.spread_praise(author)
        return int(model.counters["acquired_word_of_mouth"])

    assert conversions(50.0) > conversions(1.0)

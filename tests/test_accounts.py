"""B2B accounts: contacts grouped into accounts that know each other, leave as a unit, are
valued as a unit, buy over several exchanges, and are heard by the department close to them."""

from __future__ import annotations

import numpy as np
import pytest

from scrm_sim.errors import ScenarioError
from scrm_sim.model.accounts import account_ties, group_into_accounts
from scrm_sim.model.customers import Stage
from scrm_sim.model.metrics import net_value
from scrm_sim.model.model import SCRMModel
from scrm_sim.model.posts import TYPE_CODE

from .conftest import small_scenario

ACCOUNTS = {"contacts_per_account": 3.0}


def account_model(ownership: str = "service_led", changes: dict | None = None,
                  seed: int = 1, **accounts: float) -> SCRMModel:
    """A small company whose B2B customers form accounts (mean 3 contacts unless told)."""
    return SCRMModel(small_scenario(ownership, changes,
                                    customers={"accounts": {**ACCOUNTS, **accounts}}), seed=seed)


# ---------------------------------------------------------------------- the rules


def test_grouping_gives_every_row_an_account_of_the_stated_mean_size():
    rows = np.arange(30_000)
    ids, count = group_into_accounts(rows, 4.0, np.random.default_rng(0))
    sizes = np.bincount(ids, minlength=count)
    assert sizes.min() >= 1 and sizes.sum() == len(rows)
    assert sizes.mean() == pytest.approx(4.0, rel=0.03)


def test_contacts_of_an_account_are_tied_to_each_other_and_to_nobody_else():
    account_of = np.array([0, 0, 0, -1, 1, 1])
    ties = account_ties(account_of).toarray()
    assert ties[0, 1] and ties[0, 2] and ties[1, 2] and ties[4, 5]
    assert not ties[0, 4] and not ties[3].any() and not ties.diagonal().any()


def test_without_accounts_nobody_belongs_to_one_and_the_graph_is_untouched():
    model = SCRMModel(small_scenario(), seed=1)
    assert model.accounts.count == 0 and (model.accounts.account_of == -1).all()
    assert model.accounts.with_ties(model.adjacency) is model.adjacency


def test_accounts_hold_the_b2b_people_only_and_their_contacts_are_linked():
    model = account_model()
    accounts = model.accounts
    assert ((accounts.account_of >= 0) == model.population.b2b).all()
    first = accounts.members[accounts.account_of[accounts.members] == 0]
    for a in first:
        for b in first:
            if a != b:
                assert model.adjacency[a, b] == 1


def test_an_account_leaves_once_its_churned_share_reaches_leave_share_taking_the_rest():
    model = account_model(leave_share=0.5)
    accounts, population = model.accounts, model.population
    sizes = accounts.contacts
    account = int(np.flatnonzero(sizes == 4)[0])
    contacts = accounts.members[accounts.account_of[accounts.members] == account]
    assert population.is_customer()[contacts].all()
    population.move(contacts[:1], Stage.CHURNED, 0.0)
    accounts.end_of_day(model)
    assert not accounts.lost[account]  # one of four: 25%
    population.move(contacts[1:2], Stage.CHURNED, 0.0)
    accounts.end_of_day(model)
    assert accounts.lost[account]  # two of four: 50%
    assert (population.stage[contacts] == Stage.CHURNED).all()
    assert model.counters["churned_with_account"] == 2 and model.counters["accounts_lost"] == 1


def test_an_accounts_purchase_closes_only_at_every_nth_exchange_and_cools_slowly():
    model = account_model(purchase_exchanges=3, lead_decay_multiple=4.0)
    author = int(model.accounts.members[0])
    assert [model.accounts.closes_purchase(author)[0] for _ in range(6)] == [
        False, False, True, False, False, True]
    assert model.accounts.closes_purchase(author)[1] == 4.0
    consumer = int(np.flatnonzero(model.accounts.account_of < 0)[0])
    assert model.accounts.closes_purchase(consumer) == (True, 1.0)


def test_an_account_is_valued_as_a_unit_of_account_value_multiple_customers():
    model = account_model()
    economics = model.config.economics
    start = net_value(model, len(model.population.customer_rows()))
    accounts = model.accounts
    account = int(np.flatnonzero(accounts.contacts >= 2)[0])
    contacts = accounts.members[accounts.account_of[accounts.members] == account]
    model.population.move(contacts[:1], Stage.CHURNED, 0.0)  # one contact left: still live
    assert net_value(model, len(model.population.customer_rows())) == pytest.approx(start)
    model.population.move(contacts[1:], Stage.CHURNED, 0.0)  # the last one: the account is gone
    lost = start - net_value(model, len(model.population.customer_rows()))
    assert lost == pytest.approx(economics.account_value_multiple * economics.customer_value)


def test_key_account_managers_hear_every_account_post_at_full_proximity_and_no_other():
    model = account_model("sales_led", {"key_accounts": {"department": "sales",
                                                         "proximity": 1.0}})
    authors = np.concatenate([model.accounts.members[:5],
                              np.flatnonzero(model.accounts.account_of < 0)[:5]])
    rows = model.posts.append(authors, TYPE_CODE["question"], np.full(10, 0.5), np.ones(10))
    near, heard_at = model.accounts.managed_posts(model, rows, np.full(10, 0.5))
    assert near.tolist() == [True] * 5 + [False] * 5
    assert (heard_at >= 0.5).all()


def test_proximity_needs_a_department_with_social_staff():
    with pytest.raises(ScenarioError, match="key_accounts.department"):
        small_scenario("service_led", {"key_accounts": {"department": "pr", "proximity": 0.5}})


def test_a_mean_below_one_contact_is_refused():
    with pytest.raises(ScenarioError, match="contacts_per_account"):
        small_scenario(customers={"accounts": {"contacts_per_account": 0.5}})


# ---------------------------------------------------------------------- paired seeds


def test_accounts_leaving_as_a_unit_raise_churn():
    churny = {"daily_base_hazard": 0.01}
    alone = SCRMModel(small_scenario(churn=churny, customers={"accounts": {
        **ACCOUNTS, "leave_share": 1.0}}), seed=2).run()
    together = SCRMModel(small_scenario(churn=churny, customers={"accounts": {
        **ACCOUNTS, "leave_share": 0.3}}), seed=2).run()
    assert together["churned"] > alone["churned"]


def test_sales_proximity_gets_more_account_posts_answered():
    def answered_account_posts(proximity: float) -> float:
        model = account_model("sales_led", {"key_accounts": {"department": "sales",
                                                             "proximity": proximity},
                                            "listening": {"coverage": 0.5}})
        model.run()
        ours = model.accounts.account_of[model.posts.author] >= 0
        return float(np.mean(~np.isnan(model.posts.time_first_response[ours])))

    assert answered_account_posts(0.8) > answered_account_posts(0.0) + 0.1


def test_longer_purchase_conversations_close_fewer_account_deals():
    # a week of a small company closes a deal or two: six paired seeds together
    def deals(exchanges: int) -> float:
        total = 0.0
        for seed in range(1, 7):
            model = account_model(purchase_exchanges=exchanges, seed=seed)
            model.run()
            total += model.counters["account_leads_converted"]
        return total

    quick = deals(1)
    assert quick > 0 and deals(3) < quick


def test_prospects_of_an_account_who_never_bought_do_not_keep_it_alive():
    model = account_model(leave_share=0.5)
    accounts, population = model.accounts, model.population
    prospect_accounts = np.flatnonzero(np.bincount(
        accounts.account_of[accounts.members],
        weights=population.stage[accounts.members] == Stage.PROSPECT,
        minlength=accounts.count) == accounts.contacts)
    account = int(prospect_accounts[accounts.contacts[prospect_accounts] >= 3][0])
    contacts = accounts.members[accounts.account_of[accounts.members] == account]
    population.move(contacts[:1], Stage.ONBOARDING, 0.0)  # one contact buys: the account is won
    accounts.end_of_day(model)
    assert not accounts.lost[account]
    population.move(contacts[:1], Stage.CHURNED, 1.0)  # and leaves: all its buyers are gone
    accounts.end_of_day(model)
    assert accounts.lost[account]

"""Business accounts: B2B customers grouped into accounts of several contacts (issue 16).

Seed 001, Esteban Kolsky: "In B2B is different ... the relationships with clients are very
different in that model"; brianvellmure: Twitter is relevant for B2B "more in the
sales/marketing/strategic alliance arena, and less in the customer service arena". So, with
``customers.accounts.contacts_per_account`` ≥ 1:

- the B2B people (``CustomerPopulation.b2b``) are grouped into accounts, customers and
  prospects apart, each of 1 + Poisson(mean − 1) contacts, who all know each other (a clique
  added to the customer graph);
- an account is worth ``economics.account_value_multiple`` customers, gained or lost as a unit
  (:func:`scrm_sim.model.metrics.net_value`);
- an account is won when its first contact becomes a customer, and leaves once ``leave_share``
  of its buying contacts (customers and churned) have churned, and its remaining contacts churn
  with it (daily, after the customers' own churn; ``np.bincount`` over account ids);
- its purchase conversations take ``purchase_exchanges`` skilled replies, and cool
  ``lead_decay_multiple`` times more slowly (:meth:`Accounts.closes_purchase`);
- with ``ownership.key_accounts`` a department close to the accounts (sales' key-account
  managers) hears ``proximity`` of their posts itself and takes them straight into its
  resolvers' queue (:meth:`Accounts.managed_posts`).

Off (no accounts) nothing here draws a number or changes an array.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from scrm_sim.model.customers import CustomerPopulation, Stage
from scrm_sim.scenario.schema import Accounts as AccountsSpec
from scrm_sim.scenario.schema import Economics

if TYPE_CHECKING:
    from scrm_sim.model.model import SCRMModel
    from scrm_sim.model.streams import CommonStreams


def group_into_accounts(rows: np.ndarray, mean_contacts: float, rng: np.random.Generator,
                        first_id: int = 0) -> tuple[np.ndarray, int]:
    """Account ids for ``rows`` (in their order): the rows shuffled and cut into accounts of
    1 + Poisson(mean − 1) contacts (the last one takes what is left). Returns the ids and the
    number of accounts made."""
    n = len(rows)
    if n == 0:
        return np.empty(0, np.int64), 0
    order = rng.permutation(n)
    sizes = 1 + rng.poisson(mean_contacts - 1.0, size=n)  # n accounts are always enough
    ends = np.cumsum(sizes)
    count = int(np.searchsorted(ends, n)) + 1  # accounts needed to hold every row
    label_in_order = np.searchsorted(ends, np.arange(n), side="right")
    ids = np.empty(n, np.int64)
    ids[order] = first_id + label_in_order
    return ids, count


def account_ties(account_of: np.ndarray) -> sp.csr_array:
    """Adjacency linking every two contacts of the same account (no self-loops)."""
    n = len(account_of)
    members = np.flatnonzero(account_of >= 0)
    count = int(account_of[members].max()) + 1 if len(members) else 0
    incidence = sp.csr_array((np.ones(len(members)), (members, account_of[members])),
                             shape=(n, max(count, 1)))
    ties = (incidence @ incidence.T).tocsr()
    ties.setdiag(0)
    ties.eliminate_zeros()
    return ties


class Accounts:
    """The accounts of a run: who belongs to which, which are lost, their open conversations.

    Args:
        spec: ``customers.accounts``.
        economics: the scenario's economics (an account's value).
        population: the customers (their ``b2b`` flags and stages at the start).
        streams: the model's common streams (the grouping draws from ``accounts``).
    """

    def __init__(self, spec: AccountsSpec, economics: Economics, population: CustomerPopulation,
                 streams: CommonStreams) -> None:
        self.spec = spec
        self.value_multiple = economics.account_value_multiple
        self.on = spec.contacts_per_account >= 1.0
        self.account_of = np.full(population.n, -1, np.int64)
        self.count = 0
        if not self.on:
            return
        rng = streams.stream("accounts")
        is_customer = population.is_customer()
        for group in (population.b2b & is_customer, population.b2b & ~is_customer):
            rows = np.flatnonzero(group)
            ids, made = group_into_accounts(rows, spec.contacts_per_account, rng, self.count)
            self.account_of[rows] = ids
            self.count += made
        self.members = np.flatnonzero(self.account_of >= 0)
        self.contacts = np.bincount(self.account_of[self.members], minlength=self.count)
        self.lost = np.zeros(self.count, bool)
        self.exchanges = np.zeros(self.count, np.int64)  # skilled purchase replies so far
        self.start_live = self.live(population)
        self.start_single_customers = self.single_customers(population)

    # ------------------------------------------------------------------ set-up

    def with_ties(self, adjacency: sp.csr_array) -> sp.csr_array:
        """The customer graph with every two contacts of an account linked (unchanged when off)."""
        if not self.on:
            return adjacency
        joined = (adjacency + account_ties(self.account_of)).tocsr()
        joined.data[:] = 1  # a pair already linked stays one tie
        joined.sort_indices()
        return sp.csr_array(joined, dtype=adjacency.dtype)

    # ------------------------------------------------------------------ state

    def live(self, population: CustomerPopulation) -> int:
        """Accounts not lost with at least one contact who is a current customer."""
        customers = self.members[population.is_customer()[self.members]]
        buying = np.bincount(self.account_of[customers], minlength=self.count) > 0
        return int(np.count_nonzero(buying & ~self.lost))

    def single_customers(self, population: CustomerPopulation) -> int:
        """Current customers who belong to no account (valued one by one)."""
        mask = population.is_customer()
        return int(np.count_nonzero(mask)) - int(np.count_nonzero(mask[self.members]))

    # ------------------------------------------------------------------ daily

    def end_of_day(self, model: SCRMModel) -> None:
        """Accounts whose churned share of their buying contacts (current customers and
        churned ones; prospects who never bought do not count) reached ``leave_share`` leave:
        their remaining customer contacts churn too (after the day's individual churn)."""
        if not self.on or self.count == 0:
            return
        population = model.population
        ids = self.account_of[self.members]
        churned = population.stage[self.members] == Stage.CHURNED
        # contacts who were ever customers: prospects who never bought do not count
        bought = churned | population.is_customer()[self.members]
        lost_contacts = np.bincount(ids, weights=churned, minlength=self.count)
        buyers = np.bincount(ids, weights=bought, minlength=self.count)
        share = lost_contacts / np.maximum(buyers, 1.0)
        leaving = (lost_contacts > 0) & (share >= self.spec.leave_share) & ~self.lost
        if not leaving.any():
            return
        self.lost |= leaving
        gone = self.members[leaving[self.account_of[self.members]]]
        gone = gone[population.is_customer()[gone]]
        population.move(gone, Stage.CHURNED, model.day)
        model.counters["churned"] += len(gone)
        model.counters["churned_with_account"] += len(gone)
        model.counters["accounts_lost"] += int(np.count_nonzero(leaving))

    # ------------------------------------------------------------------ purchases

    def closes_purchase(self, author: int) -> tuple[bool, float]:
        """A skilled reply to ``author``'s purchase intent: whether it is an exchange that can
        close the deal, and the multiple of ``lead_decay_hours`` its conversion decays with.
        A consumer's always can (×1); an account's every ``purchase_exchanges``-th can."""
        account = int(self.account_of[author]) if self.on else -1
        if account < 0:
            return True, 1.0
        self.exchanges[account] += 1
        closes = self.exchanges[account] % self.spec.purchase_exchanges == 0
        return bool(closes), self.spec.lead_decay_multiple

    # ------------------------------------------------------------------ proximity

    def managed_posts(self, model: SCRMModel, rows: np.ndarray,
                      times: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """New posts the key-account managers hear themselves: a mask over ``rows`` and the
        time each is heard (post time + exponential ``delay_hours``), or None when nobody is
        close (no accounts or proximity 0). Draws from the ``key_accounts`` stream of this
        hour (paired runs share them)."""
        kam = model.ownership.key_accounts
        if not self.on or kam.proximity <= 0 or len(rows) == 0:
            return None
        ours = self.account_of[model.posts.author[rows]] >= 0
        if not ours.any():
            return None
        rng = model.streams.at("key_accounts", model.hour)
        near = ours & (rng.random(len(rows)) < kam.proximity)
        delays = rng.exponential(kam.delay_hours, len(rows)) if kam.delay_hours > 0 else 0.0
        return near, times + delays

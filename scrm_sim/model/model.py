"""SCRMModel: customers, staff and a social team under one ownership model, hour by hour."""

from __future__ import annotations

import operator
from collections import Counter, defaultdict

import mesa
import networkx as nx
import numpy as np

from scrm_sim.model.accounts import Accounts
from scrm_sim.model.agents import Customer, Role, StaffMember
from scrm_sim.model.culture import CultureProcess
from scrm_sim.model.customers import CustomerPopulation
from scrm_sim.model.engines import AgentEngine, CustomerEngine, VectorisedEngine
from scrm_sim.model.feedback import FeedbackLoops
from scrm_sim.model.maturity import MaturityStock
from scrm_sim.model.metrics import MODEL_REPORTERS, run_summary, satisfaction_mean
from scrm_sim.model.networks import customer_adjacency, organisation_graph
from scrm_sim.model.outcomes import Outcomes
from scrm_sim.model.pilot import PilotProcess
from scrm_sim.model.posts import TYPE_CODE, PostStore
from scrm_sim.model.recorder import StepRecorder
from scrm_sim.model.response import ResponseProcess
from scrm_sim.model.silos import Silos, department_graph
from scrm_sim.model.social_team import SocialTeam
from scrm_sim.model.streams import CommonStreams
from scrm_sim.model.word_of_mouth import NegativeCascades
from scrm_sim.scenario.schema import Ownership, Scenario, resolve_shift
from scrm_sim.scenario.staffing import at_budget, budgeted_fte, role_seats


def as_seed(value: object, what: str = "seed") -> int:
    """A seed as a plain non-negative int: numpy integers (which EMA Workbench and numpy
    code pass) are accepted; anything else that is not a whole number is refused clearly,
    rather than failing deep inside Mesa's or numpy's generators."""
    if isinstance(value, bool) or isinstance(value, np.bool_):
        raise ValueError(f"{what} must be a non-negative integer, got {value!r}")
    try:
        seed = operator.index(value)  # int, numpy integers; not floats or strings
    except TypeError:
        raise ValueError(f"{what} must be a non-negative integer, got {value!r} "
                         f"({type(value).__name__})") from None
    if seed < 0:
        raise ValueError(f"{what} must be a non-negative integer, got {seed}")
    return seed


class SCRMModel(mesa.Model):
    """Social CRM in one company under one ownership model.

    One step is one hour (hour 0 is Monday 00:00). Customers' hot state lives in
    numpy arrays (:class:`CustomerPopulation`) advanced for everyone at once;
    staff are Mesa agents. Each step: demand → listening and triage → service in
    continuous time → replies, silence and word of mouth → (daily) churn,
    acquisition, social team and culture → metrics.

    Args:
        scenario: a validated scenario (see :func:`scrm_sim.load_scenario`).
        seed: overrides ``scenario.seed``; all randomness flows from it. Any non-negative
            integer, numpy integers included.

    The validated scenario is ``model.config`` (Mesa 3.5 reserves ``model.scenario``
    for its own experimental Scenario class).
    """

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        super().__init__(rng=scenario.seed if seed is None else as_seed(seed))
        if scenario.staffing_budget_fte is not None:  # every model at the same FTE
            scenario = scenario.model_copy(update={"ownership": at_budget(
                scenario.ownership, scenario.company, scenario.staffing_budget_fte)})
        self.config = scenario
        # Streams for demand, word of mouth and daily customer draws, addressed by time, so
        # that paired runs of different ownership models share them (common random numbers).
        self.streams = CommonStreams(self.rng)
        self.ownership: Ownership = scenario.ownership
        self.stage_index = 0
        self.hour = 0
        self.culture = scenario.company.culture
        self.counters: defaultdict[str, float] = defaultdict(float)
        self.last_backlog = 0
        self.customer_statistics_cache: tuple[int, dict[str, float]] | None = None
        self.day_share_within_sla = 0.0
        self._trigger_streak = 0
        self._build_customers()
        self._build_staff()
        self.posts = PostStore(self.streams, list(self.config.company.departments))
        self.resolver_of: dict[int, str] = {}
        self.social_team = SocialTeam(self, self.ownership.social_team)
        self.seat_staff()
        self.culture_process = CultureProcess(self)
        self.maturity = MaturityStock(self)
        self.pilot = PilotProcess(self)
        self.refresh_handling_factor()
        self.response = ResponseProcess(self)
        engines = {"vectorised": VectorisedEngine, "agents": AgentEngine}
        self.customer_engine: CustomerEngine = engines[scenario.engine](self)
        self.cascades = NegativeCascades(self.adjacency, scenario.word_of_mouth.max_cascade_hours,
                                         self.population.influence)
        self.outcomes = Outcomes(self)
        self.feedback = FeedbackLoops(self)
        self.datacollector = StepRecorder(MODEL_REPORTERS)  # Mesa's DataCollector API, no copies
        self.agent_records: list[dict] = []

    # ------------------------------------------------------------------ build

    def _build_customers(self) -> None:
        spec = self.config.customers
        self.population = CustomerPopulation(spec, self.rng)
        # propensity, influence, community membership: a stream of their own (ODD §7.23)
        self.population.assign_traits(spec, self.streams.stream("customer_traits"))
        graph_seed = int(self.rng.integers(2**31))
        self.adjacency = customer_adjacency(spec.network, self.population.n, graph_seed)
        # B2B accounts (off: none), their contacts tied to each other (model/accounts.py)
        self.accounts = Accounts(spec.accounts, self.config.economics, self.population, self.streams)
        self.adjacency = self.accounts.with_ties(self.adjacency)
        # Who is in a pilot's scope: a fixed random order, so that a growing pilot keeps
        # its first customers (own stream: the other draws stay as they were).
        self.scope_rank = self.streams.stream("scope").random(self.population.n)
        self._customer_graph: nx.Graph | None = None
        self._customer_agents: dict[int, Customer] = {}
        if self.population.n <= spec.max_agent_objects:
            created = Customer.create_agents(self, self.population.n,
                                             row=list(range(self.population.n)))
            self._customer_agents = {agent.row: agent for agent in created}

    def _build_staff(self) -> None:
        members: dict[str, list[int]] = {}
        concentration = self.config.company.enthusiasm_concentration
        for name, dept in self.config.company.departments.items():
            mean = dept.social_enthusiasm
            a = max(1e-3, mean * concentration)
            b = max(1e-3, (1 - mean) * concentration)
            enthusiasm = self.rng.beta(a, b, size=self.config.company.head_count(name))
            people = [
                StaffMember(
                    self, name, dept.capacity_per_hour, frozenset(TYPE_CODE[t] for t in dept.skills),
                    resolve_shift(dept.shift), float(e), dept.hourly_cost, 1.0 - dept.base_workload,
                )
                for e in enthusiasm
            ]
            members[name] = [p.unique_id for p in people]
        # AgentSet for Mesa's do/shuffle_do; a plain list for the hourly loops (cheaper to walk)
        self.staff = self.agents.select(agent_type=StaffMember)
        self.staff_list: list[StaffMember] = list(self.staff)
        for index, person in enumerate(self.staff_list):
            person.rota_offset = index
        self.social_staff: list[StaffMember] = []
        self.staff_by_id = {s.unique_id: s for s in self.staff_list}
        self.department_skills = {
            name: frozenset(TYPE_CODE[t] for t in dept.skills)
            for name, dept in self.config.company.departments.items()
        }
        company = self.config.company
        self.org_graph = organisation_graph(members, int(self.rng.integers(2**31)),
                                            company.liaison_pairs())
        department_of = {uid: name for name, ids in members.items() for uid in ids}
        self.silos = Silos(company, department_graph(self.org_graph, department_of,
                                                     list(company.departments)))

    @property
    def customer_graph(self) -> nx.Graph:
        """The customer network as a networkx graph (built from the CSR adjacency on first use)."""
        if self._customer_graph is None:
            self._customer_graph = nx.from_scipy_sparse_array(self.adjacency)
        return self._customer_graph

    def customer_agent(self, row: int) -> Customer:
        """The Mesa agent of customer ``row``, created now if the population is too large to
        have created them all (``customers.max_agent_objects``)."""
        if row not in self._customer_agents:
            if not 0 <= row < self.population.n:
                raise IndexError(f"no customer {row}; rows are 0..{self.population.n - 1}")
            self._customer_agents[row] = Customer(self, row)
        return self._customer_agents[row]

    def assign_roles(self) -> None:
        """Give staff the roles the current ownership model asks for (most enthusiastic
        first): one person per seat (a fractional seat is manned part of its hours), and
        the others its rota needs set aside as cover (see :mod:`scrm_sim.scenario.staffing`)."""
        own, company = self.ownership, self.config.company
        for person in self.staff_list:
            person.role, person.role_shift = Role.NONE, person.shift
            person.duty_share, person.rota_cover = 1.0, False
        roles = role_seats(own, company, include_rogue=True)
        self.roles_fte = sum(r.fte(company) for r in roles if r.role != "rogue")
        self.fte_budgeted = budgeted_fte(own, company)
        kinds = {"front_line": Role.FRONT_LINE, "resolver": Role.RESOLVER,
                 "approver": Role.APPROVER, "rogue": Role.ROGUE}
        for seat in roles:
            free = sorted((s for s in self.staff_list
                           if s.department == seat.department and s.role == Role.NONE
                           and not s.rota_cover),
                          key=lambda s: (-s.enthusiasm, s.unique_id))
            shares = seat.duty_shares()
            for person, share in zip(free, shares, strict=False):
                person.role, person.in_team = kinds[seat.role], False
                person.role_shift, person.duty_share = seat.shift, share
            # the rest of the rota: people who cannot also volunteer for the team
            for person in free[len(shares): seat.people(company)]:
                person.rota_cover, person.in_team = True, False
        self.refresh_social_staff()

    def refresh_social_staff(self) -> None:
        """Recompute who works social posts (after role changes and team moves)."""
        self.social_staff = [s for s in self.staff_list if s.role != Role.NONE or s.in_team]

    def in_pilot_scope(self, authors: np.ndarray) -> np.ndarray:
        """Whether each author is among the customers the current model serves (all of them
        unless it is a pilot: the first ``pilot_share`` of the fixed scope order)."""
        return self.scope_rank[authors] < self.ownership.pilot_share

    def seat_staff(self) -> None:
        """Fill the current model's roles, then its social team's first places."""
        self.assign_roles()
        self.social_team.seed_members()
        self.refresh_social_staff()

    def apply_ownership(self, own: Ownership) -> None:
        """Switch to another ownership model mid-run (staged models)."""
        self.ownership = own
        if own.social_team.policy == "none":
            for person in self.staff_list:
                person.in_team = False
        self.social_team = SocialTeam(self, own.social_team)
        self.seat_staff()
        self.response.use_ownership(own)

    # ------------------------------------------------------------------ step

    @property
    def day(self) -> float:
        """Current simulated day (fractional)."""
        return self.hour / 24.0

    @property
    def acquired_total(self) -> float:
        """Customers acquired by any channel so far."""
        c = self.counters
        return c["acquired_word_of_mouth"] + c["acquired_leads"] + c["acquired_external"]

    def effective_silo(self, sender: str, receiver: str) -> float:
        """Friction of a hand-off hop from one department to another: the silo strength
        between them (at first the mean of their two silo strengths; it drifts, see
        :mod:`scrm_sim.model.silos`), after culture and the owner's authority."""
        silo = self.silos.pair_strength(sender, receiver)
        return silo * (1.0 - self.culture) * (1.0 - self.ownership.authority)

    @property
    def agenda_pull(self) -> float:
        """How far departments' own agendas are pulled toward the model's priorities: the
        owner's authority, plus culture's pull on the rest (``culture_dynamics.agenda_pull``)."""
        authority = self.ownership.authority
        return authority + (1.0 - authority) * (
            self.config.company.culture_dynamics.agenda_pull * self.culture)

    @property
    def tool_use(self) -> float:
        """How much of the tools' benefit is realised: tooling level × culture (seed 002),
        the culture raised toward 1 by the programme's maturity (tools adopted, §7.20)."""
        return self.config.company.tools.level * self.maturity.realised_culture(self.culture)

    def refresh_handling_factor(self) -> None:
        """The factor on every handling time: maturity's speed-up × a launch's overload
        (exactly 1 with both off)."""
        self.handling_factor = (self.maturity.handling_factor
                                * self.pilot.overload(self.maturity.level))

    def step(self) -> None:
        """Advance one hour."""
        hour = self.hour
        first_new = len(self.posts)
        for batch in self.customer_engine.draw_posts(hour, self.outcomes.responsiveness):
            complaint = batch.post_type == "complaint"
            expected = self.population.expected_reply_hours(batch.authors, complaint)
            rows = self.posts.append(batch.authors, TYPE_CODE[batch.post_type], batch.times, expected)
            self.outcomes.new_posts(rows, batch.post_type)
        # the hour's posts, every type: the store appended them in turn, one range of rows
        rows = np.arange(first_new, len(self.posts))
        if len(rows):
            # how each author will react to silence: drawn with the post, so paired runs agree
            self.posts.columns["fate_draw"][rows] = self.streams.at("post_fate", hour).random(
                len(rows))
        self.response.triage(rows)
        self.response.serve(hour)
        self.outcomes.apply(self.response.due_events(hour + 1.0))
        self.outcomes.expose_negative(
            self.cascades.step(hour, self.streams.at("word_of_mouth", hour)))
        self.last_backlog = self.response.backlog(hour + 1.0)
        self.hour += 1
        if self.hour % 24 == 0:
            self._end_of_day()
        self.datacollector.collect(self)
        if self.hour >= self.config.steps:
            self.running = False

    def _end_of_day(self) -> None:
        """The daily organisation update (MODEL.md step 6) and customer dynamics."""
        self.customer_engine.end_of_day()
        self.accounts.end_of_day(self)
        self.outcomes.close_day()
        self.staff.do("close_day")
        self.culture_process.observe_staff()
        self.staff.shuffle_do("review_team_membership")
        self.refresh_social_staff()
        # culture follows what leadership sponsors, up or down (seed 002), and what the
        # organisation lives through; silos wear down or rebuild
        self.culture_process.end_of_day()
        self.silos.record_team_day(Counter(s.department for s in self.social_staff
                                           if s.in_team))
        self.silos.end_of_day(self.culture, self.ownership.executive_sponsorship)
        if self.config.company.culture_dynamics.agenda_pull > 0:
            self.response.plan.pull_agendas(self.agenda_pull)
        # capability grows with the day's practice; a pilot may be judged on its day
        self.maturity.end_of_day()
        if self.pilot.due():
            self.pilot.judge()
        self._check_stage_trigger()
        self.feedback.end_of_day()  # ROI reviews and ideas taken up (model/feedback.py)
        self.refresh_handling_factor()
        if self.config.output.agent_records:
            self._record_agents()

    def _check_stage_trigger(self) -> None:
        stages = self.config.ownership.stages
        if self.stage_index >= len(stages) or self.pilot.failed:
            return  # a failed pilot is never rolled out
        trigger = stages[self.stage_index].when
        if trigger.after_day is not None:
            holds = self.day >= trigger.after_day
        else:
            value = {
                "share_within_sla": self.day_share_within_sla,
                "backlog": float(self.last_backlog),
                "satisfaction_mean": satisfaction_mean(self),
                "social_team_size": float(sum(s.in_team for s in self.social_staff)),
                "maturity": self.maturity.level,
                "culture": self.culture,
            }[trigger.metric]
            holds = value > trigger.above if trigger.above is not None else value < trigger.below
        self._trigger_streak = self._trigger_streak + 1 if holds else 0
        if self._trigger_streak >= trigger.for_days:
            self._trigger_streak = 0
            if self.pilot.judged_at_roll_out() and not self.pilot.judge():
                return
            self.stage_index += 1
            before = self.ownership
            self.apply_ownership(stages[self.stage_index - 1].ownership)
            # the capability built so far carries over (§7.20), a pilot's at its share (§7.21)
            self.maturity.carry_over(self.pilot.stage_changed(before))

    def _record_agents(self) -> None:
        day = self.hour // 24
        for s in self.staff_list:
            self.agent_records.append({
                "day": day, "agent": "staff", "id": s.unique_id, "department": s.department,
                "role": s.role.name.lower(), "in_team": s.in_team,
                "utilisation": s.utilisation_yesterday,
            })

    # ------------------------------------------------------------------ run

    def run(self) -> dict[str, float]:
        """Run to the end of the scenario and return the run summary."""
        while self.running:
            self.step()
        return self.summary()

    def summary(self) -> dict[str, float]:
        """Headline metrics so far."""
        return run_summary(self)

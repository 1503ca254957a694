"""Listening, triage, routing, hand-offs, approval and replies (MODEL.md process steps 3–4).

A heard post travels through queues served in continuous time
(:mod:`scrm_sim.model.queues`):

    listening ──► hub (front line + social team) ──► department (resolver) ──► approval ──► reply
        │             └── resolves itself when skilled, else hands off (delay, loss)
        ├── routing 'direct': triage sends the post straight to its resolving department
        └── rogue departments (outside the model) hear and answer some posts on their own

Only customers in a pilot's scope (``pilot_share``) are heard by the programme.

What happens to the customer when a reply (or silence) reaches them is scheduled
as a timed event and applied by :mod:`scrm_sim.model.outcomes` in time order.

Every random decision about a post (heard, answered by the community or a rogue department,
handling times, hand-off losses and delays, on the brand voice) reads the post's own
uniform (:class:`scrm_sim.model.posts.Draw`), turned into its draw by the inverse of the
distribution: two ownership models facing the same post decide with the same numbers.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Mapping
from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import ndtri  # the inverse of the standard normal cdf

from scrm_sim.model.agents import Role, StaffMember
from scrm_sim.model.community import active_members, answer_delays, answer_probability
from scrm_sim.model.listening import ListeningDesk
from scrm_sim.model.maturity import PRACTICE_COUNTER
from scrm_sim.model.posts import (
    DROPPED_CODE, RESOLVED_CODE, SILENTLY_DROPPED_CODES, STORED_HOPS, DropReason,
    Draw, PostStatus, hop_slot,
)
from scrm_sim.model.queues import ServiceQueue
from scrm_sim.model.roster import DutyRoster
from scrm_sim.scenario.schema import POST_TYPES, DepartmentSpec, Ownership, PostType

if TYPE_CHECKING:
    from scrm_sim.model.model import SCRMModel


def exponential_from_uniform(u: np.ndarray, mean: float) -> np.ndarray:
    """Exponential draws of mean ``mean`` from uniforms in [0, 1) (the inverse cdf)."""
    return -mean * np.log1p(-u)


class Event(IntEnum):
    """Timed consequences of the response process."""

    ACKNOWLEDGE = 0  # a public first response without resolution
    RESOLVE = 1  # a public answer that resolves the post
    DROP = 2  # lost in a hand-off
    SILENCE = 3  # the customer's patience runs out: was anything said by now?
    COMMUNITY = 4  # another customer answered on the community platform


class RoutingPlan:
    """An ownership model compiled into arrays indexed by post-type code."""

    def __init__(self, own: Ownership, departments: Mapping[str, DepartmentSpec]) -> None:
        coverage = own.listening.coverage
        self.coverage = np.array(
            [coverage.get(t, 0.0) if isinstance(coverage, dict) else coverage for t in POST_TYPES]
        )
        self.priority = np.array([own.priorities.get(t, 1.0) for t in POST_TYPES])
        self.ignored = self.priority <= 0  # post types the model never answers
        self.ignores_some = bool(self.ignored.any())
        # A department with its own agenda orders its queue by it (MODEL.md: Department);
        # the owner's authority pulls it toward the model's priorities (seed 000).
        self.departments = list(departments)
        self._agendas = {name: np.array([spec.agenda.get(t, 0.0) for t in POST_TYPES])
                         for name, spec in departments.items() if spec.agenda is not None}
        self.department_priority: dict[str, np.ndarray] = {}
        self.pull_agendas(own.authority)
        self.resolver: list[str | None] = [own.resolvers.get(t) for t in POST_TYPES]
        # hand-offs go only to departments with resolvers; a front-line department
        # without them resolves its own post types at the hub
        self.staffed = {d for d, n in own.resolver_staff.items() if n > 0}
        self.needs_approval = [t in own.approval.required_for for t in POST_TYPES]
        self.public: set[str] | None = None if own.public_responders == "all" else set(
            own.public_responders
        )
        # rogue departments answer this share of each post type; authority reins them in
        self.rogue_share = {
            dept: np.array([r.share * (1.0 - own.authority) if t in r.post_types else 0.0
                            for t in POST_TYPES])
            for dept, r in own.rogue.items() if r.share > 0
        }
        self.community_share = np.array(
            [own.community.answer_share.get(t, 0.0) if own.community.enabled else 0.0
             for t in POST_TYPES]
        )
        self.community_answers = bool(self.community_share.any())
        # with member_answer_chance: each active member's chance to answer (ODD §7.23)
        chance = own.community.member_answer_chance or {}
        self.member_answer_chance = np.array([chance.get(t, 0.0) for t in POST_TYPES])

    def pull_agendas(self, pull: float) -> None:
        """Each department's queue priorities: its own agenda pulled toward the model's
        priorities by ``pull`` in [0, 1] (the owner's authority, and culture's pull; see
        ``SCRMModel.agenda_pull``); the model's priorities where it has no agenda."""
        self.department_priority = {
            name: self.priority if name not in self._agendas
            else (1.0 - pull) * self._agendas[name] + pull * self.priority
            for name in self.departments
        }


class ResponseProcess:
    """The company's side: queues, staff on duty, and the timed events they produce."""

    def __init__(self, model: SCRMModel) -> None:
        self.model = model
        self.hub = ServiceQueue("hub")
        self.departments = {d: ServiceQueue(d) for d in model.config.company.departments}
        self.approval = ServiceQueue("approval")
        self.rogue: dict[str, ServiceQueue] = {}  # made when a department first goes rogue
        self.plan = self._compile(model.ownership)
        self.roster = DutyRoster(model)  # who serves which queue, hour by hour
        # listening as work (analysts, a tool): ODD §7.22; idle under the coverage rule
        self.listening = ListeningDesk(model, model.ownership.listening)
        # draws for hops beyond the STORED_HOPS a post carries uniforms for (max_hops above
        # its default): a stream of their own
        self._hop_rng = model.streams.stream("handoff_hops")
        self._events: list[tuple[float, int, int, int, str, bool]] = []
        # Moments at which queue lengths are sampled for the Little's-law check: a child
        # stream of the model's seed, so that measuring never changes the model's own draws.
        self._sampling_rng = model.streams.stream("measurement")
        # Off by default: sampling costs time proportional to the queues' length every hour.
        self.sample_queue_lengths = False
        self._seq = itertools.count()
        handling = model.config.handling
        # plain floats: the per-post arithmetic is several times faster than on numpy scalars
        self._time_multiplier = [float(handling.time_multiplier.get(t, 1.0)) for t in POST_TYPES]
        # silence is watched where it has a consequence: a penalty, a customer who may leave,
        # or (complaints) a grievance
        outcomes, churn = model.config.outcomes, model.config.churn
        self._silence_matters = np.array(
            [outcomes.silence_penalty.get(t, 0.0) > 0 or churn.leave_after_silence.get(t, 0.0) > 0
             or t == PostType.COMPLAINT for t in POST_TYPES]
        )

    # ------------------------------------------------------------------ set-up

    def use_ownership(self, own: Ownership) -> None:
        """Compile a (new) ownership model; posts waiting where nobody serves go to the hub."""
        self.plan = self._compile(own)
        self.listening.use(own.listening, self.model.hour)
        served = {s.department for s in self.model.social_staff if s.role == Role.RESOLVER}
        for name, queue in self.departments.items():
            if name not in served:
                for post, arrival, priority in queue.drain():
                    self.hub.add(post, arrival, priority)
        if not any(s.role == Role.APPROVER for s in self.model.social_staff):
            # nobody approves any more: answers that were waiting for review go out now
            now = float(self.model.hour)
            voice = own.brand_voice_training * own.spoke_voice_factor  # unreviewed answers
            for post, arrival, _ in self.approval.drain():
                self.schedule(max(now, arrival), Event.RESOLVE, post,
                              self.model.resolver_of.get(post, ""),
                              self._draw(post, Draw.ANSWER_VOICE) < voice)

    def _compile(self, own: Ownership) -> RoutingPlan:
        plan = RoutingPlan(own, self.model.config.company.departments)
        if self.model.config.company.culture_dynamics.agenda_pull > 0:
            plan.pull_agendas(self.model.agenda_pull)
        return plan

    # ------------------------------------------------------------------ each step

    def triage(self, rows: np.ndarray) -> None:
        """Listening and triage of new posts: who hears them and where they go."""
        model, plan = self.model, self.plan
        self.listening.pay(model.hour)
        if len(rows) == 0:
            return
        columns = model.posts.columns
        types = columns["post_type"][rows]
        times = columns["time_posted"][rows]
        # the customer's patience runs out at a deadline fixed when they post
        watched = self._silence_matters[types]
        watched_rows = rows[watched]
        deadlines = times[watched] + (model.config.customers.patience_multiple
                                      * columns["expected_reply_hours"][watched_rows])
        self.schedule_all(deadlines, Event.SILENCE, watched_rows)
        if model.ownership.community.from_members:
            self._member_answers(rows, types, times)
        elif plan.community_answers:
            self._community_answers(rows, types, times)
        heard, screened_at, managed = self._hear(rows, types, times)
        for dept, share in plan.rogue_share.items():
            self._rogue_hears(dept, share, rows, types, times)
        delays = exponential_from_uniform(model.posts.uniforms(rows, Draw.LISTENING_DELAY),
                                          model.ownership.listening.delay_hours)
        columns["time_heard"][rows[heard]] = (screened_at + delays)[heard]
        if managed is not None:
            columns["time_heard"][rows[managed[0]]] = managed[1][managed[0]]
        unheard = rows[~heard]
        columns["status"][unheard] = PostStatus.DROPPED
        columns["drop_reason"][unheard] = DropReason.UNHEARD
        routed = heard
        if plan.ignores_some:  # post types the model gives no priority are never answered
            ignored = heard & plan.ignored[types]
            columns["status"][rows[ignored]] = PostStatus.DROPPED
            columns["drop_reason"][rows[ignored]] = DropReason.IGNORED
            routed = heard & ~ignored
        if managed is not None:  # straight into the managers' queue
            self._route_to(model.ownership.key_accounts.department, rows[routed & managed[0]])
            routed = routed & ~managed[0]
        self._route(rows[routed], types[routed])

    def _route(self, rows: np.ndarray, types: np.ndarray) -> None:
        """Heard posts into the hub, or (routing 'direct') straight to the department that
        resolves their type, from the moment each was heard."""
        plan = self.plan
        heard_at = self.model.posts.columns["time_heard"][rows].tolist()
        if self.model.ownership.routing == "direct":
            for row, at, code in zip(rows.tolist(), heard_at, types.tolist(), strict=True):
                target = plan.resolver[code]
                self.departments[target].add(row, at,
                                             float(plan.department_priority[target][code]))
        else:
            for row, at, priority in zip(rows.tolist(), heard_at, plan.priority[types].tolist(),
                                         strict=True):
                self.hub.add(row, at, priority)

    def _hear(self, rows: np.ndarray, types: np.ndarray, times: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
        """Which new posts the programme hears: a mask, when each was picked up (before the
        triage delay), and the key-account managers' own ``(mask, time heard)`` or None."""
        model, plan = self.model, self.plan
        in_scope = (model.in_pilot_scope(model.posts.columns["author"][rows])
                    if model.ownership.pilot_share < 1.0 else None)
        screened_at = times
        if model.ownership.listening.is_work:  # coverage follows from analysts and a tool
            heard, screened_at = self.listening.hear(
                times, np.ones(len(rows), dtype=bool) if in_scope is None else in_scope,
                model.hour)
        else:
            coverage = plan.coverage[types]
            tool_use = model.tool_use
            if tool_use > 0:  # the listening platform hears part of what people would miss
                coverage = coverage + (1.0 - coverage) * model.config.company.tools.coverage_gain * tool_use
            heard = model.posts.uniforms(rows, Draw.HEARD) < coverage
            if in_scope is not None:
                heard &= in_scope
        # key-account managers hear their accounts' posts themselves (model/accounts.py)
        managed = model.accounts.managed_posts(model, rows, times)
        if managed is not None:
            heard |= managed[0]
        return heard, screened_at, managed

    def _community_answers(self, rows: np.ndarray, types: np.ndarray, times: np.ndarray) -> None:
        """Answers from the community platform: a share of each post type, after an
        exponential delay."""
        posts = self.model.posts
        community = posts.uniforms(rows, Draw.COMMUNITY) < self.plan.community_share[types]
        delay = self.model.ownership.community.mean_delay_hours
        answered_at = times[community] + exponential_from_uniform(
            posts.uniforms(rows[community], Draw.COMMUNITY_DELAY), delay)
        self.schedule_all(answered_at, Event.COMMUNITY, rows[community])

    def _rogue_hears(self, dept: str, share: np.ndarray, rows: np.ndarray, types: np.ndarray,
                     times: np.ndarray) -> None:
        """A rogue department hears ``share`` of each post type itself, as it is posted."""
        posts = self.model.posts
        slot = Draw.ROGUE_ANSWERS + posts.department_index[dept]
        answered = posts.uniforms(rows, slot) < share[types]
        for row, t in zip(rows[answered].tolist(), times[answered].tolist(), strict=True):
            if dept not in self.rogue:
                self.rogue[dept] = ServiceQueue(f"rogue {dept}")
            self.rogue[dept].add(row, t, 1.0)

    def _route_to(self, department: str, rows: np.ndarray) -> None:
        """Heard posts straight to a department: its resolvers' queue by its priorities, or
        the hub when it has no resolvers (it is on the front line)."""
        columns = self.model.posts.columns
        to_resolvers = department in self.plan.staffed
        queue = self.departments[department] if to_resolvers else self.hub
        priority = self.plan.department_priority[department] if to_resolvers else self.plan.priority
        for row, at, rank in zip(rows.tolist(), columns["time_heard"][rows].tolist(),
                                 priority[columns["post_type"][rows]].tolist(), strict=True):
            queue.add(row, at, rank)

    def _member_answers(self, rows: np.ndarray, types: np.ndarray, times: np.ndarray) -> None:
        """Community answers from the members (ODD §7.23): one uniform per post (its
        community slot) decides whether some active member answers within the window and
        when the first does."""
        model = self.model
        spec, population = model.ownership.community, model.population
        u = model.posts.uniforms(rows, Draw.COMMUNITY)
        members = active_members(population.member_customers(), population.satisfaction,
                                 spec.member_satisfaction_slope)
        chance = self.plan.member_answer_chance[types]
        answered = u < answer_probability(members, chance)
        delays = answer_delays(members, chance[answered], spec.answer_window_hours, u[answered])
        self.schedule_all(times[answered] + delays, Event.COMMUNITY, rows[answered])

    def serve(self, hour: int) -> None:
        """Run every queue over [hour, hour + 1) with the staff on duty."""
        t0, t1 = float(hour), float(hour + 1)
        counters = self.model.counters
        roster = self.roster.at(hour)
        for person in roster.people:
            person.duty_hours_today += 1.0
            # rogue work is the department's, outside the programme and its budget
            paid_by = "rogue_" if person.role == Role.ROGUE else ""
            counters[paid_by + "staff_hours"] += 1.0
            counters[paid_by + "cost"] += person.hourly_cost
        on_duty, live, nobody = roster.servers, self.is_live, ()
        # hub first, then departments, then approval: within-hour hand-offs flow downstream
        self.hub.run(t0, t1, on_duty.get("hub", nobody), self._serve_front, live)
        for name, queue in self.departments.items():
            queue.run(t0, t1, on_duty.get(name, nobody), self._serve_resolver, live)
        self.approval.run(t0, t1, on_duty.get("approval", nobody), self._serve_approval, live)
        for name, queue in self.rogue.items():
            queue.run(t0, t1, on_duty.get(f"rogue {name}", nobody), self._serve_rogue,
                      self.is_live_for_rogue)

    def backlog(self, at: float) -> int:
        """Posts waiting (arrived, not started) in the programme's queues at ``at`` (the end
        of a step).

        With ``sample_queue_lengths`` on (the Little's-law check), also samples each queue's
        length at a random moment of the step that ends at ``at``.
        """
        if self.sample_queue_lengths:
            moment = at - 1.0 + float(self._sampling_rng.random())
            for queue in self.queues:
                queue.sample_length(moment, self._left_at)
        # every queue's candidates tested at once: one array test a step, not one a queue
        waiting: list[int] = []
        for queue in self.programme_queues:
            waiting += queue.unstarted(at)  # extended in C, not re-walked post by post
        if not waiting:
            return 0
        posts = np.fromiter(waiting, dtype=np.int64, count=len(waiting))
        return int(np.count_nonzero(self.is_live(posts, at)))

    @property
    def programme_queues(self) -> list[ServiceQueue]:
        """The ownership model's queues: the hub, approvals and one per department."""
        return [self.hub, self.approval, *self.departments.values()]

    @property
    def queues(self) -> list[ServiceQueue]:
        """Every queue: the programme's and one per rogue department (whose posts are copies
        of posts the programme also holds, so they are not in its backlog)."""
        return [*self.programme_queues, *self.rogue.values()]

    def due_events(self, until: float) -> list[tuple[float, int, int, str, bool]]:
        """Pop the events before ``until`` in time order: (time, kind, post, department, on voice)."""
        due = []
        while self._events and self._events[0][0] < until:
            time, _, kind, post, dept, on_voice = heapq.heappop(self._events)
            due.append((time, kind, post, dept, on_voice))
        return due

    def schedule(
        self, time: float, kind: Event, post: int, dept: str = "", on_voice: bool = False
    ) -> None:
        """Add a timed event; replies carry the department and whether they are on the brand voice."""
        heapq.heappush(self._events, (time, next(self._seq), int(kind), post, dept, on_voice))
        if kind == Event.RESOLVE or kind == Event.COMMUNITY:
            # settled from then on, although the event is applied only at the end of the step
            settled = self.model.posts.columns["time_settled"]
            if time < settled.item(post):
                settled[post] = time

    def schedule_all(self, times: np.ndarray, kind: Event, posts: np.ndarray) -> None:
        """:meth:`schedule` for many posts at once (no department, not on the brand voice), in
        their order: the same events, in the same tie order, as one call per post."""
        events, seq, code = self._events, self._seq, int(kind)
        for time, post in zip(times.tolist(), posts.tolist(), strict=True):
            heapq.heappush(events, (time, next(seq), code, post, "", False))
        if kind == Event.RESOLVE or kind == Event.COMMUNITY:
            np.minimum.at(self.model.posts.columns["time_settled"], posts, times)

    def _left_at(self, post: int) -> float:
        """When a post stopped needing the company's service (infinity while it still does)."""
        return self.model.posts.columns["time_settled"].item(post)

    # one post's columns read with .item() (plain Python numbers) and compared with plain-int
    # codes: comparing numpy scalars takes several times longer, and a queue asks whether
    # its next post is live for nearly every post served

    def is_live(self, post: int | np.ndarray, at: float) -> bool | np.ndarray:
        """Still worth serving at ``at``: not resolved, dropped or settled by then (a community
        answer or a resolution scheduled earlier in the same step counts from its time).
        One post gives a bool, an array of posts an array of them."""
        columns = self.model.posts.columns
        if isinstance(post, np.ndarray):
            return (columns["status"][post] < RESOLVED_CODE) & (columns["time_settled"][post] > at)
        return (columns["status"].item(post) < RESOLVED_CODE
                and columns["time_settled"].item(post) > at)

    def is_live_for_rogue(self, post: int, at: float) -> bool:
        """A rogue department hears posts on its own: those the programme did not hear, or
        ignored, are still worth its answer."""
        columns = self.model.posts.columns
        status = columns["status"].item(post)
        open_to_rogue = status < RESOLVED_CODE or (
            status == DROPPED_CODE
            and columns["drop_reason"].item(post) in SILENTLY_DROPPED_CODES)
        return open_to_rogue and columns["time_settled"].item(post) > at

    # ------------------------------------------------------------------ service

    def _serve_front(self, post: int, person: StaffMember, start: float) -> float:
        """A hub handler answers a post, or acknowledges it and hands it off."""
        columns = self.model.posts.columns
        if math.isnan(columns["time_first_handled"].item(post)):
            columns["time_first_handled"][post] = start
        code = columns["post_type"].item(post)
        target = self.plan.resolver[code]
        if (code in person.skills or target is None or target == person.department
                or target not in self.plan.staffed):
            return self._resolve(post, code, person, start, front=True)
        triage_share = self.model.config.handling.handoff_triage_share
        done = start + self._handling_hours(post, Draw.TRIAGE_HOURS, code, person,
                                            share=triage_share)
        person.busy_hours_today += done - start
        own = self.model.ownership
        if own.acknowledge_handoffs:
            on_voice = self._draw(post, Draw.ACKNOWLEDGE_VOICE) < own.brand_voice_training
            self.schedule(done, Event.ACKNOWLEDGE, post, person.department, on_voice)
        route = self.model.silos.route(person.department, target,
                                       named_liaison=own.handoff.named_liaisons)
        arrival = self._hand_off(post, route, done)
        if arrival is not None:
            priority = float(self.plan.department_priority[target][code])
            self.departments[target].add(post, arrival, priority)
        return done

    def _hand_off(self, post: int, route: list[str], leaves: float) -> float | None:
        """Pass a post along a chain of departments, hop by hop from ``leaves``; the time it
        reaches the last one, or None if it was lost (a DROP is then scheduled).

        Each hop counts as a hand-off and has its own friction, from the silo strength
        between the sending and the receiving department: a chance of loss, then a delay. A
        chain longer than ``handoff.max_hops`` ends where the last allowed hop delivers it:
        nobody owns the post there, and it is lost.
        """
        model = self.model
        handoff = model.ownership.handoff
        columns, counters = model.posts.columns, model.counters
        delay_cut = 1.0 - model.config.company.tools.handoff_delay_cut * model.tool_use
        # a mature programme's playbooks: fewer losses, shorter delays (1 at maturity 0)
        maturity = model.maturity
        delay_cut *= maturity.handoff_delay_factor
        at = leaves
        for hop, (sender, receiver) in enumerate(itertools.pairwise(route)):
            if hop == handoff.max_hops:
                counters["lost_beyond_max_hops"] += 1
                self.schedule(at, Event.DROP, post)
                return None
            columns["handoffs"][post] += 1
            counters["handoffs"] += 1
            friction = model.effective_silo(sender, receiver)
            loss = (handoff.base_loss + handoff.silo_loss * friction) * maturity.handoff_loss_factor
            if self._hop_draw(post, hop, Draw.HOP_LOSS) < min(1.0, loss):
                self.schedule(at, Event.DROP, post)
                return None
            mean_delay = handoff.base_delay_hours + handoff.silo_delay_hours * friction
            mean_delay *= delay_cut
            at += -mean_delay * math.log1p(-self._hop_draw(post, hop, Draw.HOP_DELAY))
            model.silos.record_joint_case(sender, receiver)
        return at

    def _serve_resolver(self, post: int, person: StaffMember, start: float) -> float:
        columns = self.model.posts.columns
        if math.isnan(columns["time_first_handled"].item(post)):  # routed directly
            columns["time_first_handled"][post] = start
        return self._resolve(post, columns["post_type"].item(post), person, start, front=False)

    def _resolve(self, post: int, code: int, person: StaffMember, start: float, *,
                 front: bool) -> float:
        """``person`` answers ``post`` (of type ``code``): for approval, or to the customer."""
        done = start + self._handling_hours(post, Draw.ANSWER_HOURS, code, person)
        person.busy_hours_today += done - start
        self.model.counters[PRACTICE_COUNTER] += 1  # practice that builds maturity
        self.model.resolver_of[post] = person.department
        public = self.plan.public
        if self.plan.needs_approval[code] or (public is not None and person.department not in public):
            self.approval.add(post, done, float(self.plan.priority[code]))
            return done
        own = self.model.ownership
        on_voice_chance = own.brand_voice_training * (1.0 if front else own.spoke_voice_factor)
        on_voice = self._draw(post, Draw.ANSWER_VOICE) < on_voice_chance
        self.schedule(done, Event.RESOLVE, post, person.department, on_voice)
        return done

    def _serve_rogue(self, post: int, person: StaffMember, start: float) -> float:
        """A rogue department replies on its own: a resolution where it has the skill, else
        an acknowledgement; unreviewed, so often off the brand voice."""
        code = self.model.posts.columns["post_type"].item(post)
        done = start + self._handling_hours(post, Draw.ROGUE_HOURS, code, person,
                                            programme=False)
        person.busy_hours_today += done - start
        self.model.counters["rogue_replies"] += 1
        voice = self.model.ownership.rogue[person.department].voice
        kind = Event.RESOLVE if code in person.skills else Event.ACKNOWLEDGE
        self.schedule(done, kind, post, person.department,
                      self._draw(post, Draw.ROGUE_VOICE) < voice)
        return done

    def _serve_approval(self, post: int, person: StaffMember, start: float) -> float:
        minutes = self.model.ownership.approval.minutes_per_approval
        done = start + self._draw_hours(minutes / 60.0, self._draw(post, Draw.APPROVAL_HOURS))
        person.busy_hours_today += done - start
        # reviewed answers are on the brand voice
        self.schedule(done, Event.RESOLVE, post, self.model.resolver_of.get(post, ""), True)
        return done

    def _draw(self, post: int, slot: int) -> float:
        """The post's uniform for ``slot`` (a fresh one if the post has used it already)."""
        return self.model.posts.take(post, slot, self.model.rng)

    def _hop_draw(self, post: int, hop: int, slot: int) -> float:
        """The uniform of hop ``hop`` of a hand-off: the post's own for the first
        ``STORED_HOPS`` hops, a stream of their own beyond."""
        if hop < STORED_HOPS:
            return self._draw(post, hop_slot(slot, hop))
        return float(self._hop_rng.random())

    def _handling_hours(self, post: int, slot: int, code: int, person: StaffMember,
                        share: float = 1.0, *, programme: bool = True) -> float:
        """Hours ``person`` takes over ``post``'s task ``slot`` (a post of type ``code``)."""
        handling = self.model.config.handling
        mean = share * self._time_multiplier[code] / person.capacity_per_hour
        if code not in person.skills:
            mean *= handling.unskilled_multiplier
        if handling.novice_multiplier > 1.0:  # learning curve: the extra halves with experience
            halvings = person.posts_handled / handling.experience_halving_posts
            mean *= 1.0 + (handling.novice_multiplier - 1.0) * 0.5**halvings
        person.posts_handled += 1
        tool_use = self.model.tool_use
        if tool_use > 0:
            mean *= 1.0 - self.model.config.company.tools.handling_speedup * tool_use
        # maturity's speed-up and a launch's overload (exactly 1 with both off): the
        # programme's, so not a rogue department's
        return self._draw_hours(mean * self.model.handling_factor if programme else mean,
                                self._draw(post, slot))

    def _draw_hours(self, mean: float, u: float) -> float:
        """A handling time of mean ``mean`` from the uniform ``u`` (inverse cdf)."""
        handling = self.model.config.handling
        if handling.distribution == "exponential":
            return -mean * math.log1p(-u)
        sigma2 = math.log(1.0 + handling.cv**2)
        return math.exp(math.log(mean) - sigma2 / 2.0 + math.sqrt(sigma2) * float(ndtri(u)))

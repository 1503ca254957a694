"""What a post, a reply and silence do to customers (MODEL.md process step 5; OUTCOMES.md).

Satisfaction s ∈ [0, 1] moves by increments whose sign is fixed by what happened, never
toward a utility (which made slow replies worse than silence):

* posting a complaint:  s ← s − d / (1 + f·responsiveness)       the failure itself
* a reply after wait w: s ← s + g_type · r(w / e) · v · share      any reply helps
  with r(x) = floor + (1 − floor)·2^(−x / h), e the reply time the customer expects,
  v < 1 off the brand voice, share the acknowledgement share (or the rest of it for
  the resolution that follows, judged against a multiple of e);
* silence past the customer's patience, heard or not: s ← s − p_type; the customer may
  leave at once (one bad experience), and an unanswered complaint becomes a public
  grievance that spreads (:mod:`scrm_sim.model.word_of_mouth`);
* after a first reply the customer's expectation moves toward the wait they got,
  e ← e + κ·(w − e) (Pandora's box).

Daily customer dynamics (drift, stages, churn, external acquisition) are the customer
engine's (:mod:`scrm_sim.model.engines`).
"""

from __future__ import annotations

import math
import operator
from collections import deque
from functools import reduce
from typing import TYPE_CHECKING

import numpy as np

from scrm_sim.model.customers import CUSTOMER_STAGES, Stage
from scrm_sim.model.engines import conversion_probability
from scrm_sim.model.posts import (
    ANSWERED_CODE, DROPPED_CODE, RESOLVED_CODE, SILENTLY_DROPPED_CODES, DropReason, Draw,
)
from scrm_sim.model.response import Event
from scrm_sim.model.word_of_mouth import contacts_of
from scrm_sim.scenario.schema import POST_TYPES, PostType
from scrm_sim.scenario.schema import Outcomes as OutcomesSpec

if TYPE_CHECKING:
    from scrm_sim.model.model import SCRMModel

COMPLAINT = POST_TYPES.index(PostType.COMPLAINT)
PURCHASE_INTENT = POST_TYPES.index(PostType.PURCHASE_INTENT)
IDEA = POST_TYPES.index(PostType.IDEA)

# Codes as plain ints, for the per-post functions: comparing a numpy int8 with an IntEnum
# member, or testing it against a numpy array, takes several times longer.
_ACKNOWLEDGE, _RESOLVE, _DROP, _SILENCE = (int(Event.ACKNOWLEDGE), int(Event.RESOLVE),
                                           int(Event.DROP), int(Event.SILENCE))
_CUSTOMER_STAGES = frozenset(int(stage) for stage in CUSTOMER_STAGES)
_PROSPECT, _CHURNED = int(Stage.PROSPECT), int(Stage.CHURNED)


def reply_value(wait: float, expected: float, spec: OutcomesSpec) -> float:
    """Share of the full gain a reply after ``wait`` hours gives a customer who expected
    ``expected``: 1 at once, halving above the floor every ``reply_value_half_life`` × e."""
    floor = spec.slow_reply_floor
    return floor + (1.0 - floor) * 2.0 ** (-wait / (expected * spec.reply_value_half_life))


class Outcomes:
    """Applies timed events and daily customer dynamics to the population arrays."""

    def __init__(self, model: SCRMModel) -> None:
        self.model = model
        spec = model.config.outcomes
        # by post-type code, as Python floats: the per-post functions read one value at a time
        self.reply_gain = [float(spec.reply_gain.get(t, 0.0)) for t in POST_TYPES]
        self.silence_penalty = [float(spec.silence_penalty.get(t, 0.0)) for t in POST_TYPES]
        leave = model.config.churn.leave_after_silence
        self.leave_after_silence = [float(leave.get(t, 0.0)) for t in POST_TYPES]
        self.responsiveness = 0.0
        self.observer_penalty = spec.voice_trust.observer_penalty
        # when each first response of the last 24 hours was given, and its wait (in turn)
        self._recent_response_times: deque[float] = deque()
        self._recent_waits: deque[float] = deque()
        self._day_posts = 0
        self._day_within_sla = 0

    # ------------------------------------------------------------------ events

    def apply(self, events: list[tuple[float, int, int, str, bool]]) -> None:
        """Apply events in time order (one at a time: a post, or an author, with two events
        in the hour meets them in turn)."""
        for time, kind, post, dept, on_voice in events:
            if kind == _ACKNOWLEDGE or kind == _RESOLVE:
                self.reply(post, time, dept, on_voice, resolved=kind == _RESOLVE)
            elif kind == _DROP:
                self.drop(post)
            elif kind == _SILENCE:
                self.silence(post, time)
            else:
                self.community_answer(post, time)

    def new_posts(self, rows: np.ndarray, post_type: PostType) -> None:
        """Count new posts; a complaint costs its author (the failure); praise is seen by
        the author's contacts as it is posted."""
        self._day_posts += len(rows)
        if post_type == PostType.COMPLAINT:
            demand = self.model.config.demand
            drop = self.model.config.outcomes.complaint_failure_drop / (
                1.0 + demand.responsiveness_feedback * self.responsiveness)
            self._lower_satisfaction(self.model.posts.columns["author"][rows], drop)
        elif post_type == PostType.PRAISE:
            for author in self.model.posts.columns["author"][rows].tolist():
                self.spread_praise(author)

    def reply(self, post: int, time: float, dept: str, on_voice: bool, *, resolved: bool) -> None:
        """A public reply from the company reaches the author."""
        model = self.model
        posts, counters, spec = model.posts.columns, model.counters, model.config.outcomes
        status = int(posts["status"][post])
        if status == RESOLVED_CODE:
            return  # already answered by the community
        if status == DROPPED_CODE:
            if int(posts["drop_reason"][post]) not in SILENTLY_DROPPED_CODES:
                return  # lost in a hand-off
            posts["drop_reason"][post] = DropReason.NONE  # a rogue department heard it
        # the post's values as Python numbers (numpy scalars are slower to compute with)
        code = int(posts["post_type"][post])
        author = int(posts["author"][post])
        wait = time - float(posts["time_posted"][post])
        expected = float(posts["expected_reply_hours"][post])
        if math.isnan(posts["time_first_response"][post]):
            posts["time_first_response"][post] = time
            counters["first_responses"] += 1
            self._recent_response_times.append(time)
            self._recent_waits.append(wait)
            if wait <= model.config.sla_hours:
                counters["within_sla"] += 1
                self._day_within_sla += 1
            cascade = int(posts["cascade"][post])
            if cascade >= 0:  # answering a grievance publicly calms it
                model.cascades.damp(cascade, model.config.word_of_mouth.answered_damping)
            self._adapt_expectation(author, wait, expected)
        # what this reply is worth: an acknowledgement gives its share of the gain, the
        # resolution that follows the rest, judged against a longer expectation
        share = 1.0
        if not resolved:
            # only the first acknowledgement tells the customer something new (a rogue
            # department and the front line may both acknowledge)
            share = spec.acknowledgement_share if status != ANSWERED_CODE else 0.0
        elif status == ANSWERED_CODE:
            share = 1.0 - spec.acknowledgement_share
            expected *= spec.resolution_expectation_multiple
        posts["on_voice"][post] = on_voice  # of the latest reply
        if not resolved:
            posts["status"][post] = ANSWERED_CODE
        else:
            posts["status"][post] = RESOLVED_CODE
            posts["time_resolved"][post] = time
            counters["resolutions"] += 1
        counters["replies"] += 1
        counters["replies_on_voice"] += on_voice

        value = reply_value(wait, expected, spec)
        if not on_voice:
            value *= 1.0 - spec.inconsistent_voice_penalty
            if self.observer_penalty > 0:
                self.expose_off_voice(author)
        self._raise_satisfaction(author, self.reply_gain[code] * share * value)
        if resolved:
            self._business_result(post, code, author, wait, dept)
        if value * share > model.config.word_of_mouth.good_answer_threshold:
            self.spread_praise(author)

    def first_response_hours_24h(self) -> float:
        """Mean wait of the first responses delivered in the last 24 hours (NaN if none)."""
        times, waits, since = self._recent_response_times, self._recent_waits, self.model.hour - 24.0
        while times and times[0] < since:
            times.popleft()
            waits.popleft()
        if not waits:
            return float("nan")
        # summed left to right, as recorded runs summed them: Python's sum() of floats
        # compensates rounding (3.12+), which would change the last bits of the mean
        return reduce(operator.add, waits) / len(waits)

    def drop(self, post: int) -> None:
        """A post lost in a hand-off."""
        columns = self.model.posts.columns
        if columns["status"][post] != RESOLVED_CODE:
            columns["status"][post] = DROPPED_CODE
            columns["drop_reason"][post] = DropReason.LOST_IN_HANDOFF
            self.model.counters["lost_in_handoff"] += 1

    def silence(self, post: int, time: float) -> None:
        """The author's patience ran out and nobody said anything: it costs, whether the
        company heard the post or not (the customer cannot tell the difference)."""
        model = self.model
        columns = model.posts.columns
        first_response = columns["time_first_response"][post]
        answered = not math.isnan(first_response) and first_response <= time
        if answered or columns["community_answered"][post]:
            return
        code = int(columns["post_type"][post])
        author = int(columns["author"][post])
        s = model.population.satisfaction
        satisfaction = max(0.0, float(s[author]) - self.silence_penalty[code])
        s[author] = satisfaction
        model.counters["silences"] += 1
        # one bad experience: some customers leave at once (PwC 2018)
        if (int(model.population.stage[author]) in _CUSTOMER_STAGES
                and columns["fate_draw"][post] < self.leave_after_silence[code]):
            model.population.move(np.array([author]), Stage.CHURNED, model.day)
            model.counters["churned"] += 1
            model.counters["churned_after_silence"] += 1
        if code == COMPLAINT:
            wom = model.config.word_of_mouth
            transmission = wom.negative_transmission * (1 + wom.anger_gain * (1 - satisfaction))
            columns["cascade"][post] = model.cascades.start(author, transmission, model.hour)
            model.counters["grievances"] += 1
        elif code == PURCHASE_INTENT:
            model.counters["leads_lost"] += 1

    def community_answer(self, post: int, time: float) -> None:
        """Another customer answered on the company's community platform (whether or not the
        company heard the post or lost it internally: the community does not know)."""
        model = self.model
        columns = model.posts.columns
        if columns["status"][post] == RESOLVED_CODE:
            return
        columns["drop_reason"][post] = DropReason.NONE
        columns["community_answered"][post] = True
        columns["status"][post] = RESOLVED_CODE
        columns["time_resolved"][post] = time
        model.counters["community_answers"] += 1
        code = int(columns["post_type"][post])
        if code == IDEA:
            model.counters["ideas_co_created"] += 1
        spec = model.config.outcomes
        wait = time - float(columns["time_posted"][post])
        value = reply_value(wait, float(columns["expected_reply_hours"][post]), spec)
        self._raise_satisfaction(int(columns["author"][post]),
                                 self.reply_gain[code] * spec.acknowledgement_share * value)

    def spread_praise(self, author: int) -> None:
        """Contacts see praise: prospects may convert, churned contacts may come back.

        The contacts' draws come from the model's sequential generator, unpaired: drawing
        them per post and reason (tried for issue 17) left the variance reduction of every
        headline metric unchanged within its sampling error (100 seeds), at the cost of a
        keyed generator for every praise shared."""
        model = self.model
        wom = model.config.word_of_mouth
        contacts = contacts_of(model.adjacency, author)
        if len(contacts) == 0:
            return
        stage = model.population.stage[contacts]
        draws = model.rng.random(len(contacts))
        chance = conversion_probability(wom.positive_conversion,
                                        model.population.satisfaction[contacts], model.config)
        win_back = wom.win_back
        influence = model.population.influence
        if influence is not None:  # frequent posters are heard further (ODD §7.23)
            chance = np.minimum(1.0, chance * influence[author])
            win_back = min(1.0, win_back * float(influence[author]))
        converts = contacts[(stage == _PROSPECT) & (draws < chance)]
        returns = contacts[(stage == _CHURNED) & (draws < win_back)]
        if len(converts):
            model.population.move(converts, Stage.ONBOARDING, model.day)
            model.counters["acquired_word_of_mouth"] += len(converts)
        if len(returns):
            model.population.move(returns, Stage.WON_BACK, model.day)
            model.counters["won_back"] += len(returns)
        model.counters["positive_exposures"] += len(contacts)

    def expose_off_voice(self, author: int) -> None:
        """The author's contacts see a reply off the brand voice: each thinks
        ``voice_trust.observer_penalty`` less of the brand (prospects too)."""
        contacts = contacts_of(self.model.adjacency, author)
        if len(contacts):
            self._lower_satisfaction(contacts, self.observer_penalty)
            self.model.counters["off_voice_exposures"] += len(contacts)

    def expose_negative(self, people: np.ndarray) -> None:
        """People who saw a grievance think a little less of the brand (prospects too)."""
        if len(people):
            self._lower_satisfaction(people, self.model.config.word_of_mouth.exposure_penalty)

    # ------------------------------------------------------------------ daily

    def close_day(self) -> None:
        """End of day: update the responsiveness index that feeds back on demand."""
        model = self.model
        today = self._day_within_sla / self._day_posts if self._day_posts else self.responsiveness
        self.responsiveness += model.config.demand.responsiveness_smoothing * (
            today - self.responsiveness)
        model.day_share_within_sla = today
        self._day_posts = self._day_within_sla = 0

    # ------------------------------------------------------------------ internals

    def _lower_satisfaction(self, people: np.ndarray, amount: float) -> None:
        """Each listed person loses ``amount`` (once per listing), down to 0. Only their rows
        are clipped: a full-population clip here ran every hour."""
        s = self.model.population.satisfaction
        np.subtract.at(s, people, amount)
        s[people] = np.maximum(s[people], 0.0)

    def _raise_satisfaction(self, author: int, gain: float) -> None:
        s = self.model.population.satisfaction
        s[author] = min(1.0, float(s[author]) + gain)

    def _adapt_expectation(self, author: int, wait: float, expected: float) -> None:
        """Pandora's box: the reply time this customer expects moves toward the one they got."""
        kappa = self.model.config.outcomes.expectation_adaptation
        if kappa > 0:
            adapted = expected + kappa * (wait - expected)
            self.model.population.expectation_factor[author] *= adapted / expected

    def _business_result(self, post: int, code: int, author: int, wait: float, dept: str) -> None:
        model = self.model
        skills = model.department_skills.get(dept, frozenset())
        if code == PURCHASE_INTENT and code in skills:
            spec = model.config.outcomes
            # an account's purchase takes several exchanges and cools slowly (model/accounts.py)
            closes, decay = model.accounts.closes_purchase(author)
            chance = spec.lead_conversion * math.exp(-wait / (spec.lead_decay_hours * decay))
            # the post's own uniform, so that two models converting the same lead agree
            if model.posts.take(post, Draw.LEAD_CONVERSION, model.rng) < chance and closes:
                model.counters["leads_converted"] += 1
                if model.accounts.account_of[author] >= 0:
                    model.counters["account_leads_converted"] += 1
                if model.population.stage[author] == _PROSPECT:
                    model.population.move(np.array([author]), Stage.ONBOARDING, model.day)
                    model.counters["acquired_leads"] += 1
        elif code == IDEA and code in skills:
            model.counters["ideas_co_created"] += 1

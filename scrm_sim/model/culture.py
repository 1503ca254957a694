"""Culture that moves both ways (seed 002: "Stop thinking about ownership and start thinking
about culture change").

The culture index c in [0, 1] drifts toward what leadership sponsors (seed 002: Social CRM
"should be owned at management level, as these are the correct individuals to guide and
develop the business into cultural change"), and, with ``company.culture_dynamics``, is
pushed daily by what the organisation lives through:

- up with *visible wins*: a day answered within the SLA and satisfaction rising (seed 003:
  buy-in waits until the case is proven, "Up until this point it is a leap of faith"; seed
  001: "as executives slowly begin to see benefits");
- up with a *healthy social team*, its places filled by members who are not overloaded
  (seed 001, Glenn: "a team to support them operationally and a tribe to take the message
  to the rest of the organization");
- down with *overload* of the people doing social work (seed 000: "once you start allowing
  contact with your customers via Social channels it is almost impossible to stop");
- down with *rogue departments*, the share of the day's replies given outside the agreed
  model (seed 003: "without buy-in across the board, departments go rogue to get what they
  want");
- down with a *failed pilot* (seed 001, Rampen: "the negative spirit internally when you have
  to withdraw from something you just announced"): :meth:`CultureProcess.setback`, a hook for
  the pilot mechanism.

Culture in turn shapes behaviour: the team's join chance, hand-off friction, tool use (all
in the model already), the pull of departments' agendas toward the model's priorities, and
the wearing down of silos (:mod:`scrm_sim.model.silos`).
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from scrm_sim.model.agents import Role
from scrm_sim.model.metrics import satisfaction_mean
from scrm_sim.scenario.schema import scaled_count

if TYPE_CHECKING:
    from scrm_sim.model.model import SCRMModel

WIN_WINDOW_DAYS = 7  # satisfaction "improving" is judged over a week (code constant)


class CultureProcess:
    """The daily culture update and the signals that drive it."""

    def __init__(self, model: SCRMModel) -> None:
        self.model = model
        self.spec = model.config.company.culture_dynamics
        spec = self.spec
        self.pushed = (spec.win_gain > 0 or spec.team_gain > 0 or spec.overload_loss > 0
                       or spec.rogue_loss > 0)
        self.drivers = {"wins": 0.0, "team": 0.0, "overload": 0.0, "rogue": 0.0}
        self._satisfaction: deque[float] = deque(maxlen=WIN_WINDOW_DAYS + 1)
        if spec.win_gain > 0:  # the start, read without filling the hourly cache
            population = model.population
            start = population.satisfaction[population.customer_rows()]
            self._satisfaction.append(float(start.mean()) if len(start) else 0.0)
        self._replies_before = 0.0
        self._rogue_before = 0.0

    def observe_staff(self) -> None:
        """Read the day's staff signals (after utilisation is closed, before anyone joins or
        leaves the team): the overloaded share and the team's health."""
        if not self.pushed:
            return
        model, limit = self.model, self.spec.overload_utilisation
        workers = [s for s in model.social_staff if s.role != Role.ROGUE and s.worked_yesterday]
        self.drivers["overload"] = (sum(s.utilisation_yesterday > limit for s in workers)
                                    / len(workers) if workers else 0.0)
        own = model.ownership
        places = scaled_count(own.social_team.max_size, own.staffing_scale)
        healthy = sum(1 for s in model.social_staff
                      if s.in_team and s.utilisation_yesterday <= limit)
        self.drivers["team"] = min(1.0, healthy / places) if places > 0 else 0.0

    def end_of_day(self) -> None:
        """Move culture: toward sponsorship, then the day's pushes up and down::

            c ← c + (sponsorship − c) / culture_adaptation_days
                  + (1 − c) · (win_gain · wins + team_gain · team)
                  − c · (overload_loss · overload + rogue_loss · rogue)

        clipped to [0, 1]; every driver is in [0, 1] and read at the start of the update.
        """
        model = self.model
        culture = model.culture
        target = model.ownership.executive_sponsorship
        drift = (target - culture) / model.config.company.culture_adaptation_days
        if not self.pushed:
            model.culture += drift
            return
        spec, drivers = self.spec, self.drivers
        drivers["wins"] = self._wins() if spec.win_gain > 0 else 0.0
        drivers["rogue"] = self._rogue_share()
        up = spec.win_gain * drivers["wins"] + spec.team_gain * drivers["team"]
        down = spec.overload_loss * drivers["overload"] + spec.rogue_loss * drivers["rogue"]
        model.culture = min(1.0, max(0.0, culture + drift + (1.0 - culture) * up
                                     - culture * down))

    def setback(self, share: float) -> None:
        """A failed pilot, withdrawn in front of everyone, costs this share of the culture
        (the hook the pilot mechanism calls; nothing calls it yet)."""
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"a culture setback is a share in [0, 1], got {share}")
        self.model.culture *= 1.0 - share

    def _wins(self) -> float:
        """Visible wins in [0, 1]: half the day's share within the SLA above win_sla_share
        (full at 1), half the week's rise of mean satisfaction (full at win_satisfaction_rise)."""
        spec, model = self.spec, self.model
        within = max(0.0, model.day_share_within_sla - spec.win_sla_share) / (
            1.0 - spec.win_sla_share)
        now = satisfaction_mean(model)
        rise = now - self._satisfaction[0] if self._satisfaction else 0.0
        self._satisfaction.append(now)
        improving = min(1.0, max(0.0, rise) / spec.win_satisfaction_rise)
        return 0.5 * min(1.0, within) + 0.5 * improving

    def _rogue_share(self) -> float:
        """Share of the day's public replies that came from rogue departments."""
        counters = self.model.counters
        replies = counters["replies"] - self._replies_before
        rogue = counters["rogue_replies"] - self._rogue_before
        self._replies_before, self._rogue_before = counters["replies"], counters["rogue_replies"]
        return min(1.0, rogue / replies) if replies > 0 else 0.0

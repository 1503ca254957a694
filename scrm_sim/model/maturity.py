"""Maturity carried across stages: the social programme's capability stock (issue 16).

Graham Hill (seed 004) argues that ownership should pass "the baton of responsibility to
more formalised groups", so that the business "has a much better chance of developing the
various capabilities required to measure, monitor and manage Social CRM"; John Moore (seed
004) has it start in support and move on "in the second phase of rollout". Both rest on a
capability that builds up in one stage and is still there in the next. Here it is one
index m in [0, 1] of the programme (skills, playbooks, tools adopted), with
``company.maturity``:

- it grows with practice: once a day, each answer the programme's own staff gave that day
  closes ``growth_per_answer`` of the gap to 1 (diminishing returns toward 1);
- it fades by ``decay_per_day`` (forgetting, staff turnover), which practice makes up;
- a stage change does not reset it: ``loss_at_stage_change`` of it is lost, the rest
  carries over (and a pilot's roll-out passes on ``ownership.pilot.learning_transfer`` of
  it, :mod:`scrm_sim.model.pilot`);
- it acts on behaviour with stated strengths: handling time × (1 − handling_speedup·m),
  a hand-off hop's chance of loss × (1 − handoff_loss_cut·m) and mean delay ×
  (1 − handoff_delay_cut·m) (playbooks), and realised tool use level × (c + (1 − c)·
  tool_adoption·m) for culture c.

Off by default: m starts at 0 and never grows, every factor is exactly 1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrm_sim.model.model import SCRMModel

# the counter of answers given by the programme's own staff (ResponseProcess._resolve)
PRACTICE_COUNTER = "programme_answers"


def grown(level: float, answers: float, growth: float, decay: float) -> float:
    """One day of the stock: fade by ``decay``, then each of ``answers`` closes ``growth``
    of the gap to 1::

        m ← 1 − (1 − m·(1 − decay)) · (1 − growth)^answers
    """
    faded = level * (1.0 - decay)
    # written as a step up from the faded level, so that no answers leave it exactly as it is
    return min(1.0, max(0.0, faded + (1.0 - faded) * (1.0 - (1.0 - growth) ** answers)))


class MaturityStock:
    """The programme's maturity and the factors through which it acts."""

    def __init__(self, model: SCRMModel) -> None:
        self.model = model
        self.spec = model.config.company.maturity
        self.level = float(self.spec.initial)
        self._answers_before = 0.0
        self._refresh()

    @property
    def moves(self) -> bool:
        """Whether the stock can change at all (otherwise the daily update is skipped)."""
        spec = self.spec
        return spec.growth_per_answer > 0 or (spec.decay_per_day > 0 and self.level > 0)

    def end_of_day(self) -> None:
        """Grow with the day's practice and fade (see :func:`grown`)."""
        answers_total = self.model.counters[PRACTICE_COUNTER]
        answers = answers_total - self._answers_before
        self._answers_before = answers_total
        if self.moves:
            spec = self.spec
            self.level = grown(self.level, answers, spec.growth_per_answer, spec.decay_per_day)
            self._refresh()

    def carry_over(self, transfer: float = 1.0) -> None:
        """A stage change: the stock carries over, less ``loss_at_stage_change``, and times
        ``transfer`` (the share of a pilot's learning that reaches its roll-out)."""
        self.level *= (1.0 - self.spec.loss_at_stage_change) * transfer
        self._refresh()

    def realised_culture(self, culture: float) -> float:
        """The culture the tools are used with: maturity closes part of the gap to 1."""
        if self.level > 0 and self.spec.tool_adoption > 0:
            return culture + (1.0 - culture) * self.spec.tool_adoption * self.level
        return culture

    def _refresh(self) -> None:
        # the factors the hourly path reads (exactly 1 at m = 0, so that nothing changes); the
        # model combines handling_factor with a launch's overload (refresh_handling_factor)
        spec, m = self.spec, self.level
        self.handling_factor = 1.0 - spec.handling_speedup * m
        self.handoff_loss_factor = 1.0 - spec.handoff_loss_cut * m
        self.handoff_delay_factor = 1.0 - spec.handoff_delay_cut * m

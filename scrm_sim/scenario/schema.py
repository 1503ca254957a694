"""The scenario schema: every input of a run, its default, its unit and its allowed range.

A scenario YAML is validated against :class:`Scenario` in one place
(:func:`scrm_sim.scenario.loading.load_scenario`); the model only ever sees the
validated object. Each default lives here, once, with the reason for it in the
field description. Defaults taken from published figures name their source
(see ``docs`` in the README and ``shared/design/VALIDATION.md``); all others are
labelled assumptions.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scrm_sim.scenario.limits import (
    MAX_MEAN_DEGREE,
    MAX_MULTIPLIER,
    MAX_PEOPLE,
    MAX_RATE,
    MAX_SCALE,
    MAX_SEED,
    MAX_STAFF,
)


def unit(name: str) -> dict[str, str]:
    """The ``json_schema_extra`` of a field measured in ``name``: "days", "share 0–1",
    "× (multiplier)", or "—" for a name, a choice or a pure number. Every leaf field
    states one; `scrm-sim explain`, `scrm-sim validate` and the JSON Schema show it."""
    return {"unit": name}


Probability = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]


class PostType(StrEnum):
    """What a customer's post to the brand is about."""

    QUESTION = "question"
    COMPLAINT = "complaint"
    PRAISE = "praise"
    IDEA = "idea"
    PURCHASE_INTENT = "purchase_intent"


POST_TYPES: tuple[PostType, ...] = tuple(PostType)

Department = Literal["marketing", "sales", "service", "pr", "product", "it", "executive"]
DEPARTMENTS: tuple[str, ...] = ("marketing", "sales", "service", "pr", "product", "it", "executive")


class StrictModel(BaseModel):
    """Base for every schema block: unknown keys are errors, values are validated on assignment,
    and no number is infinite or NaN (.inf would pass a lower bound and crash the run)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False,
                              allow_inf_nan=False)


# --------------------------------------------------------------------------- company


class Shift(StrictModel):
    """Working hours. ``end_hour`` may be smaller than ``start_hour`` for a night shift."""

    start_hour: int = Field(9, ge=0, le=23, description="First working hour of the day (0–23).",
                            json_schema_extra=unit("hour of the day"))
    end_hour: int = Field(17, ge=1, le=24, description="Hour the shift ends (exclusive, 1–24).",
                          json_schema_extra=unit("hour of the day"))
    days: Literal["weekdays", "all"] = Field("weekdays", description="Working days.",
                                             json_schema_extra=unit("—"))

    def is_on(self, hour_of_week: int) -> bool:
        """Whether the shift covers this hour (0 = Monday 00:00)."""
        day, hour = divmod(hour_of_week % 168, 24)
        if self.days == "weekdays" and day >= 5:
            return False
        if self.start_hour < self.end_hour:
            return self.start_hour <= hour < self.end_hour
        return hour >= self.start_hour or hour < self.end_hour


SHIFT_PRESETS: dict[str, Shift] = {
    "business": Shift(start_hour=9, end_hour=17, days="weekdays"),
    "extended": Shift(start_hour=7, end_hour=23, days="all"),
    "always": Shift(start_hour=0, end_hour=24, days="all"),
}
ShiftSpec = Literal["business", "extended", "always"] | Shift


def resolve_shift(spec: ShiftSpec) -> Shift:
    """Turn a shift preset name or an explicit shift into a :class:`Shift`."""
    return SHIFT_PRESETS[spec] if isinstance(spec, str) else spec


class DepartmentSpec(StrictModel):
    """One department of the company."""

    staff: int = Field(10, ge=0, le=MAX_STAFF, description="Head count (at most 1,000,000).",
                       json_schema_extra=unit("staff"))
    capacity_per_hour: Annotated[float, Field(gt=0.0, le=1000.0)] = Field(
        5.0, description="Posts one person handles per hour when skilled (mean handling 12 min); "
        "at most 1,000.",
        json_schema_extra=unit("posts per staff-hour"),
    )
    skills: list[PostType] = Field(
        default_factory=list, description="Post types this department resolves without help.",
        json_schema_extra=unit("—"),
    )
    shift: ShiftSpec = Field("business", description="Working hours: business, extended, always.",
                             json_schema_extra=unit("—"))
    base_workload: Probability = Field(
        0.6, description="Share of time taken by non-social duties (limits volunteering).",
        json_schema_extra=unit("share 0–1"),
    )
    silo_strength: Probability = Field(
        0.5,
        description="How closed the department is (0 none, 1 strong silo). A hand-off hop's "
        "friction is the silo strength between the sending and the receiving department (its "
        "base: the mean of the two departments' silo strength; company.silo_drift may wear it "
        "down), times (1 − culture) × (1 − ownership.authority). Assumption.",
        json_schema_extra=unit("index 0–1"),
    )
    hourly_cost: NonNegative = Field(50.0, description="Loaded cost of one staff-hour.",
                                     json_schema_extra=unit("currency per staff-hour"))
    social_enthusiasm: Probability = Field(
        0.4, description="Mean enthusiasm for social media of this department's staff: only "
        "enthusiasts volunteer for a self-organising social team (acts through the team).",
        json_schema_extra=unit("index 0–1"),
    )
    agenda: dict[PostType, Annotated[float, Field(ge=0.0)]] | None = Field(
        None,
        description="The department's own priorities for posts handed to it (higher first); "
        "null: it follows the ownership model's priorities.",
        json_schema_extra=unit("relative weight"),
    )


def _default_departments() -> dict[str, DepartmentSpec]:
    # About 100 staff: a mid-size company. Assumption, not calibrated.
    return {
        "marketing": DepartmentSpec(
            staff=20, capacity_per_hour=5, skills=["praise", "purchase_intent", "idea"],
            shift="business", social_enthusiasm=0.6, hourly_cost=55,
        ),
        "sales": DepartmentSpec(
            staff=15, capacity_per_hour=4, skills=["purchase_intent", "question"],
            shift="business", social_enthusiasm=0.4, hourly_cost=60,
        ),
        "service": DepartmentSpec(
            staff=35, capacity_per_hour=6, skills=["question", "complaint"],
            shift="extended", base_workload=0.7, social_enthusiasm=0.45, hourly_cost=35,
        ),
        "pr": DepartmentSpec(
            staff=6, capacity_per_hour=4, skills=["praise", "complaint"], shift="business",
            social_enthusiasm=0.6, hourly_cost=60,
        ),
        "product": DepartmentSpec(
            staff=10, capacity_per_hour=3, skills=["idea"], shift="business", hourly_cost=65,
        ),
        "it": DepartmentSpec(
            staff=8, capacity_per_hour=3, skills=[], shift="business", hourly_cost=60,
        ),
        "executive": DepartmentSpec(
            staff=4, capacity_per_hour=6, skills=[], shift="business", base_workload=0.9,
            silo_strength=0.2, social_enthusiasm=0.3, hourly_cost=150,
        ),
    }


class Tools(StrictModel):
    """Social CRM tooling: a listening platform, shared case routing and a knowledge base.

    Staff use tools as far as the culture lets them share work (seed 002: "changing tools
    without changing culture"): each benefit is scaled by ``level × culture``, the current
    culture index. This interaction is an assumption, stated so that experiments measure
    its size rather than take it for granted.
    """

    level: Probability = Field(0.0, description="Tooling investment, 0 none to 1 full suite.",
                               json_schema_extra=unit("index 0–1"))
    coverage_gain: Probability = Field(
        0.5, description="Share of otherwise unheard posts the listening platform adds at full "
        "use (scaled by level × culture).",
        json_schema_extra=unit("share 0–1"),
    )
    handling_speedup: Annotated[float, Field(ge=0.0, lt=1.0)] = Field(
        0.3, description="Handling time cut by the knowledge base at full use (scaled by "
        "level × culture).",
        json_schema_extra=unit("share 0–1"),
    )
    handoff_delay_cut: Probability = Field(
        0.5, description="Hand-off delay cut by shared case routing at full use (scaled by "
        "level × culture).",
        json_schema_extra=unit("share 0–1"),
    )


Liaisons = Literal["all_pairs", "through_executive"] | list[tuple[Department, Department]]


class SiloDrift(StrictModel):
    """How the silo between two departments changes (MODEL.md: "culture and silo strength
    drift under sponsorship").

    Each pair of departments has a silo strength of its own, which starts at the mean of the
    two departments' ``silo_strength`` (its *base*). Each day it is worn down by culture, by
    sponsorship and by the cases the two departments handled together (seed 001, Wim Rampen:
    putting specialists together "will tear down silo-boundaries"), and it grows back toward
    its base when nothing wears it down. All rates are 0 by default: silos stay at their base.
    """

    culture_erosion: Annotated[float, Field(ge=0.0, le=0.5)] = Field(
        0.0,
        description="Share of a pair's silo strength worn away per day at culture 1 (× the "
        "culture index). 0: off. Assumption; plausible 0–0.02 (0.01: a strong culture halves a "
        "silo in about ten weeks when nothing rebuilds it).",
        json_schema_extra=unit("share per day"),
    )
    sponsorship_erosion: Annotated[float, Field(ge=0.0, le=0.5)] = Field(
        0.0,
        description="Share of a pair's silo strength worn away per day at "
        "ownership.executive_sponsorship 1 (× sponsorship): leadership breaks silos down "
        "(seed 000, Thomas). 0: off. Assumption; plausible 0–0.02.",
        json_schema_extra=unit("share per day"),
    )
    learning_per_joint_case: Annotated[float, Field(ge=0.0, le=0.2)] = Field(
        0.0,
        description="Share of a pair's silo strength each case the two departments handled "
        "together removes: a hand-off hop delivered from one to the other (learning by working "
        "together, seed 001). 0: off. Assumption; plausible 0–0.01 (0.002: about 350 joint "
        "cases halve a silo).",
        json_schema_extra=unit("share per joint case"),
    )
    team_joint_cases_per_day: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        0.0,
        description="Joint cases a day that each pair of social-team members from two different "
        "departments counts for their departments' silo (a cross-functional team works cases "
        "together every day, seed 001, Rampen: putting specialists together \"will tear down "
        "silo-boundaries\"). Acts with learning_per_joint_case > 0 and a social team whose "
        "members come from several departments. 0: off. Assumption; plausible 0–2.",
        json_schema_extra=unit("joint cases per member pair per day"),
    )
    rebuild_days: Annotated[float, Field(ge=1.0, le=3650.0)] = Field(
        180.0,
        description="Time constant (days) of a worn silo's return toward its base when "
        "culture_erosion, sponsorship_erosion or learning_per_joint_case no longer wear it "
        "down (old habits come back). Assumption; plausible 60–720.",
        json_schema_extra=unit("days"),
    )


class CultureDynamics(StrictModel):
    """What moves culture besides sponsorship, and how far culture pulls agendas.

    Culture drifts toward ``ownership.executive_sponsorship`` (``company.culture_adaptation_days``);
    these drivers add daily pushes: up with visible wins (seed 003: buy-in waits for proof;
    seed 001: "as executives slowly begin to see benefits") and a healthy social team (seed
    001, Glenn: "a tribe to take the message to the rest of the organization"); down with
    overload (seed 000: "almost impossible to stop") and rogue departments (seed 003:
    "without buy-in across the board, departments go rogue"). A push up closes its share of
    the gap to 1, a push down removes its share of the culture, so culture stays in [0, 1].
    Every gain and loss is 0 by default: culture follows sponsorship only.
    """

    win_gain: Annotated[float, Field(ge=0.0, le=0.2)] = Field(
        0.0,
        description="Share of the gap to culture 1 closed per day of full visible wins (the "
        "wins index: half the day's share within the SLA above win_sla_share, half the rise "
        "of mean satisfaction over 7 days against win_satisfaction_rise). 0: off. Assumption; "
        "plausible 0–0.02.",
        json_schema_extra=unit("share per day"),
    )
    win_sla_share: Annotated[float, Field(ge=0.0, lt=1.0)] = Field(
        0.5,
        description="A day's share of posts answered within the SLA counts toward the wins "
        "index above this, fully at 1 (acts when win_gain > 0). Assumption; plausible 0.3–0.8.",
        json_schema_extra=unit("share 0–1"),
    )
    win_satisfaction_rise: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.02,
        description="Rise of mean satisfaction (0–1 scale) over the last 7 days that counts as "
        "a full win (acts when win_gain > 0). Assumption; plausible 0.005–0.05.",
        json_schema_extra=unit("satisfaction 0–1"),
    )
    team_gain: Annotated[float, Field(ge=0.0, le=0.2)] = Field(
        0.0,
        description="Share of the gap to culture 1 closed per day by a full, healthy social "
        "team (members not overloaded yesterday over the team's places, "
        "ownership.social_team.max_size). 0: off. Assumption; plausible 0–0.02.",
        json_schema_extra=unit("share per day"),
    )
    overload_loss: Annotated[float, Field(ge=0.0, le=0.2)] = Field(
        0.0,
        description="Share of culture lost per day when every social staff member who worked "
        "yesterday was overloaded (× the overloaded share). 0: off. Assumption; plausible "
        "0–0.02.",
        json_schema_extra=unit("share per day"),
    )
    overload_utilisation: Probability = Field(
        0.85,
        description="Utilisation of one's social hours above which a person counts as "
        "overloaded, for overload_loss and team_gain (acts when either > 0). Assumption; "
        "plausible 0.7–0.95 (0.85 as the team's leave_utilisation).",
        json_schema_extra=unit("share 0–1"),
    )
    rogue_loss: Annotated[float, Field(ge=0.0, le=0.2)] = Field(
        0.0,
        description="Share of culture lost per day when every reply of the day comes from a "
        "rogue department (× the rogue share of the day's replies; acts with ownership.rogue "
        "departments). 0: off. Assumption; plausible 0–0.05.",
        json_schema_extra=unit("share per day"),
    )
    agenda_pull: Probability = Field(
        0.0,
        description="How far culture pulls departments with their own agenda toward the "
        "ownership model's priorities, beyond the owner's authority: the pull is authority + "
        "(1 − authority) × agenda_pull × culture (acts on departments with an agenda). 0: "
        "authority alone. Assumption; plausible 0–1.",
        json_schema_extra=unit("share 0–1"),
    )


class Maturity(StrictModel):
    """The social programme's capability: skills, playbooks and tools adopted (issue 16).

    A stock m in [0, 1] that grows with practice, each answer the programme gives closing a
    share of the gap to 1 (diminishing returns), may fade without practice, and carries
    across stage changes (seed 004, Graham Hill: passing the baton to more formal groups
    gives the business "a much better chance of developing the various capabilities
    required"). It shortens handling, cuts hand-off losses and delays (playbooks) and raises
    realised tool use. Off by default: m starts at 0 and never grows, and nothing changes.
    """

    initial: Probability = Field(
        0.0,
        description="Maturity at the start of the run (0: a programme new to social CRM). "
        "Assumption; plausible 0–0.5.",
        json_schema_extra=unit("index 0–1"),
    )
    growth_per_answer: Annotated[float, Field(ge=0.0, le=0.1)] = Field(
        0.0,
        description="Share of the gap to maturity 1 closed by each answer the programme's "
        "own staff give (front line and resolvers, not rogue departments): m ← 1 − (1 − m)·"
        "(1 − this)^answers, once a day. 0: off (m stays at initial). Assumption; plausible "
        "0–0.002 (0.0005: about 1,400 answers take a new programme halfway).",
        json_schema_extra=unit("share per answer"),
    )
    decay_per_day: Annotated[float, Field(ge=0.0, le=0.1)] = Field(
        0.0,
        description="Share of maturity lost each day (forgetting, staff turnover); practice "
        "makes it up (acts when maturity is above 0: initial or growth_per_answer > 0). 0: "
        "no decay. Assumption; plausible 0–0.01 (0.005: unused capability halves in about "
        "four months).",
        json_schema_extra=unit("share per day"),
    )
    loss_at_stage_change: Probability = Field(
        0.0,
        description="Share of maturity lost when a staged ownership model moves to its next "
        "stage (new people, new processes); the rest carries over (acts with "
        "ownership.stages when maturity is above 0: initial or growth_per_answer > 0). 0: "
        "all of it carries. Assumption; plausible 0–0.3.",
        json_schema_extra=unit("share 0–1"),
    )
    handling_speedup: Annotated[float, Field(ge=0.0, lt=1.0)] = Field(
        0.2,
        description="Handling time cut at maturity 1 (× m): skills and answer templates (acts "
        "when maturity is above 0: initial or growth_per_answer > 0). Assumption; plausible "
        "0–0.4.",
        json_schema_extra=unit("share 0–1"),
    )
    handoff_loss_cut: Probability = Field(
        0.5,
        description="Chance of losing a post on a hand-off hop cut at maturity 1 (× m): a "
        "playbook says who takes what (acts when maturity is above 0: initial or "
        "growth_per_answer > 0). Assumption; plausible 0–0.8.",
        json_schema_extra=unit("share 0–1"),
    )
    handoff_delay_cut: Probability = Field(
        0.3,
        description="Mean delay of a hand-off hop cut at maturity 1 (× m) (acts when "
        "maturity is above 0: initial or growth_per_answer > 0). Assumption; plausible 0–0.6.",
        json_schema_extra=unit("share 0–1"),
    )
    tool_adoption: Probability = Field(
        0.5,
        description="How far maturity closes the gap between culture and full use of the "
        "tools: realised tool use is level × (c + (1 − c)·this·m), c the culture (acts when "
        "maturity is above 0, initial or growth_per_answer > 0, and company.tools.level > 0). "
        "Assumption; plausible 0–1.",
        json_schema_extra=unit("share 0–1"),
    )


class Rollout(StrictModel):
    """The overload of launching the programme to customers it did not serve before.

    A launch is the start of the run (the programme's first scope) and every stage change
    that widens its scope (``ownership.pilot_share`` rises). For ``overload_days`` after a
    launch, handling takes longer, by less the more mature the programme is: staff learn new
    tools and processes under full demand (seed 001, Wim Rampen, on a laboratory instead:
    "You also do not have to start huge campaigns to involve the entire organization").
    Off by default (0 days).
    """

    overload_days: int = Field(
        0, ge=0, le=365,
        description="Days after a launch during which handling is slower. 0: off. "
        "Assumption; plausible 0–60.",
        json_schema_extra=unit("days"),
    )
    handling_multiplier: Annotated[float, Field(ge=1.0, le=5.0)] = Field(
        1.5,
        description="Handling time × 1 + (this − 1)·(1 − m) during the overload after a "
        "launch, m the maturity (company.maturity) (acts when overload_days > 0). "
        "Assumption; plausible 1–2.",
        json_schema_extra=unit("× (multiplier)"),
    )


class Company(StrictModel):
    """The organisation: departments, culture and tools."""

    departments: dict[Department, DepartmentSpec] = Field(
        default_factory=_default_departments,
        description="Departments by name (marketing, sales, service, pr, product, it, executive); "
        "the default is a mid-size company of 98 staff. Assumption. A scenario's entries are "
        "merged over the defaults, field by field; set staff: 0 to leave a department out.",
    )
    culture: Probability = Field(
        0.4,
        description="Customer-centric culture index at the start (seed 002: culture matters "
        "more than the org chart). Lowers hand-off friction and raises volunteering.",
        json_schema_extra=unit("index 0–1"),
    )
    culture_adaptation_days: Positive = Field(
        180.0,
        description="Time constant (days) of culture's drift toward the ownership model's "
        "ownership.executive_sponsorship, up or down: culture follows what leadership sponsors "
        "(seed 002). Acts whenever executive_sponsorship differs from the current culture. "
        "Assumption: months, not days; plausible 60–720.",
        json_schema_extra=unit("days"),
    )
    enthusiasm_concentration: Positive = Field(
        8.0,
        description="Spread of staff's enthusiasm for social media around their department's "
        "social_enthusiasm: a beta distribution with a + b = this (larger: less spread). "
        "Assumption; plausible 2–50.",
        json_schema_extra=unit("— (beta a + b)"),
    )
    culture_dynamics: CultureDynamics = Field(default_factory=CultureDynamics)
    silo_drift: SiloDrift = Field(default_factory=SiloDrift)
    maturity: Maturity = Field(default_factory=Maturity)
    rollout: Rollout = Field(default_factory=Rollout)
    liaisons: Liaisons = Field(
        "all_pairs",
        description="Which departments have a direct liaison tie (one person in each who know "
        "each other): all_pairs (every pair; the default), through_executive (each department "
        "only with the executive: work between functions goes through the top, seed 001, "
        "Nemelka: \"the CEO, the executive staff (organized by function), people reporting to "
        "them\"), or a list of department pairs. A hand-off travels along the shortest chain "
        "of liaisons, one hop per tie (ownership.handoff.max_hops). Departments with staff must "
        "all be linked.",
        json_schema_extra=unit("—"),
    )
    tools: Tools = Field(default_factory=Tools)
    headcount_scale: Annotated[float, Field(gt=0.0, le=MAX_SCALE)] = Field(
        1.0,
        description="Multiplies every department's head count (rounded, at least 1 where "
        "staff > 0): one knob for company size in experiments. At most 1,000.",
        json_schema_extra=unit("× (multiplier)"),
    )
    contracted_hours_per_week: Annotated[float, Field(ge=1.0, le=84.0)] = Field(
        40.0,
        description="Hours one full-time person works a week (one FTE). A social role open "
        "longer is covered by a rota of several people, and is counted and paid so: a seat on "
        "the extended shift (112 h a week) is 2.8 FTE. A social-team member gives "
        "ownership.social_team.time_share of these hours. Common full-time contracts: 35–48 h.",
        json_schema_extra=unit("hours per week"),
    )

    def head_count(self, department: str) -> int:
        """Staff of a department after ``headcount_scale``."""
        staff = self.departments[department].staff
        return max(1, int(round(staff * self.headcount_scale))) if staff > 0 else 0

    def liaison_pairs(self) -> list[tuple[str, str]]:
        """Department pairs with a direct liaison tie, among departments with staff, in
        ``departments`` order (all_pairs: every pair; through_executive: each with the
        executive; or the listed pairs)."""
        staffed = [name for name in self.departments if self.head_count(name) > 0]
        if self.liaisons == "all_pairs":
            return [(a, b) for i, a in enumerate(staffed) for b in staffed[i + 1:]]
        if self.liaisons == "through_executive":
            return [(a, "executive") for a in staffed if a != "executive"
                    and "executive" in staffed]
        order = {name: i for i, name in enumerate(staffed)}
        pairs = {tuple(sorted((a, b), key=order.__getitem__)) for a, b in self.liaisons
                 if a in order and b in order and a != b}
        return sorted(pairs, key=lambda pair: (order[pair[0]], order[pair[1]]))

    def unlinked_departments(self) -> list[str]:
        """Departments with staff that no chain of liaisons links to the first one (empty
        when every hand-off can reach its target)."""
        staffed = [name for name in self.departments if self.head_count(name) > 0]
        linked: dict[str, set[str]] = {name: set() for name in staffed}
        for a, b in self.liaison_pairs():
            linked[a].add(b)
            linked[b].add(a)
        reached, frontier = set(staffed[:1]), list(staffed[:1])
        while frontier:
            for other in linked[frontier.pop()] - reached:
                reached.add(other)
                frontier.append(other)
        return [name for name in staffed if name not in reached]

    @field_validator("liaisons")
    @classmethod
    def _pairs_of_two_departments(cls, value: object) -> object:
        if isinstance(value, list):
            for a, b in value:
                if a == b:
                    raise ValueError(f"a liaison links two departments, got [{a}, {b}]")
        return value

    @field_validator("departments", mode="before")
    @classmethod
    def _merge_over_default_departments(cls, value: object) -> object:
        # overriding one field of one department must not drop the other departments
        if not isinstance(value, dict):
            return value
        merged: dict[object, object] = {
            name: spec.model_dump() for name, spec in _default_departments().items()
        }
        for name, spec in value.items():
            base = merged.get(name)
            if isinstance(spec, dict) and isinstance(base, dict):
                merged[name] = {**base, **spec}
            else:
                merged[name] = spec
        return merged


# --------------------------------------------------------------------------- customers


class NetworkSpec(StrictModel):
    """The customers' social network: a growth or random-graph model."""

    type: Literal["watts_strogatz", "barabasi_albert", "erdos_renyi", "powerlaw_cluster", "complete"] = (
        Field("powerlaw_cluster", description="powerlaw_cluster: Holme–Kim (heavy-tailed, "
              "clustered; built on arrays); the others: networkx generators.",
              json_schema_extra=unit("—"))
    )
    mean_degree: Annotated[float, Field(gt=0.0, le=MAX_MEAN_DEGREE)] = Field(
        10.0, description="Mean number of contacts per person (at most 10,000).",
        json_schema_extra=unit("contacts per person"))
    rewire_probability: Probability = Field(0.1, description="watts_strogatz rewiring.",
                                            json_schema_extra=unit("probability 0–1"))
    triangle_probability: Probability = Field(0.3, description="powerlaw_cluster clustering.",
                                              json_schema_extra=unit("probability 0–1"))


class SatisfactionSpec(StrictModel):
    """Initial distribution of satisfaction (a beta distribution)."""

    mean: Annotated[float, Field(gt=0.0, lt=1.0)] = Field(0.7, description="Mean satisfaction.",
                                 json_schema_extra=unit("satisfaction 0–1"))
    concentration: Positive = Field(20.0, description="Beta a+b; larger means less spread.",
                                    json_schema_extra=unit("— (beta a + b)"))


class Accounts(StrictModel):
    """Business customers grouped into accounts (issue 16; seed 001, Esteban Kolsky: "In B2B is
    different ... the relationships with clients are very different in that model").

    With ``contacts_per_account`` ≥ 1 the B2B people (``customers.b2b_share``) are grouped into
    accounts, customers and prospects apart: fewer, higher-value units (an account is worth
    ``economics.account_value_multiple`` customers) with several contacts each, who know each
    other (ties in the customer graph). An account leaves when ``leave_share`` of its contacts
    have churned, taking the rest with it; its purchases take several exchanges. 0 (the
    default): no accounts, every B2B customer stands alone.
    """

    contacts_per_account: Annotated[float, Field(ge=0.0, le=100.0)] = Field(
        0.0,
        description="Mean number of contacts (B2B customers or prospects) per account: 1 + "
        "Poisson(mean − 1) each. 0: no accounts (off); values between 0 and 1 are refused. "
        "Assumption; plausible 2–10 (a buying centre of several people).",
        json_schema_extra=unit("contacts per account"),
    )
    leave_share: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.5,
        description="An account leaves, and its remaining contacts churn with it, once this share "
        "of its buying contacts (customers and churned; not prospects) has churned (acts when "
        "contacts_per_account ≥ 1). Assumption; plausible 0.3–1 (1: only when the last one "
        "leaves).",
        json_schema_extra=unit("share 0–1"),
    )
    purchase_exchanges: int = Field(
        1, ge=1, le=20,
        description="Skilled replies to an account's purchase intents its purchase conversation "
        "needs: only every n-th can close the deal (acts when contacts_per_account ≥ 1). "
        "Assumption; plausible 1–5.",
        json_schema_extra=unit("replies"),
    )
    lead_decay_multiple: Annotated[float, Field(ge=1.0, le=100.0)] = Field(
        1.0,
        description="An account's purchase conversation cools this many times more slowly than "
        "a consumer's: its lead conversion decays with outcomes.lead_decay_hours × this (acts "
        "when contacts_per_account ≥ 1). Assumption; plausible 1–10 (B2B buying takes days, "
        "not hours).",
        json_schema_extra=unit("× lead_decay_hours"),
    )

    @model_validator(mode="after")
    def _whole_accounts(self) -> Self:
        if 0.0 < self.contacts_per_account < 1.0:
            raise ValueError(f"contacts_per_account is 0 (no accounts) or at least 1, got "
                             f"{self.contacts_per_account:g}")
        return self


class PostingPropensity(StrictModel):
    """How much each customer posts relative to the others, and how far they are heard
    (issue 16 item 6; docs/ODD.md §7.23).

    Each person's propensity w is lognormal with mean 1 (log-sd ``spread``): every post rate of
    theirs is multiplied by w, so the expected total volume is unchanged while a few write most
    posts. Pew Research Center (Wojcik & Hughes 2019, "Sizing Up Twitter Users"): "The most
    prolific tweeters – those in the top 10% by number of tweets – are responsible for 80% of
    all tweets created by U.S. adults." A lognormal gives the top 10% the share
    Φ(spread − 1.2816): 80% at spread 2.12, 90% at 2.56.
    """

    spread: Annotated[float, Field(ge=0.0, le=4.0)] = Field(
        0.0,
        description="Log-sd of the lognormal posting propensity (mean 1) that multiplies every "
        "post rate of a person; 0: everyone posts alike. 2.12 makes the 10% most active write "
        "80% of the posts (Pew Research Center 2019, Twitter, U.S. adults); 2.56: 90%. "
        "Plausible 1.5–2.6.",
        json_schema_extra=unit("— (log standard deviation)"),
    )
    influence_elasticity: Annotated[float, Field(ge=0.0, le=2.0)] = Field(
        0.0,
        description="Frequent posters are heard further: a person passes a grievance on to each "
        "contact with the cascade's transmission × w^e / mean(w^e), w their posting propensity, "
        "and their praise converts prospects and wins back churned contacts × the same factor "
        "(acts only when spread > 0). 0: everyone alike. Assumption; plausible 0–1 (Pew 2019: "
        "the top 10% by tweets have a median of 387 followers against 19).",
        json_schema_extra=unit("— (elasticity)"),
    )


class CommunityMembership(StrictModel):
    """Which customers belong to the company's community (issue 16 item 6; ODD §7.23).

    A person is a member with probability min(1, share · w^e / mean(w^e)), w their posting
    propensity: frequent posters are more likely members. Members answer other customers'
    posts when the platform runs with ``ownership.community.member_answer_chance``.
    """

    share: Probability = Field(
        0.0,
        description="Share of people who are community members (acts only with "
        "ownership.community.enabled and ownership.community.member_answer_chance set). "
        "Assumption; plausible 0.02–0.2 (Nielsen 2006: in most online communities 90% of users "
        "never contribute).",
        json_schema_extra=unit("share 0–1"),
    )
    propensity_elasticity: Annotated[float, Field(ge=0.0, le=3.0)] = Field(
        1.0,
        description="Membership chance × w^e / mean(w^e), w the posting propensity: frequent "
        "posters join more often (acts only when customers.propensity.spread > 0 and share > "
        "0). Assumption; plausible 0–2.",
        json_schema_extra=unit("— (elasticity)"),
    )


class Customers(StrictModel):
    """The customer population."""

    count: int = Field(10_000, ge=1, le=MAX_PEOPLE, description="Current customers at the start "
                       "(at most 10**9; the memory estimate may refuse fewer).",
                       json_schema_extra=unit("customers"))
    prospects: int = Field(5_000, ge=0, le=MAX_PEOPLE, description="Potential customers reachable "
                           "by word of mouth (at most 10**9).", json_schema_extra=unit("people"))
    b2b_share: Probability = Field(0.2, description="Share of business customers (post more questions).",
                                   json_schema_extra=unit("share 0–1"))
    accounts: Accounts = Field(default_factory=Accounts)
    network: NetworkSpec = Field(default_factory=NetworkSpec)
    initial_satisfaction: SatisfactionSpec = Field(default_factory=SatisfactionSpec)
    expect_reply_within_hour: Probability = Field(
        0.42, description="Share expecting a reply within 60 min (Edison Research, 2012).",
        json_schema_extra=unit("share 0–1"),
    )
    complainers_expect_reply_within_hour: Probability = Field(
        0.72, description="Share of complainers expecting a reply within 1 h (Lithium, 2013).",
        json_schema_extra=unit("share 0–1"),
    )
    expectation_spread: Positive = Field(
        1.2, description="Log-sd of expected reply times across customers. Assumption.",
        json_schema_extra=unit("— (log standard deviation)"),
    )
    patience_multiple: Positive = Field(
        4.0,
        description="A post unanswered after this multiple of the customer's expected reply "
        "time is 'silence' (for complaints: a public grievance). Assumption.",
        json_schema_extra=unit("× expected reply time"),
    )
    max_agent_objects: int = Field(
        200_000,
        ge=0,
        le=MAX_PEOPLE,
        description="Create a Mesa Customer agent per customer up to this population; above it "
        "agents are made on demand by SCRMModel.customer_agent (state always lives in arrays).",
        json_schema_extra=unit("customers"),
    )
    propensity: PostingPropensity = Field(default_factory=PostingPropensity)
    community_membership: CommunityMembership = Field(default_factory=CommunityMembership)


# --------------------------------------------------------------------------- demand


def _default_rates() -> dict[PostType, float]:
    # Posts per customer per day. About 0.9 posts per customer per quarter. Assumption.
    return {
        PostType.QUESTION: 0.004,
        PostType.COMPLAINT: 0.002,
        PostType.PRAISE: 0.0015,
        PostType.IDEA: 0.0005,
        PostType.PURCHASE_INTENT: 0.001,
    }


DEFAULT_DIURNAL = [
    0.3, 0.2, 0.15, 0.1, 0.1, 0.15, 0.3, 0.6, 0.9, 1.1, 1.2, 1.3,
    1.4, 1.3, 1.2, 1.2, 1.3, 1.4, 1.5, 1.6, 1.6, 1.4, 1.0, 0.6,
]  # relative posting volume by hour; social use peaks in the evening. Assumption.


class Campaign(StrictModel):
    """A marketing campaign: content drives conversation (seed 001) and reach."""

    start_day: NonNegative = Field(description="Day the campaign starts.",
                                   json_schema_extra=unit("day of the run"))
    duration_days: Positive = Field(description="How long it runs.", json_schema_extra=unit("days"))
    multiplier: Annotated[float, Field(gt=0.0, le=MAX_MULTIPLIER)] = Field(
        2.0, description="Factor on the listed post types' rates (at most 1,000).",
        json_schema_extra=unit("× (multiplier)"))
    post_types: list[PostType] = Field(
        default_factory=lambda: [PostType.QUESTION, PostType.PRAISE, PostType.PURCHASE_INTENT],
        description="Post types the campaign drives.",
        json_schema_extra=unit("—"),
    )
    acquisition_multiplier: Annotated[float, Field(gt=0.0, le=MAX_MULTIPLIER)] = Field(
        3.0, description="Factor on external acquisition (at most 1,000).",
        json_schema_extra=unit("× (multiplier)"))


class Incident(StrictModel):
    """A service failure that makes complaints spike."""

    start_day: NonNegative = Field(description="Day the incident starts.",
                                   json_schema_extra=unit("day of the run"))
    duration_hours: Positive = Field(24.0, description="How long complaints stay raised.",
                                     json_schema_extra=unit("hours"))
    complaint_multiplier: Annotated[float, Field(gt=0.0, le=MAX_MULTIPLIER)] = Field(
        8.0, description="Factor on the complaint rate (at most 1,000).",
        json_schema_extra=unit("× (multiplier)"))


class Demand(StrictModel):
    """How customers post."""

    volume_multiplier: Annotated[float, Field(gt=0.0, le=MAX_SCALE)] = Field(
        1.0, description="Multiplies every post rate: one knob for the level of demand (at "
        "most 1,000).",
        json_schema_extra=unit("× (multiplier)"),
    )
    rates_per_customer_per_day: dict[PostType, Annotated[float, Field(ge=0.0, le=MAX_RATE)]] = Field(
        default_factory=_default_rates,
        description="Posts per customer per day by type (about 0.9 per customer per quarter "
        "in all; at most 100 each). Assumption.",
        json_schema_extra=unit("posts per customer per day"),
    )
    prospect_activity: NonNegative = Field(
        0.5, description="Prospects post questions and purchase intents at this share of the rate.",
        json_schema_extra=unit("× the customers' rate"),
    )
    diurnal_profile: list[NonNegative] | Literal["flat"] = Field(
        default_factory=lambda: list(DEFAULT_DIURNAL),
        description="24 relative hourly volumes (normalised to mean 1), or 'flat'.",
        json_schema_extra=unit("relative volume (mean 1)"),
    )
    complaint_dissatisfaction_slope: NonNegative = Field(
        3.0, description="Complaint rate × (1 + a·(1 − s)) / (1 + a·0.3). Assumption.",
        json_schema_extra=unit("—"),
    )
    praise_satisfaction_slope: NonNegative = Field(
        3.0, description="Praise rate × (1 + a·s) / (1 + a·0.7). Assumption.",
        json_schema_extra=unit("—"),
    )
    b2b_question_multiplier: Positive = Field(1.5, description="B2B customers ask more.",
                                              json_schema_extra=unit("× (multiplier)"))
    responsiveness_feedback: NonNegative = Field(
        0.3,
        description="Demand × (1 + f·responsiveness): once opened, demand cannot be stopped "
        "(seed 000). Responsiveness is the smoothed share answered within the SLA.",
        json_schema_extra=unit("—"),
    )
    responsiveness_smoothing: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.2,
        description="Daily weight of the newest day in the responsiveness index (exponential "
        "smoothing; 0.2 ≈ customers notice a change over about five days). Acts when "
        "responsiveness_feedback > 0. Assumption; plausible 0.05–1.",
        json_schema_extra=unit("weight of the newest day (0–1)"),
    )
    annual_growth: Annotated[float, Field(gt=-1.0)] = Field(
        0.0,
        description="Growth of social posting per year, compounded daily: rates × "
        "(1 + g)^(day / 365). Customers move to social channels over time. Assumption.",
        json_schema_extra=unit("growth per year (0.1 = +10%)"),
    )
    campaigns: list[Campaign] = Field(default_factory=list, description="Marketing campaigns.")
    incidents: list[Incident] = Field(default_factory=list, description="Service incidents.")

    @model_validator(mode="after")
    def _profile_has_24_hours(self) -> Self:
        if self.diurnal_profile != "flat":
            if len(self.diurnal_profile) != 24:
                raise ValueError(
                    f"diurnal_profile needs 24 hourly values or 'flat', got {len(self.diurnal_profile)}"
                )
            if sum(self.diurnal_profile) <= 0:
                raise ValueError("diurnal_profile must have a positive sum")
        return self


class Handling(StrictModel):
    """How long a post takes to handle."""

    distribution: Literal["lognormal", "exponential"] = Field(
        "lognormal", description="exponential gives the M/M/c validation reduction.",
        json_schema_extra=unit("—"),
    )
    cv: Positive = Field(0.8, description="Coefficient of variation (lognormal only).",
                         json_schema_extra=unit("— (coefficient of variation)"))
    time_multiplier: dict[PostType, Positive] = Field(
        default_factory=lambda: {
            PostType.QUESTION: 1.0, PostType.COMPLAINT: 1.5, PostType.PRAISE: 0.4,
            PostType.IDEA: 1.2, PostType.PURCHASE_INTENT: 1.0,
        },
        description="Mean handling = multiplier / capacity_per_hour. Assumption.",
        json_schema_extra=unit("× (multiplier)"),
    )
    unskilled_multiplier: Positive = Field(
        2.0, description="Handling takes this much longer without the skill. Assumption.",
        json_schema_extra=unit("× (multiplier)"),
    )
    handoff_triage_share: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.25,
        description="Reading, acknowledging and forwarding a post the front line hands off "
        "takes this share of a full answer's handling time. Acts only on hand-offs "
        "(ownership.routing hub with resolver_staff). Assumption; plausible 0.1–0.5.",
        json_schema_extra=unit("share 0–1"),
    )
    novice_multiplier: Annotated[float, Field(ge=1.0)] = Field(
        1.0,
        description="Learning on the job: a person's first social post takes this much longer; "
        "the extra halves every experience_halving_posts posts. 1 = no learning curve (the "
        "default, so that the queueing reductions hold). Assumption.",
        json_schema_extra=unit("× (multiplier)"),
    )
    experience_halving_posts: Positive = Field(
        50.0, description="Posts handled after which a novice's extra handling time halves.",
        json_schema_extra=unit("posts"),
    )


# --------------------------------------------------------------------------- behaviour


def _default_leave_after_silence() -> dict[PostType, float]:
    return {
        PostType.QUESTION: 0.05, PostType.COMPLAINT: 0.17, PostType.PRAISE: 0.0,
        PostType.IDEA: 0.0, PostType.PURCHASE_INTENT: 0.05,
    }


class Churn(StrictModel):
    """Who leaves: a daily hazard h0·m_stage·exp(b·(s_ref − s)), and leaving after silence."""

    daily_base_hazard: Probability = Field(0.0004, description="h0 at s = s_ref. Assumption.",
                                           json_schema_extra=unit("probability per day"))
    sensitivity: NonNegative = Field(6.0, description="b. Assumption.",
                                     json_schema_extra=unit("per unit of satisfaction"))
    reference_satisfaction: Probability = Field(
        0.7, description="s_ref; also the reference of prospects' attitude "
        "(word_of_mouth.prospect_attitude_sensitivity).",
        json_schema_extra=unit("satisfaction 0–1"),
    )
    at_risk_below: Probability = Field(
        0.45,
        description="Active customers whose satisfaction falls below this are at risk: their "
        "hazard is × at_risk_hazard_multiplier until they recover above at_risk_below + "
        "at_risk_recovery_margin.",
        json_schema_extra=unit("satisfaction 0–1"),
    )
    at_risk_hazard_multiplier: Annotated[float, Field(ge=1.0)] = Field(
        1.5,
        description="Hazard multiple of at-risk customers (they shop around). Assumption; "
        "plausible 1–3.",
        json_schema_extra=unit("× (multiplier)"),
    )
    at_risk_recovery_margin: NonNegative = Field(
        0.05,
        description="At-risk customers recover only above at_risk_below + this (hysteresis). "
        "Acts when at_risk_hazard_multiplier > 1. Assumption; plausible 0–0.2.",
        json_schema_extra=unit("satisfaction 0–1"),
    )
    onboarding_days: NonNegative = Field(
        14.0,
        description="Days a new or won-back customer spends onboarding, with a hazard × "
        "onboarding_hazard_multiplier.",
        json_schema_extra=unit("days"),
    )
    onboarding_hazard_multiplier: Annotated[float, Field(ge=0.0)] = Field(
        2.0,
        description="Hazard multiple of onboarding customers (new customers leave more "
        "readily). Assumption; plausible 1–5.",
        json_schema_extra=unit("× (multiplier)"),
    )
    leave_after_silence: dict[PostType, Probability] = Field(
        default_factory=_default_leave_after_silence,
        description="Chance a current customer leaves at once when a post of this type meets "
        "silence (patience passed, heard or not): one bad experience. Complaint 0.17: PwC 2018, "
        "17% leave a brand they love after one bad experience. Others: assumption, 0–0.2.",
        json_schema_extra=unit("probability 0–1"),
    )


class WordOfMouth(StrictModel):
    """Negative cascades and positive word of mouth."""

    negative_transmission: Probability = Field(
        0.01,
        description="Base per-contact transmission of a grievance (independent cascade); below "
        "the threshold T_c of the default network (about 0.036), so most grievances stay local "
        "and only the angriest go viral. Assumption.",
        json_schema_extra=unit("probability per contact"),
    )
    anger_gain: NonNegative = Field(
        1.0, description="Transmission × (1 + gain·(1 − s_author)): angrier posts spread further.",
        json_schema_extra=unit("—"),
    )
    answered_damping: Probability = Field(
        0.3, description="Transmission × this once the company answers the grievance publicly.",
        json_schema_extra=unit("× (multiplier)"),
    )
    max_cascade_hours: int = Field(72, ge=1, description="A cascade stops after this many hours.",
                                   json_schema_extra=unit("hours"))
    exposure_penalty: Probability = Field(
        0.02,
        description="Satisfaction (for prospects: attitude to the brand) lost by anyone who "
        "sees a grievance. Assumption.",
        json_schema_extra=unit("satisfaction 0–1"),
    )
    prospect_attitude_sensitivity: NonNegative = Field(
        3.0,
        description="A prospect's chance to convert (external reach or praise) × exp(k·(s − "
        "churn.reference_satisfaction)): grievances seen put prospects off (seeds 001, 003). "
        "Assumption; plausible 0–10.",
        json_schema_extra=unit("per unit of satisfaction"),
    )
    good_answer_threshold: Probability = Field(
        0.6,
        description="A reply whose value (speed factor × voice × acknowledgement share, "
        "see outcomes) is above this is shared by its author as praise.",
        json_schema_extra=unit("reply value 0–1"),
    )
    positive_conversion: Probability = Field(
        0.02, description="Chance a prospect who sees praise converts (network Bass imitation).",
        json_schema_extra=unit("probability 0–1"),
    )
    win_back: Probability = Field(0.005, description="Chance a churned contact returns on praise.",
                                  json_schema_extra=unit("probability 0–1"))
    external_acquisition_per_day: Probability = Field(
        0.0005, description="Daily chance a prospect converts through marketing reach (Bass p).",
        json_schema_extra=unit("probability per day"),
    )


class IdeaUptake(StrictModel):
    """Ideas taken up lower later complaints (issue 16; seed 001: "tools bring their voice into
    the organization to add value by improving processes, products"; "facilitate (Co-)
    Development of Better Products").

    Ideas that got a reply from a skilled department or the community (``ideas_co_created``)
    form a product-improvement stock; each one in it, after ``delay_days``, lowers every
    customer's complaint rate by ``complaint_cut_per_idea``, down to ``1 − max_cut``. 0 (the
    default): ideas improve nothing.
    """

    complaint_cut_per_idea: Annotated[float, Field(ge=0.0, le=0.1)] = Field(
        0.0,
        description="Share of the complaint rate each co-created idea removes once taken up "
        "(the complaint rate × (1 − this)^ideas; the expected effect, ideas the product does "
        "not use included). 0: off. Assumption; plausible 0–0.005.",
        json_schema_extra=unit("share per idea"),
    )
    delay_days: int = Field(
        90, ge=0, le=3650,
        description="Days from an idea's co-creation to the improvement customers feel (a "
        "release cycle; acts when complaint_cut_per_idea > 0). Assumption; plausible 30–180.",
        json_schema_extra=unit("days"),
    )
    max_cut: Probability = Field(
        0.3,
        description="Largest share of the complaint rate the improvement stock can remove (acts "
        "when complaint_cut_per_idea > 0): most complaints are not about what ideas fix. "
        "Assumption; plausible 0.1–0.5.",
        json_schema_extra=unit("share 0–1"),
    )


class VoiceTrust(StrictModel):
    """Off-voice replies cost trust where they show (issue 16; seed 003: departments that go
    rogue "muddy the brand and confuse the customer"; seed 001: fragmented initiatives risk "the
    brand image by showing misalignment among 'Social' parts of a company").

    A reply off the brand voice is public: every contact of its author sees it and thinks a
    little less of the brand (prospects too, which lowers their conversion). 0 (the default):
    only the author feels the voice (``inconsistent_voice_penalty``).
    """

    observer_penalty: Annotated[float, Field(ge=0.0, le=0.1)] = Field(
        0.0,
        description="Satisfaction each contact of the author loses when the brand replies off "
        "its voice (as word_of_mouth.exposure_penalty for a grievance seen). 0: off. "
        "Assumption; plausible 0–0.01.",
        json_schema_extra=unit("satisfaction 0–1"),
    )


class Outcomes(StrictModel):
    """What a post, a reply and silence do to a customer (docs/ODD.md §7.3).

    Satisfaction moves by increments whose sign is fixed by what happened: a complaint
    costs ``complaint_failure_drop`` when posted (the failure); a reply after waiting w
    gives ``reply_gain × r(w / e) × voice``, with r(x) = floor + (1 − floor)·2^(−x / h),
    e the reply time the customer expects and h ``reply_value_half_life``; silence past
    the customer's patience costs ``silence_penalty``, heard or not. After each reply
    the customer's expectation moves toward the wait they got (Pandora's box).
    """

    reply_gain: dict[PostType, Probability] = Field(
        default_factory=lambda: {
            PostType.QUESTION: 0.06, PostType.COMPLAINT: 0.10, PostType.PRAISE: 0.02,
            PostType.IDEA: 0.04, PostType.PURCHASE_INTENT: 0.05,
        },
        description="Satisfaction gained by an immediate, on-voice, resolving reply. Complaint "
        "equal to complaint_failure_drop: a perfect recovery restores the customer (the "
        "service-recovery paradox is possible above it, never required). Assumption; "
        "plausible 0.01–0.2.",
        json_schema_extra=unit("satisfaction 0–1"),
    )
    slow_reply_floor: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.05,
        description="Share of the gain a very late reply still gives (r(∞)): any reply beats "
        "silence (Maritz 2011: 83% of complainers liked hearing back). With "
        "reply_value_half_life 0.5 the gain within 6 min is about 9× that after 60 min at "
        "published reply times (Twitter/AMS 2015: $20 vs $2.33, ratio 8.6). Plausible 0.01–0.3.",
        json_schema_extra=unit("share 0–1"),
    )
    reply_value_half_life: Positive = Field(
        0.5,
        description="Wait, in multiples of the customer's expected reply time, at which a reply's "
        "value above the floor halves. Calibrated with slow_reply_floor to Twitter/AMS 2015. "
        "Plausible 0.25–2.",
        json_schema_extra=unit("× expected reply time"),
    )
    complaint_failure_drop: Probability = Field(
        0.10,
        description="Satisfaction lost when a customer posts a complaint: the failure itself "
        "(service-recovery literature, e.g. McCollough, Berry & Yadav 2000). Divided by "
        "(1 + demand.responsiveness_feedback × responsiveness), because the complaints a "
        "responsive brand draws onto social are failures that happened anyway. Assumption; "
        "plausible 0–0.3.",
        json_schema_extra=unit("satisfaction 0–1"),
    )
    silence_penalty: dict[PostType, Probability] = Field(
        default_factory=lambda: {
            PostType.QUESTION: 0.06, PostType.COMPLAINT: 0.15, PostType.PRAISE: 0.0,
            PostType.IDEA: 0.02, PostType.PURCHASE_INTENT: 0.03,
        },
        description="Satisfaction lost when a post meets silence past the customer's patience, "
        "whether the company heard it or not (the customer cannot tell; seeds 001, 003). "
        "Assumption; plausible 0–0.3.",
        json_schema_extra=unit("satisfaction 0–1"),
    )
    acknowledgement_share: Probability = Field(
        0.6,
        description="Share of the reply gain an acknowledgement without resolution gives; the "
        "rest comes with the resolution, judged against resolution_expectation_multiple × the "
        "expected reply time. Also the share a community answer gives (it is not the brand). "
        "Assumption; plausible 0.3–0.9.",
        json_schema_extra=unit("share 0–1"),
    )
    resolution_expectation_multiple: Annotated[float, Field(ge=1.0)] = Field(
        4.0,
        description="Once acknowledged, a customer judges the resolution against this multiple "
        "of their expected reply time (an answer 'we are on it' buys time). Acts when "
        "ownership.acknowledge_handoffs is on. Assumption.",
        json_schema_extra=unit("× expected reply time"),
    )
    inconsistent_voice_penalty: Annotated[float, Field(ge=0.0, lt=1.0)] = Field(
        0.2, description="Share of a reply's gain lost when it is off the brand voice. Assumption.",
        json_schema_extra=unit("share 0–1"),
    )
    expectation_adaptation: Annotated[float, Field(ge=0.0, lt=1.0)] = Field(
        0.3,
        description="After each reply the customer's expected reply time e moves toward the "
        "wait w they got: e ← e + κ·(w − e). Customers served fast expect fast, and run out "
        "of patience sooner (Pandora's box, seed 000). Assumption; plausible 0–0.6.",
        json_schema_extra=unit("weight per reply (0–1)"),
    )
    lead_conversion: Probability = Field(
        0.3, description="Chance a purchase intent converts if answered at once by a skilled person.",
        json_schema_extra=unit("probability 0–1"),
    )
    lead_decay_hours: Positive = Field(
        6.0, description="Lead conversion × exp(−wait / this). Twitter/AMS 2015: fast replies pay.",
        json_schema_extra=unit("hours"),
    )
    drift_target: Probability = Field(0.7, description="Satisfaction from the product itself.",
                                      json_schema_extra=unit("satisfaction 0–1"))
    drift_per_day: Probability = Field(0.01, description="Daily pull toward drift_target.",
                                       json_schema_extra=unit("share per day"))
    idea_uptake: IdeaUptake = Field(default_factory=IdeaUptake)
    voice_trust: VoiceTrust = Field(default_factory=VoiceTrust)


class RoiFeedback(StrictModel):
    """Demonstrated ROI moves budget and sponsorship, with a lag (issue 16; seed 003, @guy1067:
    "we are far more driven by a need to prove ROI/business case before the buy-in to it is
    complete. Up until this point it is a leap of faith"; seed 001, Anthony Nemelka: "'What's
    the justification?' 'How much does is cost?' 'When and how will we see the benefit?'").

    Every ``review_days`` the programme's ROI so far (``roi_proxy``: value gained over cost) is
    compared with ``target_roi``; the signal clip((ROI − target) / roi_span, −1, 1) moves
    ``ownership.executive_sponsorship`` by ``sponsorship_sensitivity`` × signal and the staffing
    (``staffing_scale`` and any ``budget_fte``) by the factor 1 + ``staffing_sensitivity`` ×
    signal, ``lag_days`` after the review. Both sensitivities 0 (the default): off.
    """

    review_days: int = Field(
        30, ge=1, le=365,
        description="Days between reviews of the programme's ROI (acts when "
        "sponsorship_sensitivity or staffing_sensitivity > 0). Assumption: a monthly review; "
        "plausible 30–90.",
        json_schema_extra=unit("days"),
    )
    lag_days: int = Field(
        30, ge=0, le=365,
        description="Days from a review to its decision taking effect (a budget cycle; acts "
        "when sponsorship_sensitivity or staffing_sensitivity > 0). Assumption; plausible 0–90.",
        json_schema_extra=unit("days"),
    )
    target_roi: Annotated[float, Field(ge=-1000.0, le=1000.0)] = Field(
        1.0,
        description="ROI (value over cost, as roi_proxy) at which a review changes nothing; "
        "above it budget and sponsorship grow, below it they shrink (acts when "
        "sponsorship_sensitivity or staffing_sensitivity > 0). Assumption: 1, the programme "
        "pays for itself.",
        json_schema_extra=unit("ratio"),
    )
    roi_span: Annotated[float, Field(gt=0.0, le=1000.0)] = Field(
        1.0,
        description="Distance of the ROI from target_roi at which a review's response is full "
        "(the signal is clipped to ±1; acts when sponsorship_sensitivity or "
        "staffing_sensitivity > 0). Assumption.",
        json_schema_extra=unit("ratio"),
    )
    sponsorship_sensitivity: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        0.0,
        description="Change of ownership.executive_sponsorship after a review with a full "
        "signal (kept in 0–1). 0: off. Assumption; plausible 0–0.1.",
        json_schema_extra=unit("index per review"),
    )
    staffing_sensitivity: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        0.0,
        description="Relative change of the programme's staffing (staffing_scale, and "
        "budget_fte when set) after a review with a full signal; roles are reassigned. 0: off. "
        "Assumption; plausible 0–0.2.",
        json_schema_extra=unit("share per review"),
    )
    min_staffing_factor: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.5,
        description="Lowest the reviews can take staffing, as a multiple of the model's own "
        "(acts when staffing_sensitivity > 0). Assumption.",
        json_schema_extra=unit("× (multiplier)"),
    )
    max_staffing_factor: Annotated[float, Field(ge=1.0, le=10.0)] = Field(
        2.0,
        description="Highest the reviews can take staffing, as a multiple of the model's own "
        "(acts when staffing_sensitivity > 0); the departments' head counts still cap the "
        "seats. Assumption.",
        json_schema_extra=unit("× (multiplier)"),
    )


class Economics(StrictModel):
    """Values for the return-on-investment proxy (assumptions; set them per client)."""

    customer_value: NonNegative = Field(500.0, description="Value of one customer gained or kept.",
                                        json_schema_extra=unit("currency per customer"))
    lead_value: NonNegative = Field(150.0, description="Value of one converted lead of a customer.",
                                    json_schema_extra=unit("currency per lead"))
    account_value_multiple: Annotated[float, Field(ge=0.0, le=1000.0)] = Field(
        5.0,
        description="An account (customers.accounts) is worth this many customers: gained or "
        "lost as a unit (customer_value × this, in place of its contacts' values), and a deal "
        "it closes is worth lead_value × this (acts when customers.accounts."
        "contacts_per_account ≥ 1). Assumption; plausible 2–50.",
        json_schema_extra=unit("× customer_value"),
    )
    roi_feedback: RoiFeedback = Field(default_factory=RoiFeedback)


# --------------------------------------------------------------------------- ownership


class ListeningAnalysts(StrictModel):
    """Analysts who screen the stream of posts (the owner's "monitors", MODEL.md; ODD §7.22).

    Each hour their shift is open they screen up to ``staff × posts_per_hour`` posts, oldest
    first; a post not screened within ``screening_window_hours`` is never heard. They are paid
    their department's ``hourly_cost`` for every hour on shift, busy or not.
    """

    department: Department = Field(
        "marketing", description="Department the analysts belong to: sets their hourly cost "
        "and, unless shift is given, their working hours.", json_schema_extra=unit("—"))
    staff: Annotated[float, Field(ge=0.0, le=MAX_STAFF)] = Field(
        1.0, description="Analysts on duty whenever their shift is open (a fraction: part of "
        "one analyst's hours). A listening desk beside the department's own staff. Assumption.",
        json_schema_extra=unit("staff"))
    posts_per_hour: Annotated[float, Field(gt=0.0, le=10_000.0)] = Field(
        60.0, description="Posts one analyst screens (reads and classifies) per hour: one a "
        "minute. Assumption; plausible 20–200.",
        json_schema_extra=unit("posts per staff-hour"))
    shift: ShiftSpec | None = Field(
        None, description="The analysts' working hours; null: their department's shift.",
        json_schema_extra=unit("—"))
    screening_window_hours: Annotated[float, Field(ge=1.0, le=720.0)] = Field(
        24.0, description="A post not screened within this many hours of being posted is "
        "never heard (what waits overnight is screened in the morning). Assumption.",
        json_schema_extra=unit("hours"))


class ListeningTool(StrictModel):
    """A listening platform licensed by the day (ODD §7.22): it picks up a share of posts by
    itself, and misclassifies some of what it picks up."""

    licence_per_day: NonNegative = Field(
        100.0, description="Licence cost of the tool per day. Assumption.",
        json_schema_extra=unit("currency per day"))
    automated_share: Probability = Field(
        0.5, description="Share of posts the tool picks up and routes by itself, at any hour; "
        "the rest go to the analysts (if any) or are missed. Assumption.",
        json_schema_extra=unit("share 0–1"))
    miss_rate: Probability = Field(
        0.1, description="Share of the posts the tool picks up that it misclassifies as "
        "needing no answer: never heard. Assumption.",
        json_schema_extra=unit("share 0–1"))


class Listening(StrictModel):
    """Who listens, and how much they hear.

    With ``analysts`` and ``tool`` null (the default) a post is heard with the probability
    ``coverage`` (raised by ``company.tools``), free of cost. With either set, coverage follows
    from the work: the tool's pick-up plus what the analysts can screen (ODD §7.22).
    """

    coverage: dict[PostType, Probability] | Probability = Field(
        0.8, description="Share of posts the monitors see, overall or per post type (acts only "
        "when analysts and tool are null; otherwise coverage follows from them).",
        json_schema_extra=unit("share 0–1"),
    )
    delay_hours: NonNegative = Field(0.25, description="Mean delay from post to triage.",
                                     json_schema_extra=unit("hours"))
    analysts: ListeningAnalysts | None = Field(
        None, description="Analysts who screen posts; null: none (with tool also null, the "
        "coverage rule).", json_schema_extra=unit("—"))
    tool: ListeningTool | None = Field(
        None, description="A licensed listening tool; null: none (with analysts also null, the "
        "coverage rule).", json_schema_extra=unit("—"))

    @property
    def is_work(self) -> bool:
        """Whether coverage follows from analysts and a tool rather than a probability."""
        return self.analysts is not None or self.tool is not None


class Handoff(StrictModel):
    """Friction of passing a post between departments, per hop of its chain of liaisons."""

    base_delay_hours: NonNegative = Field(0.5, description="Mean delay of each hop of a hand-off.",
                                          json_schema_extra=unit("hours"))
    silo_delay_hours: NonNegative = Field(
        8.0, description="Extra mean delay of a hand-off hop × its effective silo strength (the "
        "pair's silo strength, at first the mean of the two departments', after culture and "
        "authority).",
        json_schema_extra=unit("hours"),
    )
    base_loss: Probability = Field(
        0.02, description="Chance each hop of a hand-off loses the post.",
        json_schema_extra=unit("probability 0–1"))
    silo_loss: Probability = Field(
        0.2, description="Extra chance a hand-off hop loses the post × its effective silo "
        "strength.",
        json_schema_extra=unit("probability 0–1"),
    )
    max_hops: int = Field(
        3, ge=1, le=50,
        description="A hand-off travels along the shortest chain of company.liaisons, one hop "
        "per tie, each hop with its own delay and chance of loss; a post whose chain is longer "
        "than this is passed on this many times and then lost, as nobody owns it (acts when "
        "the liaisons are not all_pairs). Assumption; plausible 2–5.",
        json_schema_extra=unit("hops"),
    )
    named_liaisons: bool = Field(
        False,
        description="The programme names a liaison in every department it hands posts to, who "
        "knows the people triaging (the spokes of a hub-and-spoke model, seed 000, Kolsky/"
        "Altimeter): a hand-off is then one hop whatever company.liaisons says. Acts when the "
        "liaisons are not all_pairs and posts are handed off.",
        json_schema_extra=unit("yes/no"),
    )


class Approval(StrictModel):
    """Review of public answers before they are posted (legal, PR, executive)."""

    required_for: list[PostType] = Field(
        default_factory=list,
        description="Post types whose public answers need approval (acts with an approver "
        "department that has approver_staff).",
        json_schema_extra=unit("—"),
    )
    approver: Department | None = Field(
        None, description="Department whose staff approve the answers that need it (types in "
        "required_for, or answers by departments not in public_responders).",
        json_schema_extra=unit("—"),
    )
    approver_staff: int = Field(
        0, ge=0, le=MAX_STAFF, description="Approvers assigned (they act on required_for types and on answers "
        "by departments not in public_responders).",
        json_schema_extra=unit("staff"),
    )
    minutes_per_approval: Positive = Field(
        10.0, description="Mean review time per answer (for required_for types and answers by "
        "departments not in public_responders).",
        json_schema_extra=unit("minutes"),
    )


class SocialTeamPolicy(StrictModel):
    """The social team: staff who join and leave by themselves (MODEL.md)."""

    policy: Literal["none", "self_organising", "formal"] = Field(
        "self_organising",
        description="none; self_organising (staff join and leave by themselves); formal "
        "(initial_members are assigned and stay).",
        json_schema_extra=unit("—"),
    )
    initial_members: int = Field(
        0, ge=0, le=MAX_STAFF, description="Members at the start (formal teams; a self-organising team "
        "starts from them too).",
        json_schema_extra=unit("staff"),
    )
    max_size: int = Field(20, ge=0, le=MAX_STAFF,
                          description="Largest the team may grow (at most 1,000,000).",
                          json_schema_extra=unit("staff"))
    time_share: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.25, description="Share of a member's shift hours spent on the social hub (a rota).",
        json_schema_extra=unit("share 0–1"),
    )
    join_probability: Probability = Field(
        0.03, description="Daily base chance an eligible person joins (self_organising policy).",
        json_schema_extra=unit("probability per day"),
    )
    enthusiasm_threshold: Probability = Field(
        0.6, description="Only enthusiasts above this join (self_organising policy).",
        json_schema_extra=unit("index 0–1"),
    )
    min_slack: Probability = Field(
        0.2, description="Only people with this much spare time join (self_organising policy).",
        json_schema_extra=unit("share 0–1"),
    )
    leave_utilisation: Probability = Field(
        0.85, description="Members busier than this on their social hours … (self_organising "
        "policy)",
        json_schema_extra=unit("share 0–1"),
    )
    leave_after_days: int = Field(
        5, ge=1, description="… for this many days in a row leave (self_organising policy).",
        json_schema_extra=unit("days"),
    )
    backlog_pull_per_post: NonNegative = Field(
        0.05,
        description="Each post waiting raises the daily join chance by this share (a visible "
        "backlog draws volunteers), up to backlog_pull_max. Acts under policy self_organising. "
        "Assumption; plausible 0–0.2.",
        json_schema_extra=unit("× join chance per waiting post"),
    )
    backlog_pull_max: NonNegative = Field(
        2.0,
        description="Largest extra join chance from the backlog (2: at most 3×). Acts under "
        "policy self_organising when backlog_pull_per_post > 0. Assumption.",
        json_schema_extra=unit("× join chance"),
    )
    peer_pull: NonNegative = Field(
        1.0,
        description="Join chance × (1 + this × share of one's organisation contacts already in "
        "the team). Acts under policy self_organising. Assumption; plausible 0–3.",
        json_schema_extra=unit("—"),
    )


class Community(StrictModel):
    """A community platform where customers answer customers (seed 004).

    By default a fixed share of each post type is answered (``answer_share``). With
    ``member_answer_chance`` set, answers come from the members
    (``customers.community_membership``): ODD §7.23.
    """

    enabled: bool = Field(False, description="Whether the company runs a community platform.",
                          json_schema_extra=unit("—"))
    answer_share: dict[PostType, Probability] = Field(
        default_factory=lambda: {PostType.QUESTION: 0.3, PostType.IDEA: 0.2},
        description="Share of these post types that other customers answer (when enabled and "
        "member_answer_chance is null).",
        json_schema_extra=unit("share 0–1"),
    )
    mean_delay_hours: NonNegative = Field(
        2.0, description="Mean time until a customer answers (when enabled and "
        "member_answer_chance is null).",
        json_schema_extra=unit("hours"),
    )
    member_answer_chance: dict[PostType, Probability] | None = Field(
        None,
        description="Chance that one active member answers a post of this type within "
        "answer_window_hours (when enabled); a post is answered with probability 1 − exp(−M·a), "
        "M the members who are current customers (weighted by member_satisfaction_slope), and "
        "the first answer comes after an exponential time of mean window / (M·a), so more "
        "members answer more and sooner. null: the fixed answer_share. Assumption; plausible "
        "0.0001–0.01 per member.",
        json_schema_extra=unit("probability per member"),
    )
    answer_window_hours: Annotated[float, Field(gt=0.0, le=720.0)] = Field(
        24.0, description="Hours a post stays in view of the members (when enabled and "
        "member_answer_chance is set). Assumption.",
        json_schema_extra=unit("hours"),
    )
    member_satisfaction_slope: Probability = Field(
        0.0, description="Dissatisfied members answer less: a member counts 1 − slope·(1 − s) "
        "toward M, s their satisfaction (when enabled and member_answer_chance is set). "
        "Assumption.",
        json_schema_extra=unit("per unit of satisfaction"),
    )

    @property
    def from_members(self) -> bool:
        """Whether answers come from the members rather than a fixed share."""
        return self.enabled and self.member_answer_chance is not None


class RogueDepartment(StrictModel):
    """A department that answers on social channels outside the agreed model (seeds 001, 003).

    Its staff watch the channels themselves and reply without the owner's coordination or
    review: fast, but often off the brand voice, and on post types it lacks the skill for
    a reply is only an acknowledgement. The owner's ``authority`` reins it in: the share
    it answers is ``share × (1 − authority)``.
    """

    share: Probability = Field(0.2, description="Share of posts of its types it answers on its own.",
                               json_schema_extra=unit("share 0–1"))
    post_types: list[PostType] = Field(
        default_factory=lambda: list(PostType), description="Post types it answers.",
        json_schema_extra=unit("—"),
    )
    staff: int = Field(2, ge=1, le=MAX_STAFF,
                       description="Its staff who answer (on the department's shift).",
                       json_schema_extra=unit("staff"))
    voice: Probability = Field(
        0.3, description="Chance a rogue reply is on the brand voice (nobody reviewed it).",
        json_schema_extra=unit("probability 0–1"),
    )


class KeyAccounts(StrictModel):
    """Key-account managers: a department close to the business accounts (issue 16; seed 001,
    brianvellmure: "Twitter is very relevant for B2B, though perhaps more in the
    sales/marketing/strategic alliance arena"; "Any successful sales person/executive will tell
    you that the first key to successful sales is 'listening'").

    The people of ``department`` hear ``proximity`` of the posts of account contacts
    (``customers.accounts``) themselves, within ``delay_hours``, and take them straight into
    their own queue (its resolvers', or the hub's when the department is only on the front
    line): no listening gap, and from resolvers no hand-off. 0 (the default): nobody is close.
    """

    department: Department | None = Field(
        None,
        description="Department whose people look after the accounts: its resolvers, or the "
        "hub when it is only on the front line (acts when proximity > 0; it must be on the "
        "front line or have resolver_staff). null: none.",
        json_schema_extra=unit("—"),
    )
    proximity: Probability = Field(
        0.0,
        description="Share of account contacts' posts the department's people hear themselves "
        "(acts when customers.accounts.contacts_per_account ≥ 1). 0: off. Assumption; "
        "plausible 0.3–0.9 for a sales force with key-account managers.",
        json_schema_extra=unit("share 0–1"),
    )
    delay_hours: NonNegative = Field(
        0.25,
        description="Mean delay (exponential) from an account post to its manager seeing it "
        "(acts when proximity > 0). Assumption: as listening.delay_hours.",
        json_schema_extra=unit("hours"),
    )


class Pilot(StrictModel):
    """How a pilot is judged, and what a failed one costs (issue 16; seed 001, Wim Rampen).

    A pilot is an ownership model serving part of the customers (``pilot_share`` < 1). It is
    judged once, on ``evaluation_day`` or, when that is null, when the stage trigger that
    would roll it out fires. A model serving everyone (a big bang) is judged the same way
    only when it states an evaluation_day. It fails with probability

        p = min(1, failure_base + failure_per_sla_miss · max(0, miss − tolerated_sla_miss))

    where miss is the share of the posts it heard (not ignored, not answered by the
    community) since it began that were not answered within the SLA: an under-staffed
    pilot misses more. A failed pilot is withdrawn (or stays small), costs withdrawal_cost
    and sets culture back; a pilot rolled out passes learning_transfer of its maturity on.
    Off by default: the failure chance is 0.
    """

    evaluation_day: NonNegative | None = Field(
        None,
        description="Day of the run on which the model is judged: a pilot (pilot_share < 1), "
        "or a big bang (pilot_share 1), judged only if this is set. Null: a pilot is judged "
        "when the trigger of the next stage fires, before the roll-out. Assumption.",
        json_schema_extra=unit("day of the run"),
    )
    failure_base: Probability = Field(
        0.0,
        description="Chance the pilot is judged a failure whatever its results (acts on a "
        "pilot, pilot_share < 1, or a model with an evaluation_day). 0: off. Assumption; "
        "plausible 0–0.3 (innovation trials that do "
        "not fly).",
        json_schema_extra=unit("probability 0–1"),
    )
    failure_per_sla_miss: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        0.0,
        description="Extra chance of failure per unit of the share of the pilot's heard posts "
        "not answered within the SLA above tolerated_sla_miss (under-staffing; acts on a "
        "pilot, pilot_share < 1, or a model with an evaluation_day). 0: off. Assumption; "
        "plausible 0–2.",
        json_schema_extra=unit("probability per share 0–1"),
    )
    tolerated_sla_miss: Probability = Field(
        0.2,
        description="Share of heard posts missing the SLA that management tolerates before "
        "the chance of failure rises (acts on a pilot, pilot_share < 1, or a model with an "
        "evaluation_day, when failure_per_sla_miss > 0). Assumption; plausible 0.1–0.5.",
        json_schema_extra=unit("share 0–1"),
    )
    on_failure: Literal["withdraw", "stay_small"] = Field(
        "withdraw",
        description="What a failed pilot leads to (acts on a pilot, pilot_share < 1, or a "
        "model with an evaluation_day, when a failure chance is set by failure_base or "
        "failure_per_sla_miss): withdraw (nobody is heard any more, the social roles and "
        "team are released, later stages never come) or "
        "stay_small (the pilot goes on as it is, later stages never come).",
        json_schema_extra=unit("—"),
    )
    withdrawal_cost: NonNegative = Field(
        0.0,
        description="Cost of withdrawing a failed pilot (announcements, tools written off), "
        "added to cost (acts on a pilot, pilot_share < 1, or a model with an "
        "evaluation_day, when a failure chance is set by failure_base or "
        "failure_per_sla_miss). Assumption; set per company.",
        json_schema_extra=unit("currency"),
    )
    culture_setback: Probability = Field(
        0.0,
        description="Share of the culture index lost when a failed pilot ends (seed 001: "
        "\"the negative spirit internally when you have to withdraw from something you just "
        "announced\"; acts on a pilot, pilot_share < 1, or a model with "
        "an evaluation_day, when a failure chance is set by failure_base or "
        "failure_per_sla_miss). Assumption; plausible 0–0.3.",
        json_schema_extra=unit("share 0–1"),
    )
    learning_transfer: Probability = Field(
        1.0,
        description="Share of the maturity built in the pilot that carries into the roll-out "
        "(a stage that widens pilot_share; acts when pilot_share < 1 with ownership.stages, "
        "and maturity above 0: company.maturity initial or growth_per_answer > 0). "
        "Assumption; plausible 0.3–1.",
        json_schema_extra=unit("share 0–1"),
    )


class StageTrigger(StrictModel):
    """When a staged ownership model moves to its next stage."""

    after_day: NonNegative | None = Field(None, description="Switch on this day.",
                                          json_schema_extra=unit("day of the run"))
    metric: Literal["share_within_sla", "backlog", "satisfaction_mean", "social_team_size",
                    "maturity", "culture"] | None = (
        Field(None, description="Daily metric that triggers the switch (read when after_day "
              "is null): the day's share within the SLA, the backlog, mean satisfaction, the "
              "social team's size, the programme's maturity (company.maturity) or the "
              "culture index.", json_schema_extra=unit("—"))
    )
    above: float | None = Field(
        None, description="Switch when the metric is above this … (read when after_day is null)",
        json_schema_extra=unit("the metric's unit"),
    )
    below: float | None = Field(None, description="… or below this (read when after_day is null).",
                                json_schema_extra=unit("the metric's unit"))
    for_days: int = Field(1, ge=1, description="The condition must hold this many days in a row.",
                          json_schema_extra=unit("days"))

    @model_validator(mode="after")
    def _one_condition(self) -> Self:
        if self.after_day is None and self.metric is None:
            raise ValueError("a trigger needs after_day or a metric with above/below")
        if self.metric is not None and (self.above is None) == (self.below is None):
            raise ValueError("a metric trigger needs exactly one of above or below")
        return self


class OwnershipStage(StrictModel):
    """A later stage of a staged ownership model."""

    ownership: Ownership = Field(
        description="Preset name or inline ownership model (names are resolved when loading)."
    )
    when: StageTrigger


class Ownership(StrictModel):
    """An ownership model: who listens, who answers, how posts travel. Pure data."""

    name: str = Field("custom", description="Name used in tables and plots.",
                      json_schema_extra=unit("—"))
    description: str = Field("", description="One line on what the model is.",
                             json_schema_extra=unit("—"))
    position: str = Field("", description="The position in the debate it encodes, in one line.",
                          json_schema_extra=unit("—"))
    source: str = Field("", description="Where the position is argued (seed and author).",
                        json_schema_extra=unit("—"))
    listening: Listening = Field(default_factory=Listening)
    pilot_share: Probability = Field(
        1.0,
        description="Share of customers in the programme's scope (a laboratory pilot, seed "
        "001); posts of the others are not heard. The same customers stay in scope as the "
        "share grows in later stages. Below 1 the model is a pilot, judged as ownership.pilot "
        "says.",
        json_schema_extra=unit("share 0–1"),
    )
    pilot: Pilot = Field(default_factory=Pilot)
    rogue: dict[Department, RogueDepartment] = Field(
        default_factory=dict,
        description="Departments that answer outside the agreed model (none by default).",
    )
    routing: Literal["hub", "direct"] = Field(
        "hub",
        description="hub: the front line takes every heard post and hands off what it cannot "
        "resolve; direct: triage sends each post straight to its resolving department.",
        json_schema_extra=unit("—"),
    )
    front_line: dict[Department, int] = Field(
        default_factory=lambda: {"marketing": 3},
        description="Staff of each department who work the hub full-time on their shifts.",
        json_schema_extra=unit("staff"),
    )
    front_line_shift: ShiftSpec | None = Field(
        None, description="Override of the front line's working hours.",
        json_schema_extra=unit("—"),
    )
    resolvers: dict[PostType, Department | None] = Field(
        default_factory=lambda: {
            PostType.QUESTION: "service", PostType.COMPLAINT: "service",
            PostType.PRAISE: "marketing", PostType.IDEA: "product",
            PostType.PURCHASE_INTENT: "sales",
        },
        description="Department that resolves each post type (null: the handler answers alone).",
        json_schema_extra=unit("—"),
    )
    resolver_staff: dict[Department, int] = Field(
        default_factory=lambda: {"service": 2, "sales": 1, "product": 1},
        description="Staff of each department who take handed-off social posts.",
        json_schema_extra=unit("staff"),
    )
    priorities: dict[PostType, Annotated[float, Field(ge=0.0)]] = Field(
        default_factory=lambda: {t: 1.0 for t in PostType},
        description="Weight of each post type in every queue; higher first; 0 = ignored.",
        json_schema_extra=unit("relative weight"),
    )
    acknowledge_handoffs: bool = Field(
        True, description="The front line acknowledges publicly before handing off.",
        json_schema_extra=unit("—"),
    )
    public_responders: list[Department] | Literal["all"] = Field(
        "all", description="Departments allowed to answer publicly; others need approval.",
        json_schema_extra=unit("—"),
    )
    handoff: Handoff = Field(default_factory=Handoff)
    approval: Approval = Field(default_factory=Approval)
    authority: Probability = Field(
        0.0,
        description="The owner's power over departments: removes this share of silo friction "
        "and of rogue answering, and pulls departments' agendas toward the model's priorities "
        "(CEO-led: high; seed 000: only the CEO can rise above departmental agendas).",
        json_schema_extra=unit("index 0–1"),
    )
    executive_sponsorship: Probability = Field(
        0.3, description="Raises the culture target and volunteering.",
        json_schema_extra=unit("index 0–1"),
    )
    brand_voice_training: Probability = Field(
        0.7, description="Chance a front-line reply is on the brand voice.",
        json_schema_extra=unit("probability 0–1"),
    )
    spoke_voice_factor: Probability = Field(
        0.6, description="Departments off the front line are on voice this much less often.",
        json_schema_extra=unit("× (multiplier)"),
    )
    social_team: SocialTeamPolicy = Field(default_factory=SocialTeamPolicy)
    community: Community = Field(default_factory=Community)
    key_accounts: KeyAccounts = Field(default_factory=KeyAccounts)
    staffing_scale: Annotated[float, Field(gt=0.0, le=MAX_SCALE)] = Field(
        1.0,
        description="Multiplies every social role's seats (front line, resolvers, approvers; "
        "at least one seat where the model asks for any; a fractional seat is manned that "
        "share of its shift's hours) and the team's size limits (rounded), within the "
        "department's people: one knob for staffing level in experiments. Replaced by the "
        "scale that spends the budget when the scenario sets staffing_budget_fte. At most "
        "1,000.",
        json_schema_extra=unit("× (multiplier)"),
    )
    budget_fte: NonNegative | None = Field(
        None,
        description="FTE budget for social work (one FTE: company.contracted_hours_per_week): "
        "roles whose rotas need more are rejected, and the social team (each member at "
        "social_team.time_share FTE) cannot grow past what is left. Set with the staffing "
        "scale by the scenario's staffing_budget_fte.",
        json_schema_extra=unit("FTE"),
    )
    stages: list[OwnershipStage] = Field(default_factory=list, description="Later stages, in order.")

    @model_validator(mode="after")
    def _account_managers_are_staffed(self) -> Self:
        kam, staffed = self.key_accounts, self.social_departments()
        if kam.proximity > 0 and kam.department not in staffed:
            raise ValueError(
                f"key_accounts.proximity {kam.proximity:g} needs key_accounts.department set to "
                f"a department on the front line or with resolver_staff (got "
                f"{kam.department!r}; staffed: {sorted(staffed)})")
        return self

    def social_departments(self) -> set[str]:
        """Departments with social roles of the model: front line or resolvers."""
        return {d for d, n in (*self.front_line.items(), *self.resolver_staff.items()) if n > 0}


OwnershipStage.model_rebuild()


def scaled_count(count: int, scale: float) -> int:
    """A role count under ``Ownership.staffing_scale`` (at least 1 if any was asked for)."""
    return max(1, int(round(count * scale))) if count > 0 else 0


class Output(StrictModel):
    """What a run records."""

    agent_records: bool = Field(
        False, description="Daily staff records and the customers' final state (cost memory).",
        json_schema_extra=unit("—"),
    )
    nps_promoter_min: int = Field(
        9, ge=0, le=10,
        description="Net promoter score: satisfaction read as a 0–10 score (rounded); promoters "
        "score at least this (Reichheld 2003: 9–10).",
        json_schema_extra=unit("score 0–10"),
    )
    nps_detractor_max: int = Field(
        6, ge=0, le=10,
        description="Detractors score at most this (Reichheld 2003: 0–6); must be below "
        "nps_promoter_min.",
        json_schema_extra=unit("score 0–10"),
    )

    @model_validator(mode="after")
    def _detractors_below_promoters(self) -> Self:
        if self.nps_detractor_max >= self.nps_promoter_min:
            raise ValueError(
                f"nps_detractor_max ({self.nps_detractor_max}) must be below nps_promoter_min "
                f"({self.nps_promoter_min})"
            )
        return self


class Scenario(StrictModel):
    """A company, its customers, their demand and an ownership model, for a number of days."""

    name: str = Field("scenario", description="Name used in output folders and plots.",
                      json_schema_extra=unit("—"))
    description: str = Field("", description="One line on the company.",
                             json_schema_extra=unit("—"))
    seed: int = Field(42, ge=0, le=MAX_SEED, description="Master seed; same scenario + seed → "
                      "same results (0 to 2**63 − 1).", json_schema_extra=unit("—"))
    duration_days: Annotated[float, Field(gt=0.0, le=3650.0)] = Field(
        90.0, description="Simulated days (one step is one hour).",
        json_schema_extra=unit("days"),
    )
    sla_hours: Positive = Field(1.0, description="Reply target (72% of complainers expect 1 h).",
                                json_schema_extra=unit("hours"))
    staffing_budget_fte: Positive | None = Field(
        None,
        description="Staff the ownership model (and each of its stages) at this many FTE: its "
        "staffing_scale becomes the one at which its roles' rotas and its team's limit use "
        "the budget, keeping its structure, and its budget_fte this. Compares models at an "
        "equal budget (`scrm-sim compare --equal-budget FTE`); null: the model's own staffing. "
        "Must cover one seat of each of the model's roles.",
        json_schema_extra=unit("FTE"),
    )
    engine: Literal["vectorised", "agents"] = Field(
        "vectorised",
        description="Customer engine: 'vectorised' advances all customers at once with arrays; "
        "'agents' is the slow per-agent reference (one Customer.post() per agent per hour).",
        json_schema_extra=unit("—"),
    )
    company: Company = Field(default_factory=Company)
    customers: Customers = Field(default_factory=Customers)
    demand: Demand = Field(default_factory=Demand)
    handling: Handling = Field(default_factory=Handling)
    churn: Churn = Field(default_factory=Churn)
    word_of_mouth: WordOfMouth = Field(default_factory=WordOfMouth)
    outcomes: Outcomes = Field(default_factory=Outcomes)
    economics: Economics = Field(default_factory=Economics)
    ownership: Ownership = Field(default_factory=Ownership)
    output: Output = Field(default_factory=Output)

    @property
    def steps(self) -> int:
        """Number of hourly steps."""
        return int(round(self.duration_days * 24))

"""Checks that need the whole scenario: an ownership model must fit the company it runs in."""

from __future__ import annotations

from collections import Counter

from scrm_sim.errors import Problem
from scrm_sim.scenario.schema import Ownership, Scenario
from scrm_sim.scenario.staffing import BudgetError, budget_scale, role_seats, roles_fte


def check_consistency(scenario: Scenario) -> list[Problem]:
    """Problems that no single field shows (an empty list when the scenario can run)."""
    problems = _check_liaisons(scenario)
    problems += _check_ownership(scenario, scenario.ownership, "ownership")
    for i, stage in enumerate(scenario.ownership.stages):
        where = f"ownership.stages.{i}.ownership"
        problems += _check_ownership(scenario, stage.ownership, where)
        if stage.ownership.stages:
            problems.append(Problem(f"{where}.stages", "a stage cannot have stages of its own; "
                                    "list every stage, in order, under ownership.stages"))
        problems += _check_maturity_trigger(scenario, stage.when.metric,
                                            stage.when.above, f"ownership.stages.{i}.when")
    return problems


def _check_maturity_trigger(scenario: Scenario, metric: str | None, above: float | None,
                            where: str) -> list[Problem]:
    """A trigger waiting for maturity to rise must have a maturity that can rise."""
    maturity = scenario.company.maturity
    if (metric == "maturity" and above is not None and maturity.growth_per_answer == 0
            and maturity.initial <= above):
        return [Problem(f"{where}.metric", f"waits for maturity above {above:g}, but maturity "
                        f"stays at company.maturity.initial ({maturity.initial:g}): set "
                        "company.maturity.growth_per_answer > 0, or trigger on another metric")]
    return []


def _check_liaisons(scenario: Scenario) -> list[Problem]:
    """Every department with staff must be reachable along the liaisons (a hand-off's route)."""
    company = scenario.company
    cut_off = company.unlinked_departments()
    if not cut_off:
        return []
    first = next(name for name in company.departments if company.head_count(name) > 0)
    hint = ("the executive has no staff" if company.liaisons == "through_executive"
            else f"add a pair linking {cut_off[0]} to the others, or use all_pairs")
    return [Problem("company.liaisons",
                    f"no chain of liaisons links {', '.join(cut_off)} to {first} ({hint}); "
                    "every department with staff must be linked, so that a hand-off can reach "
                    "it")]


def demanded_post_types(scenario: Scenario) -> set[str]:
    """Post types that customers post at a positive rate."""
    return {str(t) for t, rate in scenario.demand.rates_per_customer_per_day.items() if rate > 0}


def _check_ownership(scenario: Scenario, own: Ownership, where: str) -> list[Problem]:
    problems: list[Problem] = []
    departments = scenario.company.departments
    known = ", ".join(departments)

    def staff_of(dept: str, path: str) -> int | None:
        if dept not in departments:
            problems.append(Problem(path, f"department {dept!r} is not in company.departments ({known})"))
            return None
        return scenario.company.head_count(dept)

    assigned: Counter[str] = Counter()
    for dept, n in own.front_line.items():
        staff_of(dept, f"{where}.front_line.{dept}")
        assigned[dept] += n
    for dept, n in own.resolver_staff.items():
        staff_of(dept, f"{where}.resolver_staff.{dept}")
        assigned[dept] += n
    if own.approval.approver is not None:
        staff_of(own.approval.approver, f"{where}.approval.approver")
        assigned[own.approval.approver] += own.approval.approver_staff
    for dept, rogue in own.rogue.items():
        staff_of(dept, f"{where}.rogue.{dept}")
        assigned[dept] += rogue.staff if rogue.share > 0 else 0
    # (with staffing_budget_fte the budget decides the seats, fitted to the departments)
    if all(d in departments for d in assigned) and scenario.staffing_budget_fte is None:
        # in FTE: a seat open 112 h a week is a rota of 2.8 people (scenario/staffing.py)
        rotas: dict[str, float] = {}
        for seat in role_seats(own, scenario.company, 1.0, include_rogue=True, fit=False):
            rotas[seat.department] = rotas.get(seat.department, 0.0) + seat.fte(scenario.company)
        for dept, fte in rotas.items():
            if fte > scenario.company.head_count(dept) + 1e-9:
                problems.append(Problem(
                    f"{where}", f"assigns {assigned[dept]} {dept} seats to social roles, whose "
                    f"rotas need {fte:.3g} FTE (company.contracted_hours_per_week "
                    f"{scenario.company.contracted_hours_per_week:g} h), but "
                    f"company.departments.{dept}.staff is {scenario.company.head_count(dept)}"
                    + (" after company.headcount_scale" if scenario.company.headcount_scale != 1
                       else ""),
                ))

    demanded = {t for t in demanded_post_types(scenario) if own.priorities.get(t, 1.0) > 0}
    if own.routing == "hub" and demanded and sum(own.front_line.values()) == 0 and (
        own.social_team.policy == "none" or own.social_team.max_size == 0
    ):
        problems.append(Problem(
            f"{where}.front_line",
            "routing is 'hub' but nobody works the hub (no front line, no social team); "
            "assign staff or use routing: direct",
        ))
    for post_type, dept in own.resolvers.items():
        if dept is None or str(post_type) not in demanded:
            continue
        if staff_of(dept, f"{where}.resolvers.{post_type}") is None:
            continue
        resolved_at_hub = own.routing == "hub" and own.front_line.get(dept, 0) > 0
        if own.resolver_staff.get(dept, 0) < 1 and not resolved_at_hub:
            problems.append(Problem(
                f"{where}.resolver_staff.{dept}",
                f"{post_type} posts are resolved by {dept}, so it needs at least 1 resolver "
                "(zero capacity with demand)",
            ))
    if own.routing == "direct":
        unrouted = sorted(t for t in demanded if own.resolvers.get(t) is None)
        if unrouted:
            problems.append(Problem(
                f"{where}.resolvers",
                f"routing is 'direct' but {', '.join(unrouted)} posts have no resolving department",
            ))

    needs_approver = bool(own.approval.required_for) or (
        own.public_responders != "all"
        and any(d is not None and d not in own.public_responders for d in own.resolvers.values())
    )
    if needs_approver and (own.approval.approver is None or own.approval.approver_staff < 1):
        problems.append(Problem(
            f"{where}.approval",
            "answers need approval (approval.required_for or public_responders) but no approver "
            "is assigned: set approval.approver and approval.approver_staff >= 1",
        ))
    if problems:
        return problems
    needed = roles_fte(own, scenario.company)
    if own.budget_fte is not None and needed > own.budget_fte + 1e-9:
        problems.append(Problem(
            f"{where}.budget_fte",
            f"the social roles' rotas need {needed:.3g} FTE, above the budget of "
            f"{own.budget_fte:g} FTE",
        ))
    if scenario.staffing_budget_fte is not None:
        try:
            budget_scale(own, scenario.company, scenario.staffing_budget_fte)
        except BudgetError as exc:
            where_budget = "staffing_budget_fte" + ("" if where == "ownership" else f" ({where})")
            problems.append(Problem(where_budget, str(exc)))
    return problems

"""Staffing in FTE: a role's rota, fractional seats, the team's hours and equal budgets."""

from __future__ import annotations

import pytest

from scrm_sim.errors import ScenarioError
from scrm_sim.model import SCRMModel
from scrm_sim.model.agents import Role, on_rota
from scrm_sim.scenario.staffing import (
    budget_scale, budgeted_fte, minimum_fte, role_seats, roles_fte, shift_hours_per_week,
)

from .conftest import CORE_MODELS, small_scenario

ONE_SEAT = {  # one front-line marketing seat on the given shift, nobody else, no team
    "front_line": {"marketing": 1}, "resolver_staff": {"service": 0, "sales": 0, "product": 0},
    "resolvers": {t: None for t in ("question", "complaint", "praise", "idea", "purchase_intent")},
    "approval": {"approver": None, "approver_staff": 0, "required_for": []},
    "public_responders": "all", "social_team": {"policy": "none"}, "rogue": {},
}


def one_seat(shift: str, **overrides: object):
    return small_scenario("marketing_led", {**ONE_SEAT, "front_line_shift": shift}, **overrides)


@pytest.mark.parametrize(("shift", "hours"), [("business", 40), ("extended", 112), ("always", 168)])
def test_shift_hours_per_week(shift, hours):
    assert shift_hours_per_week(shift) == hours


@pytest.mark.parametrize(("shift", "fte"), [("business", 1.0), ("extended", 2.8), ("always", 4.2)])
def test_a_seat_costs_its_shift_hours_over_a_forty_hour_week(shift, fte):
    scenario = one_seat(shift)
    assert roles_fte(scenario.ownership, scenario.company) == pytest.approx(fte)


def test_a_shorter_contract_makes_the_same_seat_cost_more_fte():
    scenario = one_seat("extended", company={"contracted_hours_per_week": 35})
    assert roles_fte(scenario.ownership, scenario.company) == pytest.approx(112 / 35)


def test_an_extended_seat_works_112_hours_a_week_and_is_paid_for_them():
    scenario = one_seat("extended", duration_days=7)
    summary = SCRMModel(scenario, seed=3).run()
    assert summary["staff_hours"] == 112
    assert summary["fte_worked"] == pytest.approx(2.8)
    assert summary["cost"] == 112 * scenario.company.departments["marketing"].hourly_cost


def test_an_extended_seat_sets_aside_the_people_of_its_rota():
    model = SCRMModel(one_seat("extended"), seed=3)
    marketing = [s for s in model.staff_list if s.department == "marketing"]
    assert sum(s.role == Role.FRONT_LINE for s in marketing) == 1
    assert sum(s.rota_cover for s in marketing) == 2  # 2.8 FTE: three people in all


def test_a_fractional_seat_is_manned_that_share_of_its_hours():
    scenario = small_scenario("marketing_led", {
        **ONE_SEAT, "front_line_shift": "always", "front_line": {"marketing": 2},
        "staffing_scale": 0.75}, duration_days=7)
    summary = SCRMModel(scenario, seed=3).run()
    assert summary["staff_hours"] == pytest.approx(1.5 * 168, abs=1)


@pytest.mark.parametrize("share", [0.1, 0.25, 1 / 3, 0.5, 0.9, 1.0])
def test_a_rota_covers_its_share_of_the_hours(share):
    covered = sum(on_rota(hour, share) for hour in range(1000))
    assert abs(covered - 1000 * share) <= 1


def test_a_team_member_gives_time_share_of_contracted_hours_whatever_the_shift():
    scenario = small_scenario("service_led", {
        **ONE_SEAT, "front_line": {"service": 1},
        "social_team": {"policy": "formal", "initial_members": 1, "max_size": 1,
                        "time_share": 0.25}}, duration_days=14)
    model = SCRMModel(scenario, seed=5)
    member = next(s for s in model.staff_list if s.in_team)
    on = sum(member.on_duty(h, model.social_team.duty_share(member)) for h in range(336))
    assert on == pytest.approx(2 * 0.25 * 40, abs=2)  # 10 h a week, on any department's hours


def test_rota_cover_staff_do_not_volunteer_for_the_team():
    model = SCRMModel(small_scenario("service_led"), seed=1)
    model.run()
    assert not any(s.in_team and s.rota_cover for s in model.staff_list)


def test_rogue_work_is_counted_apart_from_the_programme():
    scenario = small_scenario("marketing_led", {"rogue": {"sales": {"share": 0.5, "staff": 2}}})
    summary = SCRMModel(scenario, seed=2).run()
    assert summary["rogue_staff_hours"] > 0
    model = SCRMModel(small_scenario("marketing_led"), seed=2)
    assert summary["staff_hours"] == pytest.approx(model.run()["staff_hours"], rel=0.2)


@pytest.mark.parametrize("ownership", CORE_MODELS)
def test_an_equal_budget_gives_every_model_that_many_fte_within_one_person(ownership):
    scenario = small_scenario(ownership, staffing_budget_fte=12.0)
    model = SCRMModel(scenario, seed=1)
    assert 11.0 <= model.fte_budgeted <= 12.0 + 1e-9
    assert model.ownership.budget_fte == 12.0


def test_an_equal_budget_keeps_the_structure_of_the_roles():
    scenario = small_scenario("ceo_led")
    own, company = scenario.ownership, scenario.company
    scale = budget_scale(own, company, 20.0)
    before = {(r.role, r.department): r.seats for r in role_seats(own, company)}
    after = {(r.role, r.department): r.seats for r in role_seats(own, company, scale)}
    assert after.keys() == before.keys()
    assert scale > 1 and all(after[k] >= before[k] for k in before)


def test_the_budget_caps_the_team_at_what_the_roles_leave():
    scenario = small_scenario("marketing_led", staffing_budget_fte=8.0, duration_days=10)
    model = SCRMModel(scenario, seed=1)
    model.run()
    members = sum(s.in_team for s in model.staff_list)
    assert model.roles_fte + members * scenario.ownership.social_team.time_share <= 8.0 + 1e-9


def test_more_budget_never_budgets_fewer_fte():
    scenario = small_scenario("hybrid")
    own, company = scenario.ownership, scenario.company
    budgets = [minimum_fte(own, company) + step for step in (0.0, 1.0, 3.0, 6.0, 10.0)]
    spent = [budgeted_fte(own.model_copy(update={
        "staffing_scale": budget_scale(own, company, b), "budget_fte": b}), company)
        for b in budgets]
    assert spent == sorted(spent)


def test_a_budget_too_small_for_the_roles_is_refused_naming_the_field():
    with pytest.raises(ScenarioError) as error:
        small_scenario("service_led", staffing_budget_fte=1.0)
    problem = error.value.problems[0]
    assert problem.field == "staffing_budget_fte"
    assert "one seat of each of its roles" in problem.message


def test_a_budget_larger_than_the_company_can_staff_is_refused():
    with pytest.raises(ScenarioError) as error:
        small_scenario("single_champion", staffing_budget_fte=5000.0)
    assert "more than" in error.value.problems[0].message


# --------------------------------------------------------------------------- compare --equal-budget


@pytest.fixture
def tiny_file(tmp_path):
    import yaml

    from .conftest import SCENARIOS

    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump({"extends": str(SCENARIOS / "baseline.yaml"), "name": "tiny",
                                    "duration_days": 2,
                                    "customers": {"count": 300, "prospects": 100}}))
    return path


def test_compare_at_an_equal_budget_records_each_models_fte_and_says_so_in_the_report(
        tiny_file, tmp_path):
    import json

    from scrm_sim.cli import main

    out = tmp_path / "equal"
    assert main(["compare", str(tiny_file), "--models", "marketing_led,service_led", "--reps",
                 "1", "--equal-budget", "14", "--workers", "1", "--quiet", "--report",
                 "--out", str(out)]) == 0
    staffing = json.loads((out / "manifest.json").read_text())["staffing"]
    assert {m: s["staffing_budget_fte"] for m, s in staffing.items()} == {
        "marketing_led": 14.0, "service_led": 14.0}
    assert all(13.0 <= s["fte_budgeted"] <= 14.0 for s in staffing.values())
    report = (out / "report.html").read_text()
    assert "equal budget of 14 FTE" in report and "id='staffing'" in report


def test_compare_refuses_a_budget_too_small_naming_the_option_and_writes_nothing(
        tiny_file, tmp_path, capsys):
    from scrm_sim.cli import main

    out = tmp_path / "small"
    assert main(["compare", str(tiny_file), "--models", "marketing_led,service_led",
                 "--equal-budget", "3", "--quiet", "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert "--equal-budget" in error and "cannot staff" in error
    assert not out.exists()


@pytest.mark.parametrize("budget", [12.0, 20.0, 30.0])
@pytest.mark.parametrize("ownership", ["pr_led", "joint_marketing_service", "ceo_led"])
def test_every_seat_at_a_budget_has_a_holder_and_its_rota(ownership, budget):
    scenario = small_scenario(ownership, staffing_budget_fte=budget)
    model = SCRMModel(scenario, seed=1)
    company = model.config.company
    for seat in role_seats(model.ownership, company, include_rogue=True):
        holders = [s for s in model.staff_list if s.department == seat.department
                   and s.role.name.lower() == seat.role and s.role_shift == seat.shift]
        assert sum(h.duty_share for h in holders) >= seat.seats - 1e-9, seat


def test_budgeted_fte_grows_with_the_staffing_scale_even_when_people_cap_the_team():
    from scrm_sim.scenario.staffing import _continuous_fte

    scenario = small_scenario("service_led")
    values = [_continuous_fte(scenario.ownership, scenario.company, x / 10) for x in range(1, 80)]
    assert all(b >= a - 1e-9 for a, b in zip(values, values[1:], strict=False))

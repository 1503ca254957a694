"""The browser page: ``solara run scrm_sim/view/app.py`` (or ``scrm-sim view``).

Panels, each drawn for the left and (if chosen) the right ownership model:
the customer network (a sample) coloured by satisfaction with grievance cascades ringed
in red, the organisation with its social roles and team, the queues, and live plots of
satisfaction, answered within the SLA, backlog and social-team size (stage changes dashed).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import solara
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from mesa.visualization.solara_viz import ModelController, ModelCreator
from mesa.visualization.utils import update_counter

from scrm_sim.analysis.plots import OKABE_ITO, colour_of, mark_stage_changes
from scrm_sim.model.agents import Role
from scrm_sim.model.customers import Stage
from scrm_sim.model.model import SCRMModel
from scrm_sim.scenario.schema import DEPARTMENTS
from scrm_sim.view.session import NONE, SideBySide, model_names, network_sample, organisation_layout

SATISFACTION = colormaps["RdYlGn"]
DEPARTMENT_COLOURS = dict(zip(DEPARTMENTS, OKABE_ITO, strict=False))


@solara.component
def Status(model: SideBySide) -> None:
    """The clock, or the scenario's problems exactly as the command line reports them."""
    update_counter.get()
    if model.error:
        # plain text, not solara.Error: its alert widget fails on the bundled assets
        solara.Markdown("### This scenario cannot run")
        solara.Preformatted(model.error)
        return
    hour = model.hour
    solara.Markdown(f"**Hour {hour}** (day {hour // 24}, {hour % 24:02d}:00) · "
                    + " vs ".join(f"`{name}`" for name in model.runs))


Panel = tuple[str, SCRMModel, Axes]  # ownership model, its run, its axes


def side_by_side(model: SideBySide, height: float) -> tuple[Figure, list[Panel]]:
    """A figure with one panel per run, left to right."""
    fig = Figure(figsize=(5.2 * len(model.runs), height), layout="constrained")
    panels = [(name, run, fig.add_subplot(1, len(model.runs), i + 1))
              for i, (name, run) in enumerate(model.runs.items())]
    return fig, panels


def customer_network(model: SideBySide) -> Figure:
    """A sample of the customer network: colour = satisfaction, red ring = grievance spreading."""
    fig, panels = side_by_side(model, height=4.6)
    for name, run, ax in panels:
        rows, positions = network_sample(model, run)
        xy = np.array([positions[k] for k in range(len(rows))])
        sub = run.adjacency[rows][:, rows].tocoo()
        upper = sub.row < sub.col
        ax.add_collection(LineCollection(np.stack([xy[sub.row[upper]], xy[sub.col[upper]]], 1),
                                         colors="#cccccc", linewidths=0.4, zorder=1))
        churned = run.population.stage[rows] == Stage.CHURNED
        spreading = np.isin(rows, run.cascades.spreading)
        colours = SATISFACTION(np.clip((run.population.satisfaction[rows] - 0.3) / 0.6, 0, 1))
        colours[churned] = (0.6, 0.6, 0.6, 1.0)
        ax.scatter(*xy.T, c=colours, s=18, zorder=2, linewidths=0)
        ax.scatter(*xy[spreading].T, s=70, facecolors="none", edgecolors="#D00000",
                   linewidths=1.5, zorder=3)
        ax.set_title(f"{name}: customers (green satisfied, red unhappy, grey churned; "
                     f"{int(spreading.sum())} spreading a grievance)", fontsize=8)
        ax.set_axis_off()
    return fig


def organisation(model: SideBySide) -> Figure:
    """Staff by department; social roles outlined in black, social-team members ringed."""
    fig, panels = side_by_side(model, height=4.2)
    for name, run, ax in panels:
        positions = organisation_layout(model, run)
        edges = [(positions[a], positions[b]) for a, b in run.org_graph.edges]
        ax.add_collection(LineCollection(edges, colors="#dddddd", linewidths=0.3, zorder=1))
        staff = run.staff_list
        xy = np.array([positions[s.unique_id] for s in staff])
        role = np.array([s.role != Role.NONE for s in staff])
        team = np.array([s.in_team for s in staff])
        ax.scatter(*xy.T, s=np.where(role | team, 45, 14), zorder=2,
                   c=[DEPARTMENT_COLOURS.get(s.department, "#999999") for s in staff],
                   edgecolors=np.where(role, "black", np.where(team, "#D00000", "none")),
                   linewidths=np.where(role | team, 1.4, 0.0))
        ax.set_title(f"{name}: organisation ({int(role.sum())} in social roles, black; "
                     f"{int(team.sum())} in the social team, red)", fontsize=8)
        for dept, colour in DEPARTMENT_COLOURS.items():
            ax.scatter([], [], color=colour, s=14, label=dept)
        ax.legend(fontsize=6, frameon=False, loc="lower left", ncol=4)
        ax.set_axis_off()
    return fig


def queue_lengths(model: SideBySide) -> Figure:
    """Posts waiting in each queue now."""
    names = list(model.runs)
    fig = Figure(figsize=(8, 3.2), layout="constrained")
    ax = fig.add_subplot()
    width = 0.8 / len(names)
    for j, (name, run) in enumerate(model.runs.items()):
        queues = run.response.programme_queues
        waiting = [q.waiting(float(run.hour), run.response.is_live) for q in queues]
        x = np.arange(len(queues)) + j * width
        ax.bar(x, waiting, width, label=name, color=colour_of(name, names))
        ax.set_xticks(np.arange(len(queues)) + width * (len(names) - 1) / 2,
                      [q.name for q in queues], fontsize=8)
    ax.set_ylabel("posts waiting")
    ax.set_title("Queues now", fontsize=10)
    ax.legend(fontsize=8, frameon=False)
    return fig


PANELS = [("satisfaction_mean", "satisfaction (mean)"), ("sla_share", "answered within SLA (%)"),
          ("backlog", "posts waiting"), ("social_team_size", "social-team size")]


def live_plots(model: SideBySide) -> Figure:
    """Satisfaction, answered within the SLA, backlog and team size so far."""
    names = list(model.runs)
    frames = []
    for name, run in model.runs.items():
        frame = run.datacollector.get_model_vars_dataframe()
        frames.append(frame.assign(ownership=name, seed=0))
    steps = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    fig = Figure(figsize=(10, 4.6), layout="constrained")
    if not steps.empty:
        steps["sla_share"] = 100 * steps["within_sla_total"] / steps["posts_total"].where(
            steps["posts_total"] > 0)
        steps["day"] = steps["hour"] / 24
    for i, (column, label) in enumerate(PANELS):
        ax = fig.add_subplot(2, 2, i + 1)
        for name in names:
            mine = steps[steps["ownership"] == name] if not steps.empty else steps
            if not mine.empty:
                ax.plot(mine["day"], mine[column], color=colour_of(name, names), label=name)
        if not steps.empty:
            mark_stage_changes(ax, steps, names)
        ax.set_title(label, fontsize=9)
        ax.grid(alpha=0.3)
        if i >= 2:
            ax.set_xlabel("day", fontsize=8)
    if not steps.empty:
        fig.axes[0].legend(fontsize=7, frameon=False)
    return fig


def model_params() -> dict:
    """The knobs in the sidebar (each a keyword argument of SideBySide)."""
    names = model_names()
    return {
        "ownership": {"type": "Select", "value": "service_led", "values": names,
                      "label": "Ownership model (left)"},
        "compare_with": {"type": "Select", "value": "marketing_led", "values": [NONE, *names],
                         "label": "Compare with (right)"},
        "staffing_scale": {"type": "SliderFloat", "value": 1.0, "min": 0.25, "max": 3.0,
                           "step": 0.25, "label": "Social staff per department (× preset)"},
        "listening_coverage": {"type": "SliderFloat", "value": 0.8, "min": 0.0, "max": 1.0,
                               "step": 0.05, "label": "Listening coverage"},
        "handoff_friction": {"type": "SliderFloat", "value": 1.0, "min": 0.0, "max": 3.0,
                             "step": 0.25, "label": "Hand-off friction (× preset)"},
        "demand": {"type": "SliderFloat", "value": 1.0, "min": 0.25, "max": 4.0, "step": 0.25,
                   "label": "Demand (× posting rates)"},
        "incident": {"type": "Checkbox", "value": True, "label": "Incident on day 2"},
        "seed": {"type": "InputText", "value": "42", "label": "Seed (both models)"},
    }


def figure_panel(draw: Callable[[SideBySide], Figure]) -> Callable[[SideBySide], None]:
    """A page component that redraws ``draw(model)`` after every step (nothing when the
    scenario could not be built: Status shows why)."""

    @solara.component
    def FigurePanel(model: SideBySide) -> None:
        update_counter.get()
        if not model.error:
            solara.FigureMatplotlib(draw(model), format="png", dpi=90)

    FigurePanel.__doc__ = draw.__doc__
    return FigurePanel


CustomerNetwork = figure_panel(customer_network)
Organisation = figure_panel(organisation)
Queues = figure_panel(queue_lengths)
LivePlots = figure_panel(live_plots)


@solara.component
def Dashboard(model: SideBySide) -> None:
    """All panels in a fixed layout (Mesa's draggable grid needs assets from a CDN)."""
    with solara.Column():
        Status(model)
        with solara.Row():
            LivePlots(model)
            Queues(model)
        CustomerNetwork(model)
        Organisation(model)


@solara.component
def Page() -> None:
    """Mesa's controller (step, play, pause, reset) and parameter inputs, then the panels."""
    first = solara.use_memo(SideBySide, [])  # built once per page, not on every render
    knobs = solara.use_memo(model_params, [])  # reads every preset file: once per page
    model = solara.use_reactive(first)
    parameters = solara.use_reactive({})
    play_interval = solara.use_reactive(150)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)
    solara.Title("scrm_sim view")
    with solara.Columns([1, 4]):
        with solara.Column():
            solara.Markdown("### scrm_sim: who should own Social CRM?")
            with solara.Card("Run"):
                ModelController(model, model_parameters=parameters,
                                play_interval=play_interval, render_interval=render_interval,
                                use_threads=use_threads)
                solara.SliderInt("Hours per step", value=render_interval, min=1, max=24)
            with solara.Card("Knobs (press Reset to apply)"):
                ModelCreator(model, knobs, model_parameters=parameters)
        Dashboard(model.value)

"""The browser page: ``solara run scrm_sim/view/app.py`` (or ``scrm-sim view``).

A sidebar (run controls, the two models, the knobs) beside the number tiles and the
figures of :mod:`scrm_sim.view.figures`: over time, the organisation, the customers and
the queues, each for the left and (if chosen) the right ownership model. Figures are drawn
at the size the browser window leaves for them, so their 12-point fonts stay 12 points at
1366 and at 1920 pixels.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from html import escape
from typing import Any

import solara
import solara.server.settings

from scrm_sim.analysis.labels import model_label
from scrm_sim.analysis.plots import colour_of
from scrm_sim.view.figures import FIGURES, SIDEBAR_PX, figure_sizes, paired
from scrm_sim.view.session import FIRST_STEP_HOURS, NONE, Knobs, SideBySide, model_names
from scrm_sim.view.tiles import difference_text, tiles

STAFFING = [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0]
LISTENING = [0.25, 0.5, 0.75, 1.0, 1.1, 1.25]
FRICTION = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0]
DEMAND = [0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0]
HOURS_PER_STEP = [1, 3, 6, 12, 24, 48, 168]
RUN_TO_CHUNK_HOURS = 24 * 7  # "run to day N" redraws once per simulated week on the way
PLAY_PAUSE_S = 0.05  # between frames while playing, so that clicks get through
WIDTH_STEP_PX = 32  # figures are redrawn for a new size only when the window changes this much

# Solara's "runs on Solara" banner sits over the bottom-right corner of the first screen
solara.server.settings.theme.show_banner = False

CSS = f"""
.scrm-page {{ display: flex; gap: 16px; align-items: flex-start; padding: 8px 12px; }}
.scrm-sidebar {{ flex: 0 0 {SIDEBAR_PX - 16}px; width: {SIDEBAR_PX - 16}px; position: sticky;
  top: 0; max-height: 100vh; overflow-y: auto; padding-right: 4px; }}
.scrm-main {{ flex: 1 1 auto; min-width: 0; }}
.scrm-sidebar .v-card {{ margin: 0 0 10px 0 !important; padding: 8px 12px !important; }}
.scrm-sidebar h3 {{ margin: 2px 0 6px 0; font-size: 16px; }}
.scrm-knob {{ margin: 6px 0 2px 0; }}
.scrm-knob-head {{ display: flex; justify-content: space-between; gap: 8px; font-size: 14px; }}
.scrm-knob-value {{ font-weight: 600; white-space: nowrap; }}
.scrm-help {{ font-size: 12.5px; color: #555; line-height: 1.3; margin: 2px 0 4px 0; }}
.scrm-buttons {{ display: flex; flex-wrap: wrap; gap: 6px; margin: 4px 0; }}
.scrm-status {{ font-size: 16px; margin: 2px 0 2px 0; }}
.scrm-events {{ font-size: 14px; color: #444; margin: 0 0 8px 0; }}
.scrm-tiles {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr));
  gap: 8px; margin-bottom: 10px; }}
.scrm-tile {{ border: 1px solid #ddd; border-radius: 6px; padding: 6px 10px; }}
.scrm-tile-title {{ font-size: 14px; font-weight: 600; }}
.scrm-tile-unit {{ font-weight: 400; color: #555; }}
.scrm-tile-row {{ display: flex; justify-content: space-between; font-size: 15px; gap: 6px; }}
.scrm-tile-value {{ font-weight: 700; font-variant-numeric: tabular-nums; }}
.scrm-tile-diff {{ font-size: 13px; color: #333; border-top: 1px solid #eee; margin-top: 2px; }}
.scrm-figures {{ display: flex; flex-wrap: wrap; gap: 12px; }}
img.solara-image {{ max-width: 100%; height: auto; }}
.scrm-swatch {{ display: inline-block; width: 11px; height: 11px; border-radius: 2px;
  margin-right: 5px; }}
"""


@solara.component_vue("viewport.vue")
def ViewportWidth(width: int, on_width: Callable[[int], None]) -> None:
    """Reports the browser window's width (pixels)."""


def times(value: float) -> str:
    """A multiplier as shown beside its slider ("×1.5")."""
    return f"×{value:g}"


@solara.component
def Knob(label: str, value: float, values: list[float], on_value: Callable[[float], None],
         help_text: str = "") -> None:
    """A labelled slider over ``values`` whose value is always written beside its label (no
    bubble over the buttons, no label squeezed beside the slider)."""
    with solara.Div(classes=["scrm-knob"]):
        with solara.Div(classes=["scrm-knob-head"]):
            solara.Text(label)
            solara.Text(times(value), classes=["scrm-knob-value"])
        solara.v.Slider(v_model=values.index(value), min=0, max=len(values) - 1, step=1,
                        hide_details=True, dense=True,
                        on_v_model=lambda i: on_value(values[int(i)]))
        if help_text:
            solara.Div(children=[help_text], classes=["scrm-help"])


@solara.component
def Choice(label: str, value: Any, items: list[tuple[Any, str]],
           on_value: Callable[[Any], None]) -> None:
    """A drop-down of (value, text) pairs: code names stay in the code, people read text."""
    solara.v.Select(label=label, v_model=value, dense=True, hide_details=True, outlined=True,
                    items=[{"value": v, "title": text} for v, text in items],
                    on_v_model=on_value, class_="mt-3")


def model_name(name: str, position: str) -> str:
    """A model's name as people write it (HTML), with its position in the debate as a
    tooltip."""
    label = escape(model_label(name))
    return f'<span class="scrm-model" title="{escape(position) or label}">{label}</span>'


@solara.component
def Status(view: SideBySide, frame: solara.Reactive[int]) -> None:
    """The clock, the models and the scenario's events, or the scenario's problems exactly
    as the command line reports them."""
    frame.value  # noqa: B018 - subscribes: redrawn after every step
    if view.error:
        # plain text, not solara.Error: its alert widget fails on the bundled assets
        solara.Markdown("### This scenario cannot run")
        solara.Preformatted(view.error)
        return
    hour, days = view.hour, view.horizon_hours / 24
    models = " vs ".join(model_name(name, view.position(name)) for name in view.names)
    solara.HTML(tag="div", classes=["scrm-status"], unsafe_innerHTML=(
        f"<b>Day {hour // 24}</b> {hour % 24:02d}:00 of {days:g} (hour {hour}) · "
        f"{escape(view.scenario.name)}, seed {view.seed} · {models}"))
    solara.HTML(tag="div", classes=["scrm-events"], unsafe_innerHTML=escape(scenario_notes(view)))


def scenario_notes(view: SideBySide) -> str:
    """The scenario's events in the horizon and any knob away from the presets' values, so
    that what runs is never a silent change of the scenario."""
    days = view.horizon_hours / 24
    demand = next(iter(view.runs.values())).config.demand
    events = [f"campaign days {c.start_day:g}–{c.start_day + c.duration_days:g} "
              f"(×{c.multiplier:g})" for c in demand.campaigns if c.start_day < days]
    events += [f"incident day {i.start_day:g} ({i.duration_hours:g} h, complaints "
               f"×{i.complaint_multiplier:g})" for i in demand.incidents if i.start_day < days]
    knobs = view.knobs
    changed = [f"{what} {times(v)}" for what, v in (
        ("staffing", knobs.staffing), ("listening", knobs.listening),
        ("hand-off friction", knobs.handoff_friction), ("demand", knobs.demand)) if v != 1.0]
    text = "Events: " + ("; ".join(events) if events else "none")
    if knobs.added_incident_day is not None:
        text += f" (the incident on day {knobs.added_incident_day} added here)"
    text += ". " + ("Presets as written." if not changed
                    else "Changed from the presets: " + ", ".join(changed) + ".")
    return text


@solara.component
def Tiles(view: SideBySide, frame: solara.Reactive[int]) -> None:
    """Each headline quantity now, per model, and the difference between the two (one HTML
    block: a step updates one widget, not dozens)."""
    frame.value  # noqa: B018 - subscribes: redrawn after every step
    names = view.names
    blocks = []
    for tile in tiles(view):
        rows = "".join(
            f'<div class="scrm-tile-row"><span><span class="scrm-swatch" '
            f'style="background: {colour_of(name, names)}"></span>'
            f'{model_name(name, view.position(name))}</span>'
            f'<span class="scrm-tile-value">{escape(tile.values[name])}</span></div>'
            for name in names)
        difference = difference_text(tile, names)
        blocks.append(
            f'<div class="scrm-tile" data-metric="{tile.column}"><div class="scrm-tile-title">'
            f'{escape(tile.title)} <span class="scrm-tile-unit">({escape(tile.unit)})</span>'
            f'</div>{rows}'
            + (f'<div class="scrm-tile-diff">{escape(difference)}</div>' if difference else "")
            + "</div>")
    solara.HTML(tag="div", classes=["scrm-tiles"], unsafe_innerHTML="".join(blocks))


@solara.component
def Figures(view: SideBySide, width: int, frame: solara.Reactive[int]) -> None:
    """The figures, built once per run pair and window size, redrawn every frame."""
    figures = solara.use_memo(
        lambda: {key: make(view, *size) for (key, make), size in
                 zip(FIGURES.items(), figure_sizes(width).values(), strict=True)},
        [view, width])
    pictures = solara.use_memo(lambda: {key: f.render() for key, f in figures.items()},
                               [figures, frame.value])
    with solara.Div(classes=["scrm-figures"]):
        solara.Image(pictures["over_time"])
        if paired(width):
            with solara.Div(style={"display": "flex", "gap": "12px"}):
                solara.Image(pictures["organisation"])
                solara.Image(pictures["customers"])
        else:
            solara.Image(pictures["organisation"])
            solara.Image(pictures["customers"])
        solara.Image(pictures["queues"])


@solara.component
def RunControls(view: SideBySide, frame: solara.Reactive[int],
                restart: Callable[[], None]) -> None:
    """Step, play or pause, restart, the step size and "run to day N". Each step bumps
    ``frame``, which redraws only the parts of the page that read it."""
    frame.value  # noqa: B018 - subscribes: the buttons follow the clock
    hours_per_step, set_hours_per_step = solara.use_state(FIRST_STEP_HOURS)
    horizon_days = max(1, view.horizon_hours // 24)
    run_to_day, set_run_to_day = solara.use_state(min(30, horizon_days))
    target, set_target = solara.use_state(None)  # hour a running loop stops at; None: idle
    chunk, set_chunk = solara.use_state(FIRST_STEP_HOURS)
    lock = solara.use_memo(threading.Lock, [])
    stop = solara.use_memo(threading.Event, [])  # set by Pause; the loop ends after its frame
    solara.use_effect(lambda: set_target(None), [view])  # a restart stops the loop

    def step() -> None:
        with lock:
            view.advance(hours_per_step)
        frame.value += 1

    def run_loop(cancel: threading.Event) -> None:
        """Advance towards ``target`` in chunks, redrawing after each, until there or
        paused; then show Play again (so that once it shows, the clock stands still)."""
        if target is None:
            return
        while not (cancel.is_set() or stop.is_set()) and view.running and view.hour < target:
            with lock:
                view.advance(min(chunk, target - view.hour))
            frame.value += 1
            time.sleep(PLAY_PAUSE_S)
        if not cancel.is_set():
            set_target(None)

    solara.use_thread(run_loop, dependencies=[target, view], intrusive_cancel=False)

    def start(hour: int, hours_per_frame: int) -> None:
        stop.clear()
        set_chunk(hours_per_frame)
        set_target(min(view.horizon_hours, hour))

    busy = target is not None
    ready = not view.error
    with solara.Card():
        solara.HTML(tag="h3", unsafe_innerHTML="Run")
        with solara.Div(classes=["scrm-buttons"]):
            solara.Button(f"Step {hours_per_step} h", color="primary", on_click=step,
                          disabled=busy or not ready or not view.running)
            solara.Button("Pause" if busy else "Play", color="primary",
                          on_click=stop.set if busy else lambda: start(view.horizon_hours,
                                                                       hours_per_step),
                          disabled=not ready or (not busy and not view.running))
            solara.Button("Restart", color="primary", outlined=True, on_click=restart)
        Choice("Hours per step", hours_per_step,
               [(h, f"{h} h" if h < 24 else f"{h // 24} day{'s' if h > 24 else ''}")
                for h in HOURS_PER_STEP], set_hours_per_step)
        with solara.Div(classes=["scrm-buttons"], style={"align-items": "center"}):
            solara.InputInt("Run to day", value=run_to_day, style={"max-width": "120px"},
                            on_value=lambda d: set_run_to_day(
                                max(1, min(horizon_days, int(d or 1)))))
            solara.Button(f"Run to day {run_to_day}", color="primary",
                          on_click=lambda: start(run_to_day * 24, RUN_TO_CHUNK_HOURS),
                          disabled=busy or not ready or view.hour >= run_to_day * 24)


@solara.component
def KnobControls(first: SideBySide, view: SideBySide, knobs: solara.Reactive[Knobs],
                 restart: Callable[[], None]) -> None:
    """The two models and the knobs; changes apply on restart (only this part of the page
    is redrawn while they are set)."""
    draft = knobs.value
    set_draft = knobs.set
    presets = solara.use_memo(model_names, [])  # reads every preset file: once per page
    horizon_days = max(1, view.horizon_hours // 24)
    with solara.Card():
        solara.HTML(tag="h3", unsafe_innerHTML="Models")
        model_items = [(n, model_label(n)) for n in presets]
        if first.runs and first.own_model not in presets:
            model_items.insert(0, (first.own_model, model_label(first.own_model)))
        Choice("Ownership model (left)", draft.left, model_items,
               lambda v: set_draft(replace(draft, left=v)))
        Choice("Compare with (right)", draft.right, [(NONE, "none (one model)"), *model_items],
               lambda v: set_draft(replace(draft, right=v)))
        solara.Div(children=["Hover over a model's name for the position it encodes."],
                   classes=["scrm-help"])
    with solara.Card():
        solara.HTML(tag="h3", unsafe_innerHTML="Knobs (× each preset's own value)")
        Knob("Social staffing", draft.staffing, STAFFING,
             lambda v: set_draft(replace(draft, staffing=v)))
        Knob("Listening coverage", draft.listening, LISTENING,
             lambda v: set_draft(replace(draft, listening=v)), "at most 100% of posts")
        Knob("Hand-off friction", draft.handoff_friction, FRICTION,
             lambda v: set_draft(replace(draft, handoff_friction=v)),
             "the silo part of hand-off delay and loss")
        Knob("Demand", draft.demand, DEMAND,
             lambda v: set_draft(replace(draft, demand=v)), "every posting rate")
        incident_days = [d for d in (1, 2, 7, 14, 30, 45, 60) if d < horizon_days]
        Choice("Added incident",
               -1 if draft.added_incident_day is None else draft.added_incident_day,
               [(-1, "none"), *[(d, f"day {d}") for d in incident_days]],
               lambda v: set_draft(replace(
                   draft, added_incident_day=None if v in (-1, None) else int(v))))
        solara.Div(children=["24 h of complaints ×8, on top of the scenario's own events"],
                   classes=["scrm-help"])
        solara.InputInt(f"Seed (the scenario's is {first.seed if first.runs else '–'})",
                        value=draft.seed, optional=True, classes=["mt-3"],
                        on_value=lambda s: set_draft(replace(draft, seed=s)))
        with solara.Div(classes=["scrm-buttons"]):
            solara.Button("Restart with these settings", color="primary", on_click=restart)
        if draft != view.knobs:
            solara.Div(children=["Changed: press Restart to apply."], classes=["scrm-help"])


@solara.component
def Page() -> None:
    """The sidebar beside the status, the number tiles and the figures."""
    first = solara.use_memo(SideBySide, [])  # built once per page
    view, set_view = solara.use_state(first)
    knobs = solara.use_memo(lambda: solara.reactive(first.knobs), [])  # applied on restart
    frame = solara.use_memo(lambda: solara.reactive(0), [])  # bumped by every step
    width, set_width = solara.use_state(0)

    def restart() -> None:
        set_view(SideBySide(knobs.value))
        frame.value = 0

    def on_width(pixels: int) -> None:
        snapped = int(pixels) // WIDTH_STEP_PX * WIDTH_STEP_PX
        if snapped != width:
            set_width(snapped)

    solara.Title("scrm_sim view: who should own Social CRM?")
    solara.Style(CSS)
    ViewportWidth(width=width, on_width=on_width)
    with solara.Div(classes=["scrm-page"]):
        with solara.Div(classes=["scrm-sidebar"]):
            solara.Markdown("### scrm_sim: who should own Social CRM?")
            RunControls(view, frame, restart)
            KnobControls(first, view, knobs, restart)
        with solara.Div(classes=["scrm-main"]):
            Status(view, frame)
            if not view.error:
                Tiles(view, frame)
                if width:
                    Figures(view, width, frame)
                else:
                    solara.Text("Drawing the figures …")

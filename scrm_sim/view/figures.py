"""The view's figures, drawn once and then only updated.

Each figure is built once per run pair and page size: axes, ticks, titles, legends, network
edges and event bands are drawn into a background image; each step then restores that
image and draws only the artists that change (lines, node colours, bars, counts) on the
Agg canvas (blitting), and encodes the pixels as JPEG. When an axis has to grow (its
limits only ever grow, to the next round number, so axes do not jump) only that panel is
drawn again; the whole figure only when a staged model changes stage.

Units and names come from :mod:`scrm_sim.analysis.labels`: satisfaction on 0–100, shares
in %, time in days, models as people write them.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib
import numpy as np
from matplotlib import colormaps
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import Bbox, IdentityTransform
from PIL import Image

from scrm_sim.analysis.labels import metric, model_label
from scrm_sim.analysis.plots import OKABE_ITO, colour_of
from scrm_sim.model.agents import Role
from scrm_sim.model.customers import Stage
from scrm_sim.model.metrics import satisfaction_mean
from scrm_sim.model.model import SCRMModel
from scrm_sim.scenario.schema import DEPARTMENTS
from scrm_sim.view.session import SideBySide, network_sample, organisation_layout

DPI = 100  # figures are shown at their own pixel size, so 12 pt is 12/72 inch on screen
FONT_PT = 12
STYLE = {
    "font.size": FONT_PT, "axes.titlesize": FONT_PT + 1, "axes.labelsize": FONT_PT,
    "xtick.labelsize": FONT_PT, "ytick.labelsize": FONT_PT, "legend.fontsize": FONT_PT,
    "figure.titlesize": FONT_PT + 1, "axes.formatter.useoffset": False,
    "axes.spines.top": False, "axes.spines.right": False,
}
SATISFACTION_COLOURS = colormaps["RdYlGn"]
SATISFACTION_SHOWN = Normalize(30, 90)  # 0–100 scale; most customers sit in this range
LOST_GREY = (0.6, 0.6, 0.6, 1.0)
GRIEVANCE_RED = "#D00000"
DEPARTMENT_COLOURS = dict(zip(DEPARTMENTS, OKABE_ITO, strict=False))
CAMPAIGN_COLOUR, INCIDENT_COLOUR = "#E69F00", "#D55E00"
QUEUE_NAMES = {"hub": "front line (hub)", "approval": "approval"}
JPEG_QUALITY = 90
THOUSANDS = FuncFormatter(lambda value, _: f"{value:,.0f}")


@contextmanager
def view_style() -> Iterator[None]:
    """The view's fonts (≥ 12 pt) and no offset notation on axes."""
    with matplotlib.rc_context(STYLE):
        yield


def grown_limit(needed: float, current: float) -> float:
    """The axis top for ``needed``: ``current`` if it fits, else the next round number
    (1, 2, 5 × 10^k) at or above it, so an axis grows rarely and never shrinks."""
    if needed <= current:
        return current
    exponent = math.floor(math.log10(needed))
    for mantissa in (1, 2, 5, 10):
        top = mantissa * 10.0**exponent
        if top >= needed:
            return top
    return 10.0 ** (exponent + 1)


def heading(column: str) -> str:
    """A panel's title: the metric's plain name and its unit (unless the name says it)."""
    m = metric(column)
    text = m.label if not m.unit or m.unit in m.label else f"{m.label} ({m.unit})"
    return text[:1].upper() + text[1:]


def jpeg(canvas: FigureCanvasAgg) -> bytes:
    """The canvas's pixels as JPEG, at a quality and without colour subsampling so that
    thin lines and 12-point text stay sharp; a fifth of the time PNG takes to encode."""
    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    out = io.BytesIO()
    image.convert("RGB").save(out, format="jpeg", quality=JPEG_QUALITY, subsampling=0)
    return out.getvalue()


def pixel_grid(figure: Figure, rows: int, cols: int, *, left: int, right: int, top: int,
               bottom: int, wspace: int = 0, hspace: int = 0, **kwargs) -> np.ndarray:
    """Axes on a grid with margins and gaps in pixels: a fixed layout, computed without a
    layout engine (which costs more than the rest of a full redraw) and never moving."""
    width, height = figure.get_size_inches() * figure.dpi
    panel_w = (width - left - right - (cols - 1) * wspace) / cols
    panel_h = (height - top - bottom - (rows - 1) * hspace) / rows
    return figure.subplots(rows, cols, squeeze=False, gridspec_kw={
        "left": left / width, "right": 1 - right / width, "top": 1 - top / height,
        "bottom": bottom / height, "wspace": wspace / panel_w, "hspace": hspace / panel_h},
        **kwargs)


class LiveFigure:
    """A figure whose static parts are drawn once and whose changing artists are redrawn
    on the cached background each frame.

    Subclasses build the figure in ``__init__`` (marking changing artists with
    :meth:`changing`) and set those artists' data in :meth:`update`, calling
    :meth:`redraw_axes` when one panel's static parts have to change (an axis grew) or
    :meth:`redraw_all` for the whole figure.
    """

    def __init__(self, view: SideBySide, width_px: int, height_px: int) -> None:
        self.view = view
        self.names = view.names
        self.figure = Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI)
        self.canvas = FigureCanvasAgg(self.figure)
        self._changing: list[Artist] = []
        self._background = None
        self._stale: dict[Axes, Bbox] = {}  # panels to draw again, with the area they covered
        self._last: tuple[bytes, bytes] = (b"", b"")  # (pixels, image) of the last frame
        self.full_draws = 0  # how often the whole background was drawn (for the benchmark)

    def changing(self, artist: Artist) -> Artist:
        """Mark ``artist`` as redrawn every frame (left out of the background)."""
        artist.set_animated(True)
        self._changing.append(artist)
        return artist

    def redraw_all(self) -> None:
        """Draw the whole background again on the next frame."""
        self._background = None

    def redraw_axes(self, ax: Axes) -> None:
        """Draw ``ax``'s static parts again on the next frame (call before changing them,
        so that the area its old tick labels covered is known)."""
        if self._background is not None and ax not in self._stale:
            self._stale[ax] = ax.get_tightbbox(self.canvas.get_renderer())

    def colour(self, name: str) -> str:
        """The model's colour, the same in every figure and in the number tiles."""
        return colour_of(name, self.names)

    def update(self) -> None:
        """Set the changing artists' data from the runs (subclasses)."""

    def render(self) -> bytes:
        """The figure now, as JPEG (the same bytes as last time when no pixel changed, so
        the page sends nothing)."""
        self.update()
        with view_style():
            if self._background is None:
                self.canvas.draw()  # everything but the changing artists
                self.full_draws += 1
            else:
                self.canvas.restore_region(self._background)
                if self._stale:
                    self._repaint_stale()
            if self._background is None or self._stale:
                self._background = self.canvas.copy_from_bbox(self.figure.bbox)
            self._stale = {}
            for artist in self._changing:
                self.figure.draw_artist(artist)
        pixels = bytes(self.canvas.buffer_rgba())
        if pixels != self._last[0]:
            self._last = (pixels, jpeg(self.canvas))
        return self._last[1]

    def _repaint_stale(self) -> None:
        """Blank the area of each stale panel (old and new extent) and draw it again: a
        quarter of a full redraw for one panel of four."""
        renderer = self.canvas.get_renderer()
        for ax, before in self._stale.items():
            area = Bbox.union([before, ax.get_tightbbox(renderer)]).padded(2)
            blank = Rectangle((area.x0, area.y0), area.width, area.height,
                              transform=IdentityTransform(), facecolor="white", lw=0)
            blank.set_figure(self.figure)
            self.figure.draw_artist(blank)
            self.figure.draw_artist(ax)

    def model_legend(self, extra: list[Artist] | None = None) -> None:
        """One legend above the panels: the models' colours (and ``extra`` entries)."""
        handles = [Line2D([], [], color=self.colour(name), lw=3, label=model_label(name))
                   for name in self.names] + list(extra or [])
        self.figure.legend(handles=handles, loc="upper center", ncol=len(handles),
                           frameon=False, borderaxespad=0.2)


# ---------------------------------------------------------------- over time


TIME_PANELS = ("satisfaction_mean", "share_within_sla", "backlog", "churned_total")


def series(run: SCRMModel, column: str) -> np.ndarray:
    """One step series of a run so far, in stored units (one value per hour)."""
    values = run.datacollector.model_vars
    if column == "share_within_sla":
        posts = np.asarray(values["posts_total"], float)
        within = np.asarray(values["within_sla_total"], float)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(posts > 0, within / posts, np.nan)
    return np.asarray(values[column], float)


class OverTime(LiveFigure):
    """Satisfaction, answered within the SLA, posts waiting and customers lost so far, per
    model, on fixed axes over the scenario's days; campaigns and incidents shaded, stage
    changes of staged models dashed."""

    def __init__(self, view: SideBySide, width_px: int, height_px: int) -> None:
        super().__init__(view, width_px, height_px)
        with view_style():
            axes = pixel_grid(self.figure, 2, 2, left=60, right=20, top=62, bottom=48,
                              wspace=80, hspace=58, sharex=True).ravel()
            self.axes = dict(zip(TIME_PANELS, axes, strict=True))
            days = view.horizon_hours / 24
            config = next(iter(view.runs.values())).config
            for column, ax in self.axes.items():
                ax.set_title(heading(column), loc="left")
                ax.set_xlim(0, days)
                ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
                ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
                ax.yaxis.set_major_formatter(THOUSANDS)
                ax.tick_params(labelsize=FONT_PT)
                ax.grid(alpha=0.3)
                shade_events(ax, config, days)
            for ax in axes[2:]:
                ax.set_xlabel("day")
            self.lines = {(column, name): self.changing(ax.plot([], [], lw=2,
                                                                color=self.colour(name))[0])
                          for column, ax in self.axes.items() for name in self.names}
            self.limits = self._first_limits()
            for column, (low, high) in self.limits.items():
                self.axes[column].set_ylim(low, high)
            self.stages_marked = dict.fromkeys(self.names, 0)
            staged = any(run.config.ownership.stages for run in view.runs.values())
            self.model_legend(event_legend(config, days) + (
                [Line2D([], [], color="#555555", ls="--", label="stage change")] if staged
                else []))

    def _first_limits(self) -> dict[str, tuple[float, float]]:
        start = [100 * satisfaction_mean(run) for run in self.view.runs.values()]
        start = [s for s in start if s == s] or [50.0]
        return {"satisfaction_mean": satisfaction_range(min(start), max(start)),
                "share_within_sla": (0.0, 100.0), "backlog": (0.0, 10.0),
                "churned_total": (0.0, 10.0)}

    def update(self) -> None:
        for name, run in self.view.runs.items():
            if not run.datacollector.model_vars.get("hour"):
                continue
            days = np.asarray(run.datacollector.model_vars["hour"], float) / 24
            for column in TIME_PANELS:
                values = series(run, column) * metric(column).scale
                self.lines[column, name].set_data(days, values)
                self._grow(column, values)
            self._mark_stages(name, run, days)

    def _grow(self, column: str, values: np.ndarray) -> None:
        shown = values[np.isfinite(values)]
        if not len(shown):
            return
        low, high = self.limits[column]
        if column == "satisfaction_mean":
            new = satisfaction_range(min(low + 5, shown.min()), max(high - 5, shown.max()))
            new = (min(new[0], low), max(new[1], high))
        elif column == "share_within_sla":
            new = (low, high)
        else:
            new = (0.0, grown_limit(1.05 * shown.max(), high))
        if new != (low, high):
            self.redraw_axes(self.axes[column])
            self.limits[column] = new
            self.axes[column].set_ylim(*new)

    def _mark_stages(self, name: str, run: SCRMModel, days: np.ndarray) -> None:
        stages = np.asarray(run.datacollector.model_vars["ownership_stage"])
        reached = int(stages[-1]) if len(stages) else 0
        while self.stages_marked[name] < reached:
            self.stages_marked[name] += 1
            day = float(days[np.argmax(stages >= self.stages_marked[name])])
            for ax in self.axes.values():
                ax.axvline(day, color=self.colour(name), ls="--", lw=1.5)
            self.redraw_all()


def satisfaction_range(low: float, high: float) -> tuple[float, float]:
    """A 0–100 satisfaction axis around [low, high], in tens, with room on both sides."""
    return (max(0.0, 10 * math.floor((low - 5) / 10)), min(100.0, 10 * math.ceil((high + 5) / 10)))


def events_in(config, days: float) -> list[tuple[str, float, float]]:
    """(kind, first day, last day) of the scenario's campaigns and incidents in the horizon."""
    demand = config.demand
    spans = [("campaign", c.start_day, c.start_day + c.duration_days) for c in demand.campaigns]
    spans += [("incident", i.start_day, i.start_day + i.duration_hours / 24)
              for i in demand.incidents]
    return [(kind, start, min(end, days)) for kind, start, end in spans if start < days]


def shade_events(ax: Axes, config, days: float) -> None:
    """Campaigns and incidents as bands behind the lines."""
    for kind, start, end in events_in(config, days):
        colour = CAMPAIGN_COLOUR if kind == "campaign" else INCIDENT_COLOUR
        ax.axvspan(start, max(end, start + days / 200), color=colour, alpha=0.15, lw=0)


def event_legend(config, days: float) -> list[Artist]:
    """Legend entries for the kinds of event the scenario has in its horizon."""
    kinds = {kind for kind, _, _ in events_in(config, days)}
    return [Patch(color=colour, alpha=0.3, label=kind)
            for kind, colour in (("campaign", CAMPAIGN_COLOUR), ("incident", INCIDENT_COLOUR))
            if kind in kinds]


# ---------------------------------------------------------------- networks


def side_by_side(figure: Figure, count: int, top: int, bottom: int) -> list[Axes]:
    """One panel per run, left to right, without axes; ``top`` and ``bottom`` pixels are
    left for titles, counts and legends."""
    axes = pixel_grid(figure, 1, count, left=10, right=10, top=top, bottom=bottom,
                      wspace=40).ravel().tolist()
    for ax in axes:
        ax.set_axis_off()
    return axes


class Customers(LiveFigure):
    """A sample of the customer network per model: colour = satisfaction (0–100), grey =
    lost, red ring = spreading a grievance now."""

    def __init__(self, view: SideBySide, width_px: int, height_px: int) -> None:
        super().__init__(view, width_px, height_px)
        with view_style():
            self.panels = {}
            panels = side_by_side(self.figure, len(self.names), top=62, bottom=100)
            for name, ax in zip(self.names, panels, strict=True):
                run = view.runs[name]
                rows, xy = network_sample(view, run)
                sub = run.adjacency[rows][:, rows].tocoo()
                upper = sub.row < sub.col
                ax.add_collection(LineCollection(
                    np.stack([xy[sub.row[upper]], xy[sub.col[upper]]], 1),
                    colors="#cccccc", linewidths=0.5, zorder=1))
                ax.set_title(model_label(name), color=self.colour(name), fontweight="bold")
                nodes = self.changing(ax.scatter(*xy.T, s=22, zorder=2, linewidths=0))
                rings = self.changing(ax.scatter(np.empty(0), np.empty(0), s=90,
                                                 facecolors="none", edgecolors=GRIEVANCE_RED,
                                                 linewidths=1.8, zorder=3))
                count = self.changing(ax.text(0.5, -0.03, "", transform=ax.transAxes,
                                              ha="center", va="top"))
                ax.update_datalim(xy)
                ax.autoscale_view()
                self.panels[name] = (rows, xy, nodes, rings, count)
            width, height = self.figure.get_size_inches() * DPI
            scale = self.figure.add_axes((0.3, 34 / height, 0.4, 14 / height))
            bar = self.figure.colorbar(
                matplotlib.cm.ScalarMappable(SATISFACTION_SHOWN, SATISFACTION_COLOURS),
                cax=scale, orientation="horizontal", extend="both")
            scale.set_title("satisfaction (0–100)", fontsize=FONT_PT, loc="left", x=-0.6,
                            y=-0.35)
            bar.ax.tick_params(labelsize=FONT_PT)
            self.figure.legend(handles=[
                Line2D([], [], ls="", marker="o", color=LOST_GREY, label="lost customer"),
                Line2D([], [], ls="", marker="o", markerfacecolor="none", markersize=10,
                       markeredgecolor=GRIEVANCE_RED, markeredgewidth=1.8,
                       label="spreading a grievance")],
                loc="upper center", ncol=2, frameon=False, borderaxespad=0.2)

    def update(self) -> None:
        for name, (rows, xy, nodes, rings, count) in self.panels.items():
            run = self.view.runs[name]
            satisfaction = 100 * run.population.satisfaction[rows]  # shown on 0–100
            colours = SATISFACTION_COLOURS(SATISFACTION_SHOWN(satisfaction))
            lost = run.population.stage[rows] == Stage.CHURNED
            colours[lost] = LOST_GREY
            nodes.set_facecolors(colours)
            spreading = np.isin(rows, run.cascades.spreading)
            rings.set_offsets(xy[spreading] if spreading.any() else np.empty((0, 2)))
            count.set_text(f"{int(spreading.sum())} spreading a grievance, "
                           f"{int(lost.sum())} lost (of {len(rows)} shown)")


class Organisation(LiveFigure):
    """Staff by department per model; social roles outlined in black, social-team members
    ringed in red."""

    def __init__(self, view: SideBySide, width_px: int, height_px: int) -> None:
        super().__init__(view, width_px, height_px)
        with view_style():
            self.panels = {}
            panels = side_by_side(self.figure, len(self.names), top=30, bottom=100)
            for name, ax in zip(self.names, panels, strict=True):
                run = view.runs[name]
                positions = organisation_layout(view, run)
                ax.add_collection(LineCollection(
                    [(positions[a], positions[b]) for a, b in run.org_graph.edges],
                    colors="#dddddd", linewidths=0.4, zorder=1))
                xy = np.array([positions[s.unique_id] for s in run.staff_list])
                ax.set_title(model_label(name), color=self.colour(name), fontweight="bold")
                fill = [DEPARTMENT_COLOURS.get(s.department, "#999999") for s in run.staff_list]
                nodes = self.changing(ax.scatter(*xy.T, c=fill, s=16, zorder=2))
                count = self.changing(ax.text(0.5, -0.03, "", transform=ax.transAxes,
                                              ha="center", va="top"))
                ax.update_datalim(xy)
                ax.autoscale_view()
                self.panels[name] = (nodes, count)
            present = {s.department for run in view.runs.values() for s in run.staff_list}
            handles = [Line2D([], [], ls="", marker="o", color=colour, label=dept)
                       for dept, colour in DEPARTMENT_COLOURS.items() if dept in present]
            handles += [
                Line2D([], [], ls="", marker="o", markersize=9, color="#999999",
                       markeredgecolor="black", markeredgewidth=1.6, label="social role"),
                Line2D([], [], ls="", marker="o", markersize=9, color="#999999",
                       markeredgecolor=GRIEVANCE_RED, markeredgewidth=1.6,
                       label="social team")]
            self.figure.legend(handles=handles, loc="lower center",
                               ncol=math.ceil(len(handles) / 2), frameon=False,
                               handletextpad=0.1, columnspacing=0.8, borderaxespad=0.2)

    def update(self) -> None:
        for name, (nodes, count) in self.panels.items():
            staff = self.view.runs[name].staff_list
            role = np.array([s.role != Role.NONE for s in staff])
            team = np.array([s.in_team for s in staff])
            nodes.set_sizes(np.where(role | team, 60, 16))
            nodes.set_edgecolors(np.where(role[:, None], [[0, 0, 0, 1]],
                                          np.where(team[:, None], [[0.82, 0, 0, 1]],
                                                   [[0, 0, 0, 0]])))
            nodes.set_linewidths(np.where(role | team, 1.6, 0.0))
            count.set_text(f"{int(role.sum())} in social roles, {int(team.sum())} in the team")


# ---------------------------------------------------------------- queues


def queue_label(name: str) -> str:
    """A queue's name as shown (the hub is the front line)."""
    return QUEUE_NAMES.get(name, name)


class Queues(LiveFigure):
    """Posts waiting now in each of the programme's queues, per model (horizontal bars)."""

    def __init__(self, view: SideBySide, width_px: int, height_px: int) -> None:
        super().__init__(view, width_px, height_px)
        self.queue_names: list[str] = []
        for run in view.runs.values():
            self.queue_names += [q.name for q in run.response.programme_queues
                                 if q.name not in self.queue_names]
        with view_style():
            self.ax = pixel_grid(self.figure, 1, 1, left=150, right=25, top=40,
                                 bottom=55)[0, 0]
            count = len(self.names)
            height = 0.8 / count
            y = np.arange(len(self.queue_names))
            self.bars = {}
            for j, name in enumerate(self.names):
                bars = self.ax.barh(y + (j - (count - 1) / 2) * height, np.zeros(len(y)),
                                    height, color=self.colour(name))
                self.bars[name] = [self.changing(bar) for bar in bars]
            self.ax.set_yticks(y, [queue_label(q) for q in self.queue_names])
            self.ax.invert_yaxis()
            self.top = 10.0
            self.ax.set_xlim(0, self.top)
            self.ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
            self.ax.xaxis.set_major_formatter(THOUSANDS)
            self.ax.tick_params(labelsize=FONT_PT)
            self.ax.set_xlabel("posts waiting now")
            self.ax.grid(axis="x", alpha=0.3)
            self.model_legend()

    def update(self) -> None:
        most = 0
        for name, run in self.view.runs.items():
            hour = float(run.hour)
            live = run.response.is_live
            waiting = {q.name: q.waiting(hour, live) for q in run.response.programme_queues}
            for queue, bar in zip(self.queue_names, self.bars[name], strict=True):
                bar.set_width(waiting.get(queue, 0))
            most = max(most, *waiting.values())
        top = grown_limit(1.05 * most, self.top)
        if top != self.top:
            self.redraw_axes(self.ax)
            self.top = top
            self.ax.set_xlim(0, top)


FIGURES = {"over_time": OverTime, "organisation": Organisation, "customers": Customers,
           "queues": Queues}


SIDEBAR_PX = 330  # the sidebar's width, set in the page's style sheet
PAGE_MARGIN_PX = 44  # padding, gap and a scroll bar
PAIR_FROM_PX = 1200  # network panels side by side from this main width (1920-pixel screens)


def main_width(viewport_px: int) -> int:
    """The width beside the sidebar, in pixels, for a browser window ``viewport_px`` wide."""
    return max(640, viewport_px - SIDEBAR_PX - PAGE_MARGIN_PX)


def paired(viewport_px: int) -> bool:
    """Whether the organisation and customer figures sit side by side (wide screens) or
    one under the other at full width."""
    return main_width(viewport_px) >= PAIR_FROM_PX


def figure_sizes(viewport_px: int) -> dict[str, tuple[int, int]]:
    """Each figure's size in pixels for a browser window ``viewport_px`` wide, so that
    figures are shown at their own size (fonts stay 12 pt) and fit beside the sidebar."""
    main = main_width(viewport_px)
    network = main // 2 - 8 if paired(viewport_px) else main
    return {"over_time": (main, int(np.clip(0.4 * main, 380, 600))),
            "organisation": (network, int(np.clip(0.42 * network, 380, 520))),
            "customers": (network, int(np.clip(0.42 * network, 380, 520))),
            "queues": (min(main, 640), 330)}

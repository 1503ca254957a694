"""The number tiles: each headline quantity now, per model, and the difference between two.

Values are read from the runs as they stand (the same reporters the data collector uses)
and shown with the names, units and display scales of :mod:`scrm_sim.analysis.labels`.
"""

from __future__ import annotations

from dataclasses import dataclass

from scrm_sim.analysis.labels import Metric, metric, model_label
from scrm_sim.model.metrics import MODEL_REPORTERS
from scrm_sim.model.model import SCRMModel
from scrm_sim.view.session import SideBySide

# (column shown, summary metric whose better-direction and negligible difference apply)
TILES: list[tuple[str, str]] = [
    ("satisfaction_mean", "satisfaction_mean"),
    ("share_within_sla", "share_within_sla"),
    ("backlog", "backlog_mean"),
    ("churned_total", "churned"),
    ("cost_total", "cost"),
]


def value_now(run: SCRMModel, column: str) -> float:
    """A quantity of a run at its current hour, in stored units (NaN when undefined, such
    as the share within the SLA before any post)."""
    if column == "share_within_sla":
        posts = len(run.posts)
        return run.counters["within_sla"] / posts if posts else float("nan")
    return float(MODEL_REPORTERS[column](run))


@dataclass(frozen=True)
class Tile:
    """One quantity for every model on the page.

    ``values`` are display strings by model; ``difference`` is right − left in display
    units (``None`` with one model); ``better`` names the model ahead when the difference
    is larger than the catalogue's negligible difference, ``""`` when it is not, ``None``
    when the quantity has no better direction.
    """

    column: str
    title: str
    unit: str
    values: dict[str, str]
    difference: str | None
    better: str | None


def signed(m: Metric, value: float) -> str:
    """A difference in display units, with its sign ("+1.2", "−340"; "±0.0" when it rounds
    to nothing)."""
    text = m.format.format(abs(value) * m.scale)
    if not any(digit in text for digit in "123456789"):
        return "±" + text
    return ("+" if value > 0 else "−") + text


def tiles(view: SideBySide) -> list[Tile]:
    """The tiles for the runs as they stand."""
    out = []
    for column, judged_by in TILES:
        shown, judge = metric(column), metric(judged_by)
        now = {name: value_now(run, column) for name, run in view.runs.items()}
        difference = better = None
        if len(now) == 2:
            (left, a), (right, b) = now.items()
            gap = b - a
            if gap == gap:  # both defined
                difference = signed(shown, gap)
                if judge.direction:
                    ahead = max(a, b) if judge.direction > 0 else min(a, b)
                    threshold = judge.negligible * (
                        abs(ahead) * judge.scale / 100 if judge.relative else 1.0)
                    if abs(gap) * shown.scale <= threshold:
                        better = ""
                    else:
                        better = right if gap * judge.direction > 0 else left
        title = shown.label[:1].upper() + shown.label[1:]
        out.append(Tile(column, title, shown.unit,
                        {name: shown.show(v) for name, v in now.items()}, difference, better))
    return out


def difference_text(tile: Tile, names: list[str]) -> str:
    """The tile's last line: the difference and which model it favours, in words."""
    if tile.difference is None:
        return ""
    left, right = (model_label(n) for n in names)
    verdict = {None: "", "": " (about the same)"}.get(
        tile.better, f" ({model_label(tile.better)} ahead)" if tile.better else "")
    return f"{right} − {left}: {tile.difference}{verdict}"

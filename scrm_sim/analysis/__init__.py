"""Reading results: comparison plots (and, later, paired statistics and the report)."""

from scrm_sim.analysis.plots import MODEL_COLOURS, comparison_figure, timeseries_figure

__all__ = ["MODEL_COLOURS", "comparison_figure", "timeseries_figure"]

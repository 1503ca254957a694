"""Reading results: statistics (``statistics``) and comparison plots (``plots``).

Submodules are imported where needed, so that the statistics stay usable without
loading matplotlib.
"""

"""Interactive browser view (Mesa SolaraViz): watch ownership models run side by side.

Needs the ``viz`` extra (``pip install -e .[viz]``); start it with ``scrm-sim view``.
"""

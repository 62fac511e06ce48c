"""Authorization cases by portal area, one module per ``piquetickets/portal/urls/`` module."""

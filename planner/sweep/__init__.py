"""Scenario sweeps: many variants of one scenario solved on Dask (sensitivity, Monte Carlo, disruptions).

A sweep file (:mod:`planner.sweep.spec`) names a base scenario and what varies: parameter grids over
scenario fields by dotted path, seeded Monte Carlo demand draws and disruption sets.
:func:`expand_sweep` turns it into members with stable ids; :func:`run_sweep` solves them on a Dask
cluster (a LocalCluster by default) or in-process, resumably, and writes the results table, the site
frequencies (CSV and map) and the cost-versus-service plot (:mod:`planner.sweep.results`).

    from planner.sweep import load_sweep, run_sweep
    outcome = run_sweep(load_sweep("sweeps/gansu_backbone_bases.yaml"), workers=2)
"""

from __future__ import annotations

from planner.sweep.execute import SweepOutcome, run_member, run_sweep
from planner.sweep.expand import Member, expand_sweep
from planner.sweep.results import results_table, site_frequency
from planner.sweep.spec import LoadedSweep, Sweep, SweepError, check_sweep, load_sweep

__all__ = [
    "LoadedSweep",
    "Member",
    "Sweep",
    "SweepError",
    "SweepOutcome",
    "check_sweep",
    "expand_sweep",
    "load_sweep",
    "results_table",
    "run_member",
    "run_sweep",
    "site_frequency",
]

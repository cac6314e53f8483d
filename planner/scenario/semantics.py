"""What a valid scenario file must also mean: the checks ``planner validate`` and ``planner run`` share.

The schema checks each field on its own; these checks need the place table and the user's tables (not
the network, not a solve): do the selections name any place, are must-open sites candidates, is ``p``
possible, can the budget pay for the sites that must open, do the gateways take at most all the supply,
do tier arcs run downstream, is a closed place still used... Each problem is an :class:`Issue` located
at a scenario field (or at a line of a user table), so :func:`planner.scenario.load.check_scenario`
reports it as ``file:line: field: message`` and ``run`` refuses the scenario before building anything.

Notes are facts a user should know that are not errors: a closed place dropped from the candidates,
repeated table rows added up, more solver threads asked for than the machine has.

Budgets mean one thing in every model: ``policy.budget_cny`` caps the sum of the fixed costs of the
opened sites (capacity levels in the cold chain, ``fixed_cost_cny`` per site in the location models).
A budget that cannot pay for what must open is infeasible, and said so here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from planner.errors import PlannerError
from planner.network.places import place_table, resolve_place
from planner.scenario.inputs import (
    candidate_sites,
    market_rows,
    missing_consumption_group,
    select_places,
    supply_table,
    uses_demand_table,
)
from planner.scenario.models import ADAPTERS
from planner.scenario.schema import Scenario
from planner.scenario.tables import TableError, read_demand_table, read_flow_table, read_supply_table

__all__ = ["P_MODELS", "Issue", "check_semantics", "solver_threads"]

#: location models that open exactly ``p`` sites
#: models that open p sites
P_MODELS = tuple(name for name, a in ADAPTERS.items() if "p" in a.needs)


@dataclass(frozen=True)
class Issue:
    """A problem: at the scenario field ``loc`` (a path such as ``("policy", "must_open", 0)``), or in a
    user table (``table``: file, line and column)."""

    loc: tuple[Any, ...]
    message: str
    table: TableError | None = None


class _Findings:
    def __init__(self) -> None:
        self.issues: list[Issue] = []
        self.notes: list[str] = []

    def add(self, loc: tuple[Any, ...], message: str) -> None:
        self.issues.append(Issue(loc, message))

    def guarded(self, loc: tuple[Any, ...], action: Callable[[], Any]) -> Any:
        """Run ``action``; a table problem or any input error becomes an issue (None is returned)."""
        try:
            return action()
        except TableError as exc:
            self.issues.append(Issue(loc, exc.message, exc))
        except PlannerError as exc:
            self.add(loc, str(exc))
        return None


def solver_threads(requested: int | None) -> int | None:
    """The solver threads a run uses: ``requested`` capped at this machine's core count (None = solver default)."""
    if requested is None:
        return None
    return max(1, min(int(requested), os.cpu_count() or 1))


def _name(places: pd.DataFrame, place: str) -> str:
    return f"{places.loc[place, 'name_zh']} ({place})" if place in places.index else place


def _resolved(names: list[str]) -> list[str | None]:
    out: list[str | None] = []
    for name in names:
        try:
            out.append(resolve_place(name))
        except PlannerError:  # reported by the name checks
            out.append(None)
    return out


def _money(value: float) -> str:
    return f"{value:,.0f} CNY"


def check_semantics(scenario: Scenario, base_dir: str | Path = ".") -> tuple[list[Issue], list[str]]:
    """The problems and notes of a schema-valid scenario whose names resolve (see the module docstring).

    ``base_dir``: where relative table paths are read (the scenario file's folder).
    """
    found = _Findings()
    base = Path(base_dir)
    places = place_table()
    closed = _resolved(list(scenario.disruptions.nodes))
    must = _resolved(list(scenario.policy.must_open))
    forbidden = _resolved(list(scenario.policy.forbidden))
    for i, place in enumerate(forbidden):
        if place is not None and place in must:
            found.add(("policy", "forbidden", i), f"{_name(places, place)} is also in policy.must_open; a site cannot be "
                      "both: drop it from one list")
    for i, place in enumerate(must):
        if place is not None and place in closed:
            found.add(("policy", "must_open", i), f"{_name(places, place)} is closed by disruptions.nodes; a closed place "
                      "cannot hold a site")
    threads = scenario.solver.threads
    if threads is not None and solver_threads(threads) != threads:
        found.notes.append(f"solver.threads {threads} is more than the {os.cpu_count()} core(s) of this machine; the "
                           f"solver uses {solver_threads(threads)}")
    if scenario.model == "cold_chain":
        _cold_chain(scenario, base, places, found, closed, must, forbidden)
    else:
        _location(scenario, base, places, found, closed, must, forbidden)
    return found.issues, found.notes


def _demand_points(scenario: Scenario, base: Path, places: pd.DataFrame, found: _Findings,
                   closed: list[str | None], supply: pd.DataFrame | None) -> list[str]:
    points = found.guarded(("demand", "points"), lambda: select_places(scenario.demand.points, scenario, places, supply)) or []
    if not points:
        found.add(("demand", "points"), f"selects no place in {', '.join(scenario.region)}")
    for i, place in enumerate(closed):
        if place is not None and place in points:
            found.add(("disruptions", "nodes", i), f"{_name(places, place)} is a demand point; a closed place cannot be "
                      "served: exclude it in demand.points.exclude or drop the disruption")
    if points and uses_demand_table(scenario):
        path = (base / scenario.demand.weights).resolve()
        if not path.is_file():
            found.add(("demand", "weights"), f"{path}: file not found (a relative path is read from the scenario "
                      "file's folder; or give population or uniform)")
        else:
            products = [p.id for p in scenario.products]
            found.guarded(("demand", "weights"), lambda: read_demand_table(
                path, scenario.demand.sheet, scenario.demand.key, products, points, found.notes))
    return points


def _flow_table(scenario: Scenario, base: Path, found: _Findings, nodes: list[str]) -> None:
    """The hub model's flow table: found, readable, between the scenario's places."""
    assert scenario.hub is not None
    path = (base / scenario.hub.flows).resolve()
    if not path.is_file():
        found.add(("hub", "flows"), f"{path}: file not found (a relative path is read from the scenario file's folder)")
    else:
        found.guarded(("hub", "flows"), lambda: read_flow_table(path, scenario.hub.sheet if scenario.hub else None,
                                                                 nodes, found.notes))


# ---------------------------------------------------------------------------------------- location


def _location(scenario: Scenario, base: Path, places: pd.DataFrame, found: _Findings,
              closed: list[str | None], must: list[str | None], forbidden: list[str | None]) -> None:
    assert scenario.candidates is not None
    selected = found.guarded(("candidates",), lambda: select_places(scenario.candidates, scenario, places)) or []
    sites = [p for p in selected if p not in closed]
    for place in selected:
        if place in closed:
            found.notes.append(f"disruptions: {_name(places, place)} is closed, so it is not a candidate site")
    if not sites:
        found.add(("candidates",), "selects no candidate site" + (" that is not closed" if selected else
                                                                  f" in {', '.join(scenario.region)}"))
        return
    points = _demand_points(scenario, base, places, found, closed, None)
    if scenario.hub is not None:
        _flow_table(scenario, base, found, list(dict.fromkeys([*points, *sites])))
    for field, chosen in (("must_open", must), ("forbidden", forbidden)):
        for i, place in enumerate(chosen):
            if place is not None and place not in sites and place not in closed:
                found.add(("policy", field, i), f"{_name(places, place)} is not a candidate site; add it to the "
                          f"candidates or drop it from policy.{field}")
    forced = {p for p in must if p in sites}
    allowed = [p for p in sites if p not in set(forbidden)]
    if not allowed:
        found.add(("policy", "forbidden"), f"forbids every candidate site ({len(sites)})")
        return
    fixed = scenario.fixed_cost_cny
    budget = scenario.policy.budget_cny
    if scenario.model in P_MODELS:
        assert scenario.p is not None
        if scenario.p > len(allowed):
            found.add(("p",), f"p = {scenario.p} but only {len(allowed)} candidate site(s) may open ({len(sites)} "
                      f"candidates, {len(sites) - len(allowed)} forbidden)")
        if len(forced) > scenario.p:
            found.add(("policy", "must_open"), f"{len(forced)} sites must open but p = {scenario.p} (p counts them)")
        if budget is not None and scenario.p * fixed > budget:
            found.add(("policy", "budget_cny"), f"infeasible: p = {scenario.p} sites at fixed_cost_cny {_money(fixed)} cost "
                      f"{_money(scenario.p * fixed)}, more than the budget of {_money(budget)}")
    elif budget is not None:
        if len(forced) * fixed > budget:
            found.add(("policy", "budget_cny"), f"infeasible: the {len(forced)} must-open site(s) at fixed_cost_cny "
                      f"{_money(fixed)} cost {_money(len(forced) * fixed)}, more than the budget of {_money(budget)}")
        elif fixed > budget:  # facility location and set covering open at least one site
            found.add(("policy", "budget_cny"), f"infeasible: the budget of {_money(budget)} pays for no site at "
                      f"fixed_cost_cny {_money(fixed)}, and every demand point needs one")
    if budget is not None and fixed == 0:
        found.notes.append("policy.budget_cny has no effect: sites cost nothing (fixed_cost_cny is 0)")


# -------------------------------------------------------------------------------------- cold chain


def _cold_chain(scenario: Scenario, base: Path, places: pd.DataFrame, found: _Findings,
                closed: list[str | None], must: list[str | None], forbidden: list[str | None]) -> None:
    assert scenario.supply is not None
    products = [p.id for p in scenario.products]
    for i, product_id in enumerate(products):
        problem = found.guarded(("products", i, "id"), lambda product_id=product_id: missing_consumption_group(product_id))
        if problem is not None:
            found.issues.append(Issue(("products", i, "id"), problem[2],
                                      TableError(problem[0], problem[1], "consumption_group", problem[2])))
    if scenario.supply.table != "shipped":
        path = (base / scenario.supply.table).resolve()
        if not path.is_file():
            found.add(("supply", "table"), f"{path}: file not found (a relative path is read from the scenario "
                      "file's folder; or give shipped)")
            return
        if found.guarded(("supply", "table"), lambda: read_supply_table(
                path, scenario.supply.sheet, scenario.supply.key, products, found.notes)) is None:
            return
    built = found.guarded(("supply",), lambda: supply_table(scenario, base))
    if built is None:
        return
    supply = built[0]
    if supply.empty:
        found.add(("supply",), f"no supply of {', '.join(products)} in {', '.join(scenario.region)}")
        return
    for i, place in enumerate(closed):
        if place is not None and place in set(supply["place_id"]):
            found.add(("disruptions", "nodes", i), f"{_name(places, place)} holds supply; a closed place cannot ship it: "
                      "drop the disruption or the supply there")
    points = _demand_points(scenario, base, places, found, closed, supply)
    _tiers(scenario, places, found, closed, must, forbidden, supply)
    _tier_arcs(scenario, found)
    _gateways(scenario, places, found, closed)
    _markets(scenario, places, found, supply)
    if points and not (scenario.demand.per_capita or uses_demand_table(scenario) or scenario.demand.gateways
                       or scenario.demand.markets):
        found.add(("demand",), "the scenario has no demand: give per_capita: true, a demand table in weights, or gateways")


def _tiers(scenario: Scenario, places: pd.DataFrame, found: _Findings, closed: list[str | None],
           must: list[str | None], forbidden: list[str | None], supply: pd.DataFrame) -> None:
    anywhere: set[str] = set()
    for index, tier in enumerate(scenario.tiers):
        loc = ("tiers", index, "candidates")
        selected = found.guarded(loc, lambda tier=tier: select_places(tier.candidates, scenario, places, supply)) or []
        sites = candidate_sites(tier.candidates, scenario, places, supply) if selected else []
        for place in selected:
            if place not in sites:
                found.notes.append(f"disruptions: {_name(places, place)} is closed, so it is not a candidate of tier {tier.name}")
        anywhere |= set(sites)
        if not sites:
            found.add(loc, "selects no candidate site" + (" that is not closed" if selected else ""))
            continue
        allowed = [p for p in sites if p not in set(forbidden)]
        if tier.min_open > len(allowed):
            found.add(("tiers", index, "min_open"), f"min_open = {tier.min_open} but only {len(allowed)} candidate site(s) "
                      f"of tier {tier.name} may open")
        forced = [p for p in sites if p in set(must)]
        if tier.max_open is not None and len(forced) > tier.max_open:
            names = "、".join(str(places.loc[p, "name_zh"]) for p in forced)
            found.add(("policy", "must_open"), f"{len(forced)} must-open places are candidates of tier {tier.name} "
                      f"({names}) but its max_open is {tier.max_open}")
    for field, chosen in (("must_open", must), ("forbidden", forbidden)):
        for i, place in enumerate(chosen):
            if place is not None and place not in anywhere and place not in closed:
                found.add(("policy", field, i), f"{_name(places, place)} is not a candidate site of any tier; add it to a "
                          f"tier's candidates or drop it from policy.{field}")


def _tier_arcs(scenario: Scenario, found: _Findings) -> None:
    order = ["production", *(t.name for t in scenario.tiers), "demand"]
    seen: set[tuple[str, str]] = set()
    for index, (source, target) in enumerate(scenario.tier_arcs or []):
        if source not in order or target not in order:
            continue  # an unknown tier: reported by the name checks
        if order.index(target) <= order.index(source):
            found.add(("tier_arcs", index), f"{source} -> {target} runs upstream; arcs run from production through the "
                      f"tiers in their listed order to demand ({' -> '.join(order)})")
        if (source, target) in seen:
            found.add(("tier_arcs", index), f"{source} -> {target} is listed twice")
        seen.add((source, target))


def _markets(scenario: Scenario, places: pd.DataFrame, found: _Findings, supply: pd.DataFrame) -> None:
    """The consumption markets: products of the scenario, excluded markets that exist, and market rows in
    markets.csv for every province a product with an outbound share is grown in."""
    spec = scenario.demand.markets
    if spec is None:
        return
    products = {p.id for p in scenario.products}
    for product in spec.outbound_share:
        if product not in products:
            found.add(("demand", "markets", "outbound_share", product), f"product {product!r} is not in the scenario's products")
    for index, name in enumerate(spec.exclude):
        found.guarded(("demand", "markets", "exclude", index), lambda name=name: resolve_place(name))
    found.guarded(("demand", "markets", "outbound_share"), lambda: market_rows(scenario, supply, places))


def _gateways(scenario: Scenario, places: pd.DataFrame, found: _Findings, closed: list[str | None]) -> None:
    gateways = scenario.demand.gateways
    # the markets' outbound share and the gateways' shares together leave the province
    totals: dict[str, float] = dict(scenario.demand.markets.outbound_share) if scenario.demand.markets else {}
    reported: set[str] = set()
    onward: dict[str, float] = {}
    for index, (gateway, place) in enumerate(zip(gateways, _resolved([g.node for g in gateways]), strict=True)):
        if place is None:
            continue
        if place in closed:
            found.add(("demand", "gateways", index, "node"), f"{_name(places, place)} is closed by disruptions.nodes; a "
                      "closed gateway receives nothing: drop the gateway or re-route its share")
        if place in onward and onward[place] != gateway.onward_cost_cny_per_t:
            found.add(("demand", "gateways", index, "onward_cost_cny_per_t"), f"{_name(places, place)} is listed before "
                      f"with onward_cost_cny_per_t {onward[place]:g}; give one cost per gateway")
        onward.setdefault(place, gateway.onward_cost_cny_per_t)
        for product, share in gateway.share_of_supply.items():
            totals[product] = totals.get(product, 0.0) + share
            if totals[product] > 1 + 1e-9 and product not in reported:
                reported.add(product)
                found.add(("demand", "gateways", index, "share_of_supply", product), f"the gateways' shares of {product} "
                          f"add up to {totals[product]:.0%}" + (" with the markets' outbound share" if scenario.demand.markets
                                                                 and product in scenario.demand.markets.outbound_share else "")
                          + "; at most 100% of the supply can leave")

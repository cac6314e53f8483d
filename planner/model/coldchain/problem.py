"""Input data of the cold-chain network design model.

The network is layered: production areas -> site tiers (ordered upstream to downstream, e.g. origin
pre-cooling / consolidation 产地预冷集配, backbone cold-chain bases 骨干冷链物流基地, regional distribution
区域分拨) -> demand points (cities, consumption markets, border ports). X:L31 describes the service network
as "干线运输+区域分拨+城市配送"; A:L207-217 names the backbone bases, the first-mile pre-cooling and the
last-mile low-temperature delivery.

Three ideas carry the realism of the model and live in this data:

* **Leg classes.** Every arc belongs to a leg class: ``first_mile`` (farm to pre-cooling, farm trucks),
  ``line_haul`` (full reefer trucks, rail reefer containers between sites and to distant markets) or
  ``distribution`` (small vans into cities). Each class has its own rates (in the arc costs) and each
  product its own time standard per class (:class:`Product`), so line-haul is cheap per tonne-km and
  distribution dear, and regional consolidation pays where it should.
* **Temperature zones.** A site holds capacity per zone (``chilled``, ``frozen``, ``ambient``): a product
  passes only through sites with its zone and uses that zone's capacity, so potatoes never fill a cold store.
* **Route alternatives.** An arc may come in several variants (route alternatives, modes, refrigerated or
  not); the model picks per product, so a time standard picks the cheapest route that meets it.

Units are in the field names: tonnes per season (``_t``), yuan (``_cny``), hours (``_h``), kilometres
(``_km``). Everything is validated on construction; invalid input raises :class:`ModelError` with a one-line
message before any solver runs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from planner.errors import ModelError

__all__ = [
    "ANY_ZONE",
    "DEMAND",
    "DEMAND_KINDS",
    "LEG_CLASSES",
    "PRODUCTION",
    "ZONES",
    "ArcMatrix",
    "ColdChainProblem",
    "DemandPoint",
    "Product",
    "Site",
    "SiteTier",
    "Zone",
]

#: reserved tier names of the two ends of the network
PRODUCTION = "production"
DEMAND = "demand"
#: temperature zones of a site; ``ANY_ZONE`` is one undivided store that takes every product
ZONES = ("chilled", "frozen", "ambient")
ANY_ZONE = "any"
#: leg classes of arcs; ``any`` = no class (no per-class time standard applies)
LEG_CLASSES = ("first_mile", "line_haul", "distribution", "any")
#: kinds of demand point: city consumption, a named consumption market beyond the study area, an export port
#: (``gateway`` is an outbound hand-over point with a flat onward cost, kept for older scenarios)
DEMAND_KINDS = ("city", "market", "port", "gateway")


def _finite_nonneg(value: float, what: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise ModelError(f"{what} must be a number, got {value!r}") from exc
    if math.isnan(v) or math.isinf(v):
        raise ModelError(f"{what} is NaN or infinite")
    if v < 0:
        raise ModelError(f"{what} is negative ({v:g})")
    return v


def _opt_limit(value: float | None, what: str) -> float | None:
    if value is None:
        return None
    v = _finite_nonneg(value, what)
    if v <= 0:
        raise ModelError(f"{what} must be positive, got {v:g}")
    return v


@dataclass(frozen=True)
class Product:
    """A product family moving through the network.

    ``value_cny_per_t``: value of one tonne (the spoilage cost is value x loss fraction).
    ``loss_rate_ambient_per_h`` / ``loss_rate_refrigerated_per_h``: k in the loss fraction ``1 - exp(-k t)``
    of ``t`` hours in transit or dwelling at a site, without / with refrigeration.
    ``perishable``: a perishable product is refrigerated throughout unless ``ambient_allowed`` is True.
    ``ambient_allowed``: whether the product may use ambient arcs and non-refrigerated tiers (None = not
    ``perishable``).
    ``zone``: the temperature zone it is stored in (``chilled``, ``frozen``, ``ambient``); None = any store
    (sites with one undivided :data:`ANY_ZONE` store).
    ``max_time_h``: door-to-door limit (production area to demand point, dwell included), None = none. It is
    meant for products that need an unbroken chain; storable products restart their clock in store and
    have per-leg standards only.
    ``first_mile_max_h`` / ``first_mile_max_km``: harvest (or slaughter) to pre-cooling, the first-mile
    standard; ``line_haul_max_h`` / ``distribution_max_h``: the longest single arc of those leg classes.
    None = no standard. ``unmet_penalty_cny_per_t``: overrides the problem's unmet-demand penalty.
    """

    name: str
    perishable: bool
    value_cny_per_t: float
    loss_rate_ambient_per_h: float = 0.0
    loss_rate_refrigerated_per_h: float = 0.0
    ambient_allowed: bool | None = None
    max_time_h: float | None = None
    unmet_penalty_cny_per_t: float | None = None
    zone: str | None = None
    first_mile_max_h: float | None = None
    first_mile_max_km: float | None = None
    line_haul_max_h: float | None = None
    distribution_max_h: float | None = None

    def __post_init__(self) -> None:
        if not str(self.name).strip():
            raise ModelError("product name is empty")
        _finite_nonneg(self.value_cny_per_t, f"product {self.name}: value_cny_per_t")
        _finite_nonneg(self.loss_rate_ambient_per_h, f"product {self.name}: loss_rate_ambient_per_h")
        _finite_nonneg(self.loss_rate_refrigerated_per_h, f"product {self.name}: loss_rate_refrigerated_per_h")
        for attr in ("max_time_h", "first_mile_max_h", "first_mile_max_km", "line_haul_max_h", "distribution_max_h"):
            _opt_limit(getattr(self, attr), f"product {self.name}: {attr}")
        if self.unmet_penalty_cny_per_t is not None:
            _finite_nonneg(self.unmet_penalty_cny_per_t, f"product {self.name}: unmet_penalty_cny_per_t")
        if self.zone is not None and self.zone not in ZONES:
            raise ModelError(f"product {self.name}: zone must be one of {', '.join(ZONES)}, got {self.zone!r}")

    @property
    def may_go_ambient(self) -> bool:
        """True when ambient arcs and non-refrigerated tiers are allowed for this product."""
        return (not self.perishable) if self.ambient_allowed is None else bool(self.ambient_allowed)

    def leg_limit_h(self, leg_class: str) -> float:
        """The product's longest arc of ``leg_class`` in hours (inf without a standard)."""
        value = {"first_mile": self.first_mile_max_h, "line_haul": self.line_haul_max_h,
                 "distribution": self.distribution_max_h}.get(leg_class)
        return math.inf if value is None else float(value)


@dataclass(frozen=True)
class Zone:
    """One temperature zone of a site: its capacity levels and handling cost.

    ``levels``: ``[(capacity_t, fixed_cost_cny), ...]`` strictly increasing in capacity (tonnes per season
    of inflow); at most one level is built. ``capex_cny`` / ``storage_t`` / ``volume_m3``: per level, for
    reporting only (capital investment, tonnes held at once, gross store volume; empty = unknown).
    """

    name: str
    levels: tuple[tuple[float, float], ...]
    handling_cny_per_t: float = 0.0
    capex_cny: tuple[float, ...] = ()
    storage_t: tuple[float, ...] = ()
    volume_m3: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.name not in (*ZONES, ANY_ZONE):
            raise ModelError(f"zone must be one of {', '.join((*ZONES, ANY_ZONE))}, got {self.name!r}")
        lv = tuple((float(c), float(f)) for c, f in self.levels)
        object.__setattr__(self, "levels", lv)
        label = f"zone {self.name}"
        if not lv:
            raise ModelError(f"{label}: no capacity levels")
        for c, f in lv:
            _finite_nonneg(c, f"{label}: capacity level capacity_t")
            _finite_nonneg(f, f"{label}: capacity level fixed_cost_cny")
        caps = [c for c, _ in lv]
        if any(b <= a for a, b in zip(caps, caps[1:], strict=False)):
            raise ModelError(f"{label}: capacity levels must be strictly increasing, got {caps}")
        if caps[0] <= 0:
            raise ModelError(f"{label}: capacity levels must be positive, got {caps}")
        _finite_nonneg(self.handling_cny_per_t, f"{label}: handling_cny_per_t")
        for attr in ("capex_cny", "storage_t", "volume_m3"):
            values = tuple(float(v) for v in getattr(self, attr))
            if values and len(values) != len(lv):
                raise ModelError(f"{label}: {attr} needs one value per level ({len(lv)}), got {len(values)}")
            object.__setattr__(self, attr, values)


@dataclass(frozen=True)
class Site:
    """A candidate site of a tier.

    ``zones``: its temperature zones (:class:`Zone`). The older form ``levels`` (``[(capacity_t,
    fixed_cost_cny), ...]``) with ``handling_cny_per_t`` gives one undivided zone (:data:`ANY_ZONE`).
    ``fixed_cny``: cost of having the site at all (land, gate, office), paid once whatever zones open.
    ``required_zones``: zones an open site must have (a cold-chain base has cold storage, whatever it carries).
    ``dwell_h``: hours goods stay at the site in transit (counts towards door-to-door time and spoilage).
    ``must_open`` / ``forbidden``: fixings.
    """

    name: str
    levels: tuple[tuple[float, float], ...] = ()
    handling_cny_per_t: float = 0.0
    must_open: bool = False
    forbidden: bool = False
    dwell_h: float = 0.0
    zones: tuple[Zone, ...] = ()
    fixed_cny: float = 0.0
    required_zones: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not str(self.name).strip():
            raise ModelError("site name is empty")
        try:
            zones = tuple(self.zones)
            if self.levels:
                if zones:
                    raise ModelError("give either levels or zones, not both")
                zones = (Zone(ANY_ZONE, tuple(self.levels), self.handling_cny_per_t),)
        except ModelError as exc:
            raise ModelError(f"site {self.name}: {exc}") from None
        if not zones:
            raise ModelError(f"site {self.name}: no capacity levels")
        names = [z.name for z in zones]
        if len(set(names)) != len(names):
            raise ModelError(f"site {self.name}: zones listed twice: {names}")
        if ANY_ZONE in names and len(names) > 1:
            raise ModelError(f"site {self.name}: zone {ANY_ZONE!r} cannot be combined with other zones")
        object.__setattr__(self, "zones", zones)
        object.__setattr__(self, "levels", zones[0].levels if len(zones) == 1 else ())
        object.__setattr__(self, "required_zones", tuple(self.required_zones))
        missing = [z for z in self.required_zones if z not in names]
        if missing:
            raise ModelError(f"site {self.name}: required zone(s) {missing} are not among its zones {names}")
        _finite_nonneg(self.handling_cny_per_t, f"site {self.name}: handling_cny_per_t")
        _finite_nonneg(self.dwell_h, f"site {self.name}: dwell_h")
        _finite_nonneg(self.fixed_cny, f"site {self.name}: fixed_cny")

    def zone(self, name: str) -> Zone | None:
        """The zone called ``name`` (None if the site has none)."""
        return next((z for z in self.zones if z.name == name), None)


@dataclass(frozen=True)
class SiteTier:
    """One tier of candidate sites (``name`` must not be ``production`` or ``demand``).

    ``min_open`` / ``max_open``: bounds on the number of open sites (None = no upper bound).
    ``refrigerated``: whether the tier's sites are cold stores (dwell spoilage at the refrigerated rate;
    products that must stay cold cannot pass a non-refrigerated tier). Sites with temperature zones make
    this explicit per zone: an ``ambient`` zone is not refrigerated, ``chilled`` and ``frozen`` are.
    ``storage``: whether its sites store (storable products restart their clock there; reporting only).
    """

    name: str
    sites: tuple[Site, ...]
    min_open: int = 0
    max_open: int | None = None
    refrigerated: bool = True
    storage: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "sites", tuple(self.sites))
        if self.name in (PRODUCTION, DEMAND) or not str(self.name).strip():
            raise ModelError(f"tier name {self.name!r} is reserved or empty")
        names = [s.name for s in self.sites]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ModelError(f"tier {self.name}: duplicate site names {dup}")
        if int(self.min_open) < 0:
            raise ModelError(f"tier {self.name}: min_open is negative ({self.min_open})")
        if self.min_open > len(self.sites):
            raise ModelError(f"tier {self.name}: min_open {self.min_open} > number of candidates {len(self.sites)}")
        if self.max_open is not None:
            if int(self.max_open) < 0:
                raise ModelError(f"tier {self.name}: max_open is negative ({self.max_open})")
            if self.max_open < self.min_open:
                raise ModelError(f"tier {self.name}: max_open {self.max_open} < min_open {self.min_open}")


@dataclass(frozen=True)
class DemandPoint:
    """A demand point of kind ``city``, ``market`` (a named consumption market beyond the study area),
    ``port`` (export) or ``gateway`` (an outbound hand-over point).

    ``max_time_h``: door-to-door limit for every product delivered here (the tighter of this and the
    product's limit applies).
    """

    name: str
    kind: str = "city"
    max_time_h: float | None = None

    def __post_init__(self) -> None:
        if not str(self.name).strip():
            raise ModelError("demand point name is empty")
        if self.kind not in DEMAND_KINDS:
            raise ModelError(f"demand point {self.name}: kind must be one of {', '.join(DEMAND_KINDS)}, "
                             f"got {self.kind!r}")
        _opt_limit(self.max_time_h, f"demand point {self.name}: max_time_h")


@dataclass(frozen=True, eq=False)
class ArcMatrix:
    """Arcs of one mode (and route alternative) from every location of ``from_tier`` to every location of
    ``to_tier``.

    Matrices are ``(n_from, n_to)`` in the order of the tiers' locations. ``time_h`` is the transit time;
    ``cost_*_cny_per_t`` the transport cost per tonne of the ambient and refrigerated variant. ``inf`` in
    ``time_h`` removes the arc; ``inf`` in one cost matrix removes that variant (e.g. a mode without reefer
    service). NaN or negative entries are errors. ``leg_class``: one of :data:`LEG_CLASSES` for the whole
    matrix, or one per destination column. ``alternative``: the route alternative this matrix holds (0 =
    the first; several matrices of the same tiers and mode differ in it).
    """

    from_tier: str
    to_tier: str
    mode: str
    distance_km: np.ndarray
    time_h: np.ndarray
    cost_ambient_cny_per_t: np.ndarray
    cost_refrigerated_cny_per_t: np.ndarray
    leg_class: Any = "any"
    alternative: int = 0

    def __post_init__(self) -> None:
        label = f"arcs {self.from_tier}->{self.to_tier} ({self.mode})"
        shape = None
        for attr in ("distance_km", "time_h", "cost_ambient_cny_per_t", "cost_refrigerated_cny_per_t"):
            arr = np.array(getattr(self, attr), dtype=np.float64)
            if arr.ndim != 2:
                raise ModelError(f"{label}: {attr} must be a 2-D matrix, got shape {arr.shape}")
            if shape is None:
                shape = arr.shape
            elif arr.shape != shape:
                raise ModelError(f"{label}: {attr} has shape {arr.shape}, expected {shape}")
            if np.isnan(arr).any():
                i, j = np.argwhere(np.isnan(arr))[0]
                raise ModelError(f"{label}: {attr} is NaN at ({i}, {j})")
            if (arr < 0).any():
                i, j = np.argwhere(arr < 0)[0]
                raise ModelError(f"{label}: {attr} is negative at ({i}, {j})")
            arr.setflags(write=False)
            object.__setattr__(self, attr, arr)
        usable = np.isfinite(self.time_h) & (
            np.isfinite(self.cost_ambient_cny_per_t) | np.isfinite(self.cost_refrigerated_cny_per_t)
        )
        if (usable & ~np.isfinite(self.distance_km)).any():
            raise ModelError(f"{label}: distance_km is infinite on a usable arc")
        classes = np.array([self.leg_class] * self.time_h.shape[1] if isinstance(self.leg_class, str)
                           else list(self.leg_class), dtype=object)
        if classes.shape != (self.time_h.shape[1],):
            raise ModelError(f"{label}: leg_class needs one value or one per destination ({self.time_h.shape[1]}), "
                             f"got {classes.shape[0]}")
        bad = [c for c in classes if c not in LEG_CLASSES]
        if bad:
            raise ModelError(f"{label}: unknown leg class {bad[0]!r}; use one of {', '.join(LEG_CLASSES)}")
        object.__setattr__(self, "leg_class", classes)
        if int(self.alternative) < 0:
            raise ModelError(f"{label}: alternative must be >= 0, got {self.alternative}")

    @property
    def shape(self) -> tuple[int, int]:
        """(number of origins, number of destinations)."""
        return tuple(self.time_h.shape)  # type: ignore[return-value]


def _table_to_matrix(
    table: Any, rows: Sequence[str], cols: Sequence[str], row_label: str, value_label: str
) -> np.ndarray:
    """Turn a (row name, product) -> tonnes table into a matrix, rejecting unknown names and bad values.

    ``table`` is a mapping ``{(row, product): tonnes}``, a long DataFrame with three columns
    (row name, product, tonnes) or an ``(len(rows), len(cols))`` array.
    """
    out = np.zeros((len(rows), len(cols)))
    if isinstance(table, np.ndarray) or (isinstance(table, list) and table and isinstance(table[0], list)):
        arr = np.asarray(table, dtype=np.float64)
        if arr.shape != out.shape:
            raise ModelError(f"{value_label}: matrix has shape {arr.shape}, expected {out.shape}")
        items: Iterable[tuple[str, str, Any]] = (
            (rows[i], cols[j], arr[i, j]) for i in range(arr.shape[0]) for j in range(arr.shape[1])
        )
    elif isinstance(table, pd.DataFrame):
        if table.shape[1] != 3:
            raise ModelError(f"{value_label}: table needs 3 columns ({row_label}, product, tonnes), "
                             f"got {list(table.columns)}")
        items = table.itertuples(index=False, name=None)
    elif isinstance(table, Mapping):
        items = ((k[0], k[1], v) for k, v in table.items())
    else:
        raise ModelError(f"{value_label}: expected a mapping, DataFrame or matrix, got {type(table).__name__}")
    rix = {n: i for i, n in enumerate(rows)}
    cix = {n: i for i, n in enumerate(cols)}
    for r, c, v in items:
        if r not in rix:
            raise ModelError(f"{value_label}: unknown {row_label} {r!r}")
        if c not in cix:
            raise ModelError(f"{value_label}: unknown product {c!r} (for {row_label} {r})")
        out[rix[r], cix[c]] += _finite_nonneg(v, f"{value_label} of {r}/{c}")
    return out


@dataclass(eq=False)
class ColdChainProblem:
    """A complete model instance.

    ``tiers``: site tiers ordered upstream -> downstream. ``arcs``: arc matrices between locations of the
    tiers ``production``, the site tiers and ``demand``; every arc goes downstream (towards demand).
    ``tier_arcs``: the allowed tier-to-tier arcs, e.g. ``[("production", "precool"), ("precool",
    "backbone"), ("backbone", "regional"), ("regional", "demand"), ("backbone", "demand")]``; None = the
    tier pairs that have arc matrices. Every listed pair needs at least one matrix and vice versa.
    ``supply_t`` / ``demand_t``: tonnes per season, as ``{(name, product): t}``, a long DataFrame or a matrix.
    ``budget_cny``: cap on total fixed cost. ``unmet_penalty_cny_per_t``: None = demand must be met.
    ``co2_kg_per_tkm``: emission intensity per mode; ``co2_reefer_factor`` multiplies it on refrigerated
    arcs; ``co2_price_cny_per_t``: price per tonne of CO2 (0 = emissions reported but not priced).
    ``must_open`` / ``forbidden``: extra site names to fix (in addition to the sites' own flags).
    """

    products: Sequence[Product]
    production_areas: Sequence[str]
    supply_t: Any
    demand_points: Sequence[DemandPoint]
    demand_t: Any
    tiers: Sequence[SiteTier]
    arcs: Sequence[ArcMatrix]
    tier_arcs: Sequence[tuple[str, str]] | None = None
    budget_cny: float | None = None
    unmet_penalty_cny_per_t: float | None = None
    co2_kg_per_tkm: Mapping[str, float] = field(default_factory=dict)
    co2_reefer_factor: float = 1.0
    co2_price_cny_per_t: float = 0.0
    must_open: Sequence[str] = ()
    forbidden: Sequence[str] = ()
    name: str = "coldchain"

    def __post_init__(self) -> None:
        self.products = tuple(self.products)
        self.production_areas = tuple(str(a) for a in self.production_areas)
        self.demand_points = tuple(self.demand_points)
        self.tiers = tuple(self.tiers)
        self.arcs = tuple(self.arcs)
        if not self.products:
            raise ModelError("no products given")
        for label, names in (
            ("product", [p.name for p in self.products]),
            ("production area", list(self.production_areas)),
            ("demand point", [d.name for d in self.demand_points]),
            ("tier", [t.name for t in self.tiers]),
        ):
            dup = sorted({n for n in names if names.count(n) > 1})
            if dup:
                raise ModelError(f"duplicate {label} names: {dup}")
        if not self.tiers:
            raise ModelError("no site tiers given")
        pnames = [p.name for p in self.products]
        self.supply_matrix_t = _table_to_matrix(self.supply_t, self.production_areas, pnames,
                                                "production area", "supply_t")
        self.demand_matrix_t = _table_to_matrix(self.demand_t, [d.name for d in self.demand_points], pnames,
                                                "demand point", "demand_t")
        if self.budget_cny is not None:
            _finite_nonneg(self.budget_cny, "budget_cny")
        if self.unmet_penalty_cny_per_t is not None:
            _finite_nonneg(self.unmet_penalty_cny_per_t, "unmet_penalty_cny_per_t")
        _finite_nonneg(self.co2_price_cny_per_t, "co2_price_cny_per_t")
        _finite_nonneg(self.co2_reefer_factor, "co2_reefer_factor")
        for mode, f in self.co2_kg_per_tkm.items():
            _finite_nonneg(f, f"co2_kg_per_tkm[{mode}]")
        site_tier = {s.name: t.name for t in self.tiers for s in t.sites}
        for label, names in (("must_open", self.must_open), ("forbidden", self.forbidden)):
            for n in names:
                if n not in site_tier:
                    raise ModelError(f"{label}: unknown site {n!r}")
        self._check_arcs()

    def _check_arcs(self) -> None:
        order = self.tier_order
        sizes = self.tier_sizes
        pairs_with_arcs: set[tuple[str, str]] = set()
        for a in self.arcs:
            for t in (a.from_tier, a.to_tier):
                if t not in order:
                    raise ModelError(f"arcs {a.from_tier}->{a.to_tier} ({a.mode}): unknown tier {t!r}")
            if order.index(a.to_tier) <= order.index(a.from_tier):
                raise ModelError(f"arcs {a.from_tier}->{a.to_tier} ({a.mode}) go upstream; tiers are ordered {order}")
            expect = (sizes[a.from_tier], sizes[a.to_tier])
            if a.shape != expect:
                raise ModelError(f"arcs {a.from_tier}->{a.to_tier} ({a.mode}): matrices have shape {a.shape}, "
                                 f"expected {expect}")
            pairs_with_arcs.add((a.from_tier, a.to_tier))
        keys = [(a.from_tier, a.to_tier, a.mode, int(a.alternative)) for a in self.arcs]
        dup_keys = sorted({k for k in keys if keys.count(k) > 1})
        if dup_keys:
            f, t, mode, alt = dup_keys[0]
            raise ModelError(f"more than one arc matrix for {f}->{t} mode {mode} alternative {alt}")
        if self.tier_arcs is None:
            self.tier_arcs = tuple(sorted(pairs_with_arcs, key=lambda p: (order.index(p[0]), order.index(p[1]))))
            return
        self.tier_arcs = tuple((str(a), str(b)) for a, b in self.tier_arcs)
        for a, b in self.tier_arcs:
            for t in (a, b):
                if t not in order:
                    raise ModelError(f"tier_arcs: unknown tier {t!r} (tiers are {order})")
            if order.index(b) <= order.index(a):
                raise ModelError(f"tier_arcs: {a}->{b} goes upstream; tiers are ordered {order}")
            if (a, b) not in pairs_with_arcs:
                raise ModelError(f"tier_arcs: {a}->{b} is allowed but no arc matrix is given for it")
        extra = pairs_with_arcs - set(self.tier_arcs)
        if extra:
            a, b = sorted(extra)[0]
            raise ModelError(f"arc matrix given for {a}->{b}, which is not in tier_arcs")

    @property
    def tier_order(self) -> list[str]:
        """All tier names upstream -> downstream, ``production`` first and ``demand`` last."""
        return [PRODUCTION, *(t.name for t in self.tiers), DEMAND]

    @property
    def tier_sizes(self) -> dict[str, int]:
        """Number of locations per tier."""
        sizes = {PRODUCTION: len(self.production_areas), DEMAND: len(self.demand_points)}
        sizes.update({t.name: len(t.sites) for t in self.tiers})
        return sizes

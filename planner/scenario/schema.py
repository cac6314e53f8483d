"""The scenario file schema (YAML, validated with pydantic).

A scenario names the region, the model, the products, where supply and demand come from, the candidate
sites per tier, costs and capacity levels, allowed transport modes, policy constraints, disruptions and
solver options. Units are in the field names. See the README's scenario-file reference for an example.

Types are strict: a boolean is not a number, a number is not a string (``p: "5"`` and ``p: true`` are
errors, ``lines: 2409`` is the one number read as text). Names that reach output files and maps are
restricted: a scenario ``name`` is a slug of at most :data:`MAX_NAME_LENGTH` characters (it names a
folder); a tier ``name`` is letters (any script), digits, ``_``, ``-`` and spaces, starting with a letter
or digit, at most :data:`MAX_TIER_NAME_LENGTH` characters, and not ``production`` or ``demand`` (the ends
of the chain). So no name can start a spreadsheet formula (``= + - @``) or carry terminal markup; free
text (``title``, ``description``) may hold anything but control characters, and is escaped where shown.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Protocol

from pydantic import ConfigDict, Field, field_validator, model_validator

from planner import domain
from planner.filespec import FileModel

__all__ = [
    "MAX_NAME_LENGTH",
    "MAX_TIER_NAME_LENGTH",
    "MODELS",
    "CandidateSpec",
    "Citation",
    "DemandSpec",
    "DisruptionSpec",
    "GatewaySpec",
    "HubSpec",
    "LinkClosure",
    "MarketsSpec",
    "PolicySpec",
    "ProductSpec",
    "Scenario",
    "SolverSpec",
    "SupplySpec",
    "TierSpec",
    "ZoneSpec",
    "use_models",
]

#: the models a scenario can name, in the registry's order; set with their checks by :func:`use_models`
MODELS: tuple[str, ...] = ()
#: the study area provinces and the transport modes (the domain catalog, geodata/provinces.csv and modes.csv)
Region = Literal[tuple(domain.provinces())]  # type: ignore[valid-type]
Mode = Literal[domain.modes()]  # type: ignore[valid-type]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]

MAX_NAME_LENGTH = 64
MAX_TIER_NAME_LENGTH = 40
_TIER_NAME = re.compile(r"[^\W_][\w\- ]*")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 and C1 controls except tab and newline


def _as_tuples(value: Any) -> Any:
    """YAML and JSON have no tuples: accept a list of lists where the schema says list of pairs."""
    if isinstance(value, list):
        return [tuple(item) if isinstance(item, list) else item for item in value]
    return value


def _no_control(value: str, what: str) -> str:
    match = _CONTROL.search(value)
    if match:
        raise ValueError(f"{what} holds the control character {match.group()!r}; remove it")
    return value


class Citation(FileModel):
    """A clause of a source document the scenario is grounded in (``document``: X, G, A, B or a file name)."""

    document: str
    lines: str
    clause: str = ""

    @field_validator("lines", mode="before")
    @classmethod
    def _line_number(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("lines")
    @classmethod
    def _lines_range(cls, value: str) -> str:
        if not re.fullmatch(r"\d+(-\d+)?", str(value)):
            raise ValueError("lines must be N or N-M")
        return str(value)


class ProductSpec(FileModel):
    """A product: ``id`` from geodata/products.csv, with optional overrides of its data.

    ``zone``: the store it needs (``chilled``, ``frozen``, ``ambient``; products.csv temperature_zone).
    ``storable``: held in store for weeks (its clock restarts at a storing site); ``unbroken_chain``: needs a
    door-to-door limit (``max_time_h``, product_standards.csv door_to_door_max_h). Time standards (h, km):
    ``first_mile_max_h``, ``first_mile_max_km`` (harvest to pre-cooling), ``line_haul_max_h``,
    ``distribution_max_h`` (longest single arc of that leg class); product_standards.csv by default.
    """

    id: str
    value_cny_per_t: NonNegative | None = None
    perishable: bool | None = None
    ambient_allowed: bool | None = None
    max_time_h: Positive | None = None
    demand_scale: NonNegative = 1.0
    supply_scale: NonNegative = 1.0
    zone: Literal["chilled", "frozen", "ambient"] | None = None
    storable: bool | None = None
    unbroken_chain: bool | None = None
    first_mile_max_h: Positive | None = None
    first_mile_max_km: Positive | None = None
    line_haul_max_h: Positive | None = None
    distribution_max_h: Positive | None = None


class CandidateSpec(FileModel):
    """A set of places: documented nodes by role or name, county or prefecture seats of regions."""

    roles: list[str] = Field(default_factory=list)
    names: list[str] = Field(default_factory=list)
    county_seats_of: list[Region] = Field(default_factory=list)
    prefecture_seats_of: list[Region] = Field(default_factory=list)
    production_areas: bool = False
    production_area_neighbours: bool = False
    exclude: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_empty(self) -> CandidateSpec:
        if not (self.roles or self.names or self.county_seats_of or self.prefecture_seats_of or self.production_areas
                or self.production_area_neighbours):
            raise ValueError("give at least one of roles, names, county_seats_of, prefecture_seats_of, production_areas, "
                             "production_area_neighbours")
        return self


def _increasing(capacities: list[float]) -> None:
    if any(b <= a for a, b in zip(capacities, capacities[1:], strict=False)):
        raise ValueError(f"capacity levels must be strictly increasing in capacity, got {capacities}")


class ZoneSpec(FileModel):
    """A temperature zone of a tier's sites: capacity levels in tonnes of throughput per season.

    ``levels_t``: capacities whose fixed costs follow from geodata/facility_costs.csv (the ``store`` type's
    investment and operating cost per tonne stored, the tier ``facility``'s turns per season, the capital
    recovery factor); or ``levels_t_cny``: ``[[t, CNY per season], ...]`` given outright.
    ``store``: facility_costs.csv store type (default: ``chilled_store``, ``frozen_store`` or
    ``ambient_store`` by zone; ``ca_store`` for controlled-atmosphere fruit stores). ``handling_cny_per_t``:
    per tonne received (default: the tier's).
    """

    levels_t: list[Positive] | None = None
    levels_t_cny: list[tuple[Positive, NonNegative]] | None = None
    store: Literal["chilled_store", "frozen_store", "ca_store", "ambient_store"] | None = None
    handling_cny_per_t: NonNegative | None = None

    @field_validator("levels_t_cny", mode="before")
    @classmethod
    def _level_pairs(cls, value: Any) -> Any:
        return _as_tuples(value)

    @model_validator(mode="after")
    def _one_form(self) -> ZoneSpec:
        if (self.levels_t is None) == (self.levels_t_cny is None):
            raise ValueError("give exactly one of levels_t (costs from facility_costs.csv) and levels_t_cny")
        _increasing(list(self.levels_t) if self.levels_t is not None else [c for c, _ in self.levels_t_cny or []])
        if not (self.levels_t or self.levels_t_cny):
            raise ValueError("a zone needs at least one capacity level")
        return self


class TierSpec(FileModel):
    """A tier of candidate sites (cold-chain model).

    Capacity either per temperature zone (``zones``: ``chilled``, ``frozen``, ``ambient``, each a
    :class:`ZoneSpec`; a product passes only sites with its zone) or as one undivided store
    (``capacity_levels_t_cny``, with ``refrigerated``). ``facility``: the facility_costs.csv facility type
    whose turns per season convert throughput into tonnes stored (origin_precooling_centre,
    backbone_cold_chain_base, regional_distribution_centre). ``site_fixed_cny``: a season's cost of having a
    site at all (land, gate, office), paid once whatever zones open. ``storage``: the sites store goods
    (storable products restart their clock there). ``rail_terminal``: rail line-haul (reefer containers,
    cold-chain trains) may leave from its sites; set false where a train's volume needs a base to gather it.
    ``required_zones``: zones every open site has (a cold-chain base keeps cold storage whatever it carries).
    """

    name: str
    candidates: CandidateSpec
    capacity_levels_t_cny: list[tuple[Positive, NonNegative]] | None = Field(None, min_length=1)
    zones: dict[Literal["chilled", "frozen", "ambient"], ZoneSpec] = Field(default_factory=dict)
    facility: str | None = None
    site_fixed_cny: NonNegative = 0.0
    storage: bool = False
    rail_terminal: bool = True
    required_zones: list[Literal["chilled", "frozen", "ambient"]] = Field(default_factory=list)
    handling_cny_per_t: NonNegative = 0.0
    dwell_h: NonNegative = 0.0
    min_open: int = Field(0, ge=0)
    max_open: int | None = Field(None, ge=0)
    refrigerated: bool = True

    @field_validator("name")
    @classmethod
    def _tier_name(cls, value: str) -> str:
        if value in ("production", "demand"):
            raise ValueError(f"{value!r} names an end of the chain (tier_arcs use it); call the tier something else")
        if len(value) > MAX_TIER_NAME_LENGTH or not _TIER_NAME.fullmatch(value):
            raise ValueError(f"tier names are letters, digits, _, - and spaces, starting with a letter or digit, "
                             f"at most {MAX_TIER_NAME_LENGTH} characters; got {value!r}")
        return value

    @field_validator("capacity_levels_t_cny", mode="before")
    @classmethod
    def _level_pairs(cls, value: Any) -> Any:
        return _as_tuples(value)

    @field_validator("capacity_levels_t_cny")
    @classmethod
    def _increasing(cls, levels: list[tuple[float, float]] | None) -> list[tuple[float, float]] | None:
        if levels is not None:
            _increasing([c for c, _ in levels])
        return levels

    @model_validator(mode="after")
    def _bounds(self) -> TierSpec:
        if self.max_open is not None and self.max_open < self.min_open:
            raise ValueError(f"max_open {self.max_open} < min_open {self.min_open}")
        if (self.capacity_levels_t_cny is None) == (not self.zones):
            raise ValueError("give exactly one of capacity_levels_t_cny (one undivided store) and zones")
        missing = [z for z in self.required_zones if z not in self.zones]
        if missing:
            raise ValueError(f"required_zones {missing} are not among the tier's zones {sorted(self.zones)}")
        return self


class SupplySpec(FileModel):
    """Where supply comes from: the shipped production table or a user CSV/Excel file."""

    table: str = "shipped"
    key: Literal["adcode", "name"] = "adcode"
    sheet: str | None = None
    scale: NonNegative = 1.0


class GatewaySpec(FileModel):
    """A consumption market, export port or outbound gateway receiving a share of each product's supply.

    ``market``: a named consumption market beyond the study area, reached over the network (line-haul);
    ``port``: an export port; ``gateway``: an outbound hand-over point with a flat onward cost.

    ``onward_cost_cny_per_t``: a cost per tonne beyond the gateway, added to every arc into it (e.g. the
    longer foreign leg to the same buyers when exports are re-routed from a closed port).
    """

    node: str
    kind: Literal["gateway", "port", "market"] = "gateway"
    share_of_supply: dict[str, Annotated[float, Field(ge=0, le=1)]]
    onward_cost_cny_per_t: NonNegative = 0.0


class MarketsSpec(FileModel):
    """Outbound demand at named consumption markets beyond the study area.

    ``outbound_share``: the share of each product's supply that leaves the study area (0-1); it is shared
    among the markets by geodata/markets.csv (metric ``share_of_outbound``, rows of the product or of its
    ``market_group``, for each province the supply comes from). ``exclude``: markets left out (names): their
    share of the outbound flow is not shipped there (give it to another place with ``gateways``).
    """

    outbound_share: dict[str, Annotated[float, Field(ge=0, le=1)]]
    exclude: list[str] = Field(default_factory=list)


class DemandSpec(FileModel):
    """Demand points and their demand.

    ``points`` selects the demand places; ``weights`` is ``population`` (2020 census at prefecture level,
    shared equally among the scenario's points in each prefecture), ``uniform`` (1 per point), or the path
    of a CSV/Excel table (relative to the scenario file; ``sheet`` for Excel) keyed by ``key`` with columns
    (key, product, tonnes) — demand per point in tonnes per season — or (key, weight) — persons for the
    per-capita demand, the customer weight for location models. ``per_capita`` multiplies the weights by
    geodata/consumption.csv (kg per person and year); ``scale`` multiplies all city demand.
    """

    points: CandidateSpec
    weights: str = "population"
    key: Literal["adcode", "name"] = "adcode"
    sheet: str | None = None
    per_capita: bool = True
    gateways: list[GatewaySpec] = Field(default_factory=list)
    markets: MarketsSpec | None = None
    scale: NonNegative = 1.0


class PolicySpec(FileModel):
    """Policy constraints.

    ``max_time_h``: door-to-door hours for the products that need an unbroken chain and have no limit of
    their own. ``co2_price_cny_per_t``: price of a tonne of CO2 (None = the price in
    geodata/cold_chain_parameters.csv; 0 = emissions reported but not priced).
    """

    must_open: list[str] = Field(default_factory=list)
    forbidden: list[str] = Field(default_factory=list)
    budget_cny: NonNegative | None = None
    max_time_h: Positive | None = None
    unmet_penalty_cny_per_t: NonNegative | None = None
    co2_price_cny_per_t: NonNegative | None = None


class LinkClosure(FileModel):
    """A closed stretch of a route between two of its places: ``{route: G30, from: 武威, to: 张掖}``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    route: str
    from_: str = Field(alias="from")
    to: str

    def as_mapping(self) -> dict[str, str]:
        """The closure as :func:`planner.network.disrupt` takes it."""
        return {"route": self.route, "from": self.from_, "to": self.to}


class DisruptionSpec(FileModel):
    """Closed places, route stretches, routes, corridors and border ports (names or ids)."""

    nodes: list[str] = Field(default_factory=list)
    links: list[LinkClosure] = Field(default_factory=list)
    routes: list[str] = Field(default_factory=list)
    corridors: list[str] = Field(default_factory=list)
    border_ports: list[str] = Field(default_factory=list)


class HubSpec(FileModel):
    """The flows of a hub-and-spoke model (``p_hub_median``) and the cost factors of its three legs.

    ``flows``: a CSV/Excel path (relative to the scenario file; ``sheet`` for Excel) with columns origin,
    destination, tonnes (place names or ids among the demand points and candidates; other columns, such as a
    source, are kept out of the model). ``collection``, ``transfer`` and ``distribution`` multiply the cost
    of the legs origin -> hub, hub -> hub and hub -> destination (``transfer`` below 1: the discount of
    bundled hub-to-hub transport, e.g. a full block train against single wagons).
    """

    flows: str
    sheet: str | None = None
    collection: NonNegative = 1.0
    transfer: NonNegative = 0.75
    distribution: NonNegative = 1.0


class SolverSpec(FileModel):
    """Solver options."""

    name: Literal["highs", "cbc"] = "highs"
    time_limit_s: Positive | None = 300.0
    mip_gap: Annotated[float, Field(ge=0, lt=1)] = 1e-4
    threads: int | None = Field(None, ge=1)


class Scenario(FileModel):
    """A siting scenario."""

    name: str
    title: str
    description: str = ""
    cites: list[Citation] = Field(default_factory=list)
    model: ModelName
    region: list[Region] = Field(min_length=1)
    modes: list[Mode] = Field(default_factory=lambda: ["road"], min_length=1)
    metric: Literal["time_h", "distance_km", "cost"] = "cost"
    refrigerated: bool = False
    products: list[ProductSpec] = Field(default_factory=list)
    supply: SupplySpec | None = None
    demand: DemandSpec
    tiers: list[TierSpec] = Field(default_factory=list)
    tier_arcs: list[tuple[str, str]] | None = None
    candidates: CandidateSpec | None = None
    p: int | None = Field(None, ge=1)
    service_time_h: Positive | None = None
    fixed_cost_cny: NonNegative = 0.0
    capacity_t: Positive | None = None
    hub: HubSpec | None = None
    policy: PolicySpec = Field(default_factory=PolicySpec)
    disruptions: DisruptionSpec = Field(default_factory=DisruptionSpec)
    solver: SolverSpec = Field(default_factory=SolverSpec)

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_\-]*", value) or len(value) > MAX_NAME_LENGTH:
            raise ValueError(f"name must be lowercase letters, digits, _ or -, at most {MAX_NAME_LENGTH} characters "
                             "(it names the output folder)")
        return value

    @field_validator("title", "description")
    @classmethod
    def _text(cls, value: str) -> str:
        return _no_control(value, "the text")

    @field_validator("tier_arcs", mode="before")
    @classmethod
    def _arc_pairs(cls, value: Any) -> Any:
        return _as_tuples(value)

    @model_validator(mode="after")
    def _model_fields(self) -> Scenario:
        _MODEL_RULES[self.model].check_fields(self)
        if self.service_time_h is not None and not math.isfinite(self.service_time_h):
            raise ValueError("service_time_h must be finite")
        return self


# --------------------------------------------------------------------------------------------- models
# The schema does not import the models: the registry (planner.scenario.models) imports the schema and
# hands it the models with use_models(), and loading the package planner.scenario loads the registry. So the
# scenario's `model:` field stays a Literal of the registered names (pydantic's error lists them), and
# Scenario is complete only once the registry is loaded.


class ModelRules(Protocol):
    """What the schema asks of a model: its checks of the scenario fields it needs."""

    def check_fields(self, scenario: Scenario) -> None:
        """Raise ``ValueError`` naming the first field the model needs that ``scenario`` lacks."""


_MODEL_RULES: dict[str, ModelRules] = {}


def use_models(models: Mapping[str, ModelRules]) -> None:
    """Let scenarios name ``models`` (name -> rules, in the order messages list them); the registry calls it."""
    global MODELS, ModelName
    MODELS = tuple(models)
    ModelName = Literal[MODELS]  # type: ignore[valid-type]
    _MODEL_RULES.clear()
    _MODEL_RULES.update(models)
    Scenario.model_rebuild(force=True)

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
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "MAX_NAME_LENGTH",
    "MAX_TIER_NAME_LENGTH",
    "MODELS",
    "CandidateSpec",
    "Citation",
    "DemandSpec",
    "DisruptionSpec",
    "GatewaySpec",
    "LinkClosure",
    "PolicySpec",
    "ProductSpec",
    "Scenario",
    "SolverSpec",
    "SupplySpec",
    "TierSpec",
]

MODELS = ("cold_chain", "p_median", "p_center", "max_covering", "set_covering", "facility_location")
Region = Literal["xinjiang", "gansu"]
Mode = Literal["road", "rail", "air"]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]

MAX_NAME_LENGTH = 64
MAX_TIER_NAME_LENGTH = 40
_TIER_NAME = re.compile(r"[^\W_][\w\- ]*")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 and C1 controls except tab and newline


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, strict=True)


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


class Citation(_Strict):
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


class ProductSpec(_Strict):
    """A product: ``id`` from geodata/products.csv, with optional overrides."""

    id: str
    value_cny_per_t: NonNegative | None = None
    perishable: bool | None = None
    ambient_allowed: bool | None = None
    max_time_h: Positive | None = None
    demand_scale: NonNegative = 1.0
    supply_scale: NonNegative = 1.0


class CandidateSpec(_Strict):
    """A set of places: documented nodes by role or name, county or prefecture seats of regions."""

    roles: list[str] = Field(default_factory=list)
    names: list[str] = Field(default_factory=list)
    county_seats_of: list[Region] = Field(default_factory=list)
    prefecture_seats_of: list[Region] = Field(default_factory=list)
    production_areas: bool = False
    exclude: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_empty(self) -> CandidateSpec:
        if not (self.roles or self.names or self.county_seats_of or self.prefecture_seats_of or self.production_areas):
            raise ValueError("give at least one of roles, names, county_seats_of, prefecture_seats_of, production_areas")
        return self


class TierSpec(_Strict):
    """A tier of candidate sites (cold-chain model)."""

    name: str
    candidates: CandidateSpec
    capacity_levels_t_cny: list[tuple[Positive, NonNegative]] = Field(min_length=1)
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
    def _increasing(cls, levels: list[tuple[float, float]]) -> list[tuple[float, float]]:
        capacities = [c for c, _ in levels]
        if any(b <= a for a, b in zip(capacities, capacities[1:], strict=False)):
            raise ValueError(f"capacity levels must be strictly increasing in capacity, got {capacities}")
        return levels

    @model_validator(mode="after")
    def _bounds(self) -> TierSpec:
        if self.max_open is not None and self.max_open < self.min_open:
            raise ValueError(f"max_open {self.max_open} < min_open {self.min_open}")
        return self


class SupplySpec(_Strict):
    """Where supply comes from: the shipped production table or a user CSV/Excel file."""

    table: str = "shipped"
    key: Literal["adcode", "name"] = "adcode"
    sheet: str | None = None
    scale: NonNegative = 1.0


class GatewaySpec(_Strict):
    """An outbound gateway or export port receiving a share of each product's supply.

    ``onward_cost_cny_per_t``: a cost per tonne beyond the gateway, added to every arc into it (e.g. the
    longer foreign leg to the same buyers when exports are re-routed from a closed port).
    """

    node: str
    kind: Literal["gateway", "port"] = "gateway"
    share_of_supply: dict[str, Annotated[float, Field(ge=0, le=1)]]
    onward_cost_cny_per_t: NonNegative = 0.0


class DemandSpec(_Strict):
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
    scale: NonNegative = 1.0


class PolicySpec(_Strict):
    """Policy constraints."""

    must_open: list[str] = Field(default_factory=list)
    forbidden: list[str] = Field(default_factory=list)
    budget_cny: NonNegative | None = None
    max_time_h: Positive | None = None
    unmet_penalty_cny_per_t: NonNegative | None = None
    co2_price_cny_per_t: NonNegative = 0.0


class LinkClosure(_Strict):
    """A closed stretch of a route between two of its places: ``{route: G30, from: 武威, to: 张掖}``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    route: str
    from_: str = Field(alias="from")
    to: str

    def as_mapping(self) -> dict[str, str]:
        """The closure as :func:`planner.network.disrupt` takes it."""
        return {"route": self.route, "from": self.from_, "to": self.to}


class DisruptionSpec(_Strict):
    """Closed places, route stretches, routes, corridors and border ports (names or ids)."""

    nodes: list[str] = Field(default_factory=list)
    links: list[LinkClosure] = Field(default_factory=list)
    routes: list[str] = Field(default_factory=list)
    corridors: list[str] = Field(default_factory=list)
    border_ports: list[str] = Field(default_factory=list)


class SolverSpec(_Strict):
    """Solver options."""

    name: Literal["highs", "cbc"] = "highs"
    time_limit_s: Positive | None = 300.0
    mip_gap: Annotated[float, Field(ge=0, lt=1)] = 1e-4
    threads: int | None = Field(None, ge=1)


class Scenario(_Strict):
    """A siting scenario."""

    name: str
    title: str
    description: str = ""
    cites: list[Citation] = Field(default_factory=list)
    model: Literal["cold_chain", "p_median", "p_center", "max_covering", "set_covering", "facility_location"]
    region: list[Region] = Field(min_length=1)
    modes: list[Mode] = Field(default_factory=lambda: ["road"])
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
        if self.model == "cold_chain":
            if not self.products:
                raise ValueError("a cold_chain scenario needs products")
            if not self.tiers:
                raise ValueError("a cold_chain scenario needs tiers")
            if self.supply is None:
                raise ValueError("a cold_chain scenario needs supply")
            names = [t.name for t in self.tiers]
            if len(set(names)) != len(names):
                raise ValueError(f"tier names must be unique, got {names}")
        else:
            if self.candidates is None:
                raise ValueError(f"a {self.model} scenario needs candidates")
            if self.model in ("p_median", "p_center", "max_covering") and self.p is None:
                raise ValueError(f"a {self.model} scenario needs p (the number of sites to open)")
            if self.model in ("max_covering", "set_covering") and self.service_time_h is None:
                raise ValueError(f"a {self.model} scenario needs service_time_h")
        if self.service_time_h is not None and not math.isfinite(self.service_time_h):
            raise ValueError("service_time_h must be finite")
        return self

"""Bilingual names, units and number formats for what a run reports.

One catalogue for the terminal (``planner run``, ``planner compare``), the workbook (``results.xlsx``),
the HTML report and the maps, so a KPI reads the same everywhere: ``total_cost_cny`` is 总成本 / total
cost in M CNY, ``service_level`` a percentage. A key the catalogue does not know (a KPI added by a model
later) is still shown: under its own name, with the unit its suffix gives (``_cny`` CNY, ``_t`` tonnes,
``_h`` hours, ``_km`` km, ``share`` a percentage...). Only the standard library is imported here, so
the command line can use it without loading pandas.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any, Literal

__all__ = [
    "CODES",
    "COST_COMPONENTS",
    "Lang",
    "column_label",
    "column_unit",
    "cost_label",
    "flatten",
    "format_number",
    "format_value",
    "kpi_label",
    "kpi_names",
    "mode_label",
    "model_label",
    "status_label",
    "tier_label",
    "tier_names",
    "unit_of",
    "unit_text",
]

Lang = Literal["zh", "en"]

#: Units: ``money`` CNY (shown in M CNY), ``money_per_t`` CNY per tonne, ``share`` 0-1 (shown in %),
#: ``t`` tonnes, ``h`` hours, ``km`` kilometres, ``tkm`` tonne-kilometres, ``kg`` kilograms,
#: ``count`` a whole number, ``text`` as is, ``number`` a plain number.
_UNIT_TEXT = {
    "money": ("百万元", "M CNY"),
    "money_per_t": ("元/吨", "CNY/t"),
    "share": ("%", "%"),
    "t": ("吨", "t"),
    "co2_t": ("吨CO₂", "t CO2"),
    "h": ("小时", "h"),
    "km": ("公里", "km"),
    "tkm": ("吨公里", "t·km"),
    "kg": ("千克", "kg"),
    "count": ("", ""),
    "text": ("", ""),
    "number": ("", ""),
    "cny": ("元", "CNY"),
    "deg": ("度", "°"),
}

_KPIS: dict[str, tuple[str, str, str]] = {
    "status": ("求解状态", "solver status", "text"),
    "objective": ("目标函数值", "objective", "number"),
    "gap": ("最优间隙", "optimality gap", "share"),
    "total_cost_cny": ("总成本", "total cost", "money"),
    "demand_t": ("需求量", "demand", "t"),
    "delivered_t": ("送达量", "delivered", "t"),
    "unmet_t": ("未满足需求", "unmet demand", "t"),
    "service_level": ("服务水平（送达/需求）", "service level (delivered/demand)", "share"),
    "cost_per_t_delivered_cny": ("单位送达成本", "cost per tonne delivered", "money_per_t"),
    "spoilage_share": ("损耗成本占比", "spoilage share of cost", "share"),
    "spoilage_t": ("损耗量", "spoilage", "t"),
    "spoilage_cny": ("损耗成本", "spoilage cost", "money"),
    "tonne_km": ("周转量", "tonne-km", "tkm"),
    "tonne_km_by_mode": ("分方式周转量", "tonne-km by mode", "tkm"),
    "refrigerated_tkm_share": ("冷藏运输周转量占比", "refrigerated share of tonne-km", "share"),
    "co2_t": ("二氧化碳排放", "CO2 emissions", "co2_t"),
    "co2_cny": ("碳排放成本", "CO2 cost", "money"),
    "co2_cost_cny": ("碳排放成本", "CO2 cost", "money"),
    "max_path_time_h": ("最长全程时间", "longest door-to-door time", "h"),
    "mean_utilisation": ("平均利用率", "mean utilisation", "share"),
    "open_sites": ("选址数量", "sites opened", "count"),
    "max_time_h": ("最长服务时间", "longest service time", "h"),
    "mean_time_h_weighted": ("加权平均服务时间", "weighted mean service time", "h"),
    "unserved_points": ("未服务需求点", "demand points not served", "count"),
    "total_weight": ("需求权重合计", "total demand weight", "number"),
    "covered_points": ("覆盖需求点", "demand points covered", "count"),
    "covered_weight_share": ("覆盖权重占比", "share of weight covered", "share"),
    "total_flow_t": ("流量合计", "total flow", "t"),
    "flow_via_one_hub_share": ("经单一枢纽的流量占比", "share of flow through one hub only", "share"),
}

_COLUMNS: dict[str, tuple[str, str, str]] = {
    "tier": ("层级", "tier", "text"),
    "place_id": ("地点编号", "place id", "text"),
    "name_zh": ("名称", "name (Chinese)", "text"),
    "name_en": ("英文名称", "name", "text"),
    "lon": ("经度", "longitude", "deg"),
    "lat": ("纬度", "latitude", "deg"),
    "open": ("是否选中", "opened", "text"),
    "level": ("规模档次", "capacity level", "count"),
    "capacity_t": ("能力", "capacity", "t"),
    "fixed_cost_cny": ("固定成本", "fixed cost", "cny"),
    "throughput_t": ("吞吐量", "throughput", "t"),
    "utilisation": ("利用率", "utilisation", "share"),
    "handling_cny": ("作业成本", "handling cost", "cny"),
    "must_open": ("必选", "must open", "text"),
    "forbidden": ("禁选", "forbidden", "text"),
    "product": ("产品", "product", "text"),
    "from_tier": ("起点层级", "from tier", "text"),
    "from_id": ("起点编号", "from id", "text"),
    "from_name_zh": ("起点", "from", "text"),
    "from_lon": ("起点经度", "from longitude", "deg"),
    "from_lat": ("起点纬度", "from latitude", "deg"),
    "to_tier": ("终点层级", "to tier", "text"),
    "to_id": ("终点编号", "to id", "text"),
    "to_name_zh": ("终点", "to", "text"),
    "to_lon": ("终点经度", "to longitude", "deg"),
    "to_lat": ("终点纬度", "to latitude", "deg"),
    "tier_pair": ("层级对", "tier pair", "text"),
    "mode": ("运输方式", "mode", "text"),
    "refrigerated": ("冷藏", "refrigerated", "text"),
    "route_id": ("路径编号", "route id", "text"),
    "via": ("途经线路", "via", "text"),
    "tonnes": ("运量", "tonnes", "t"),
    "distance_km": ("距离", "distance", "km"),
    "time_h": ("时间", "time", "h"),
    "dwell_h": ("停留时间", "dwell time", "h"),
    "transport_cny": ("运输成本", "transport cost", "cny"),
    "spoilage_cny": ("损耗成本", "spoilage cost", "cny"),
    "co2_kg": ("二氧化碳", "CO2", "kg"),
    "co2_cny": ("碳排放成本", "CO2 cost", "cny"),
    "cost_cny": ("成本", "cost", "cny"),
    "kind": ("类型", "kind", "text"),
    "demand_t": ("需求量", "demand", "t"),
    "delivered_t": ("送达量", "delivered", "t"),
    "unmet_t": ("未满足", "unmet", "t"),
    "min_path_time_h": ("最短全程时间", "shortest path time", "h"),
    "max_path_time_h": ("最长全程时间", "longest path time", "h"),
    "time_limit_h": ("时限", "time limit", "h"),
    "within_limit": ("满足时限", "within limit", "text"),
    "site_id": ("服务设施编号", "serving site id", "text"),
    "site_name_zh": ("服务设施", "serving site", "text"),
    "site_tier": ("服务设施层级", "serving site tier", "text"),
    "weight": ("需求权重", "demand weight", "number"),
    "assigned_weight": ("服务权重", "weight served", "number"),
    "customers": ("服务需求点数", "demand points served", "count"),
    "component": ("成本项", "cost component", "text"),
    "share": ("占比", "share", "share"),
}

#: Tier names used by the shipped scenarios, with the words of the source documents.
_TIERS: dict[str, tuple[str, str]] = {
    "production": ("产地", "production"),
    "demand": ("需求地", "demand"),
    "precool": ("产地预冷", "origin pre-cooling"),
    "backbone": ("骨干冷链物流基地", "backbone cold-chain base"),
    "regional": ("区域分拨中心", "regional distribution centre"),
    "dc": ("配送中心", "distribution centre"),
    "site": ("设施", "site"),
    "hub": ("枢纽", "hub"),
    "gateway": ("外运通道", "gateway"),
    "port": ("口岸", "port"),
}

_STATUS: dict[str, tuple[str, str]] = {
    "optimal": ("最优", "optimal: proven optimum within the solver's tolerance"),
    "gap_limit": ("达到间隙要求", "gap_limit: proven within solver.mip_gap of the optimum"),
    "time_limit": ("达到时间上限", "time_limit: stopped by solver.time_limit_s; feasible, maybe not optimal"),
    "infeasible": ("不可行", "infeasible: no plan meets every constraint"),
    "not_solved": ("未求解", "not solved"),
}

#: Cost components of the cold-chain and facility-location models (CNY per season / per run).
COST_COMPONENTS: dict[str, tuple[str, str]] = {
    "fixed": ("固定成本", "fixed"),
    "handling": ("作业成本", "handling"),
    "transport": ("运输成本", "transport"),
    "spoilage": ("损耗成本", "spoilage"),
    "co2": ("碳排放成本", "CO2"),
    "unmet_penalty": ("未满足需求罚金", "unmet demand penalty"),
    "assignment": ("分配成本", "assignment"),
    "collection": ("集货成本（至枢纽）", "collection (to the hub)"),
    "transfer": ("枢纽间干线成本", "transfer between hubs"),
    "distribution": ("分拨成本（自枢纽）", "distribution (from the hub)"),
    "max_weighted_distance": ("最大（加权）服务时间或距离", "largest (weighted) service time or distance"),
    "covered_demand": ("覆盖的需求", "demand covered"),
    "uncovered_demand": ("未覆盖的需求", "demand not covered"),
    "site_cost": ("设施成本", "site cost"),
    "sites": ("设施数", "sites"),
    "total": ("合计", "total"),
}

_MODELS: dict[str, tuple[str, str]] = {
    "cold_chain": ("多级冷链网络设计", "multi-tier cold-chain network design"),
    "p_median": ("p-中位选址", "p-median"),
    "p_center": ("p-中心选址", "p-center"),
    "max_covering": ("最大覆盖选址", "maximal covering"),
    "set_covering": ("集合覆盖选址", "set covering"),
    "facility_location": ("设施选址（固定成本）", "facility location"),
    "p_hub_median": ("p-枢纽中位选址（轴辐式）", "p-hub median"),
}

_MODES: dict[str, tuple[str, str]] = {
    "road": ("公路", "road"),
    "rail": ("铁路", "rail"),
    "air": ("航空", "air"),
}

#: What the coded columns of the run tables mean (README, workbook sheet 说明 / codes).
CODES: list[tuple[str, str, str, str]] = [
    ("level", "-1 / 0 / 1 / 2 ...",
     "规模档次：-1 = 未建设；0 = 场景 capacity_levels_t_cny 中最小的一档，1 = 第二档，依此类推",
     "capacity level: -1 = not built; 0 = the first (smallest) entry of the tier's capacity_levels_t_cny, "
     "1 = the second, and so on"),
    ("tier", "production / <tier name> / demand",
     "层级：场景 tiers 中的名称；production = 产地，demand = 需求地（城市与外运通道）",
     "tier: a name from the scenario's tiers; production = supply areas, demand = demand points (cities and "
     "gateways); location models use one tier, site"),
    ("status", "optimal / gap_limit / time_limit",
     "求解状态：optimal = 已证明最优；gap_limit = 已证明与最优之差在 solver.mip_gap 之内；time_limit = 达到时间上限停止，方案可行但未证明最优",
     "solver status: optimal = proven optimal; gap_limit = proven within solver.mip_gap of the optimum; "
     "time_limit = stopped by solver.time_limit_s, the plan is feasible but not proven optimal"),
    ("open", "True / False", "是否选中（候选点表）", "whether the candidate was opened (candidates table)"),
    ("must_open / forbidden", "True / False", "场景 policy 中的必选 / 禁选地点",
     "named in the scenario's policy.must_open / policy.forbidden"),
    ("refrigerated", "True / False", "是否冷藏运输", "carried refrigerated (reefer rates and emissions)"),
    ("within_limit", "True / False", "全程时间是否在产品时限之内", "every used path keeps the product's time limit"),
    ("mode", "road / rail / air", "运输方式：公路 / 铁路 / 航空（铁路、航空含两端公路接驳）",
     "transport mode; rail and air include their road legs"),
    ("kind", "city / gateway / port", "需求点类型：城市、外运通道或口岸", "kind of demand point: city, gateway or port"),
    ("site_id", "'' (empty)", "空 = 未被任何设施服务", "empty = the demand point is not served"),
]


def _unit_from_name(key: str) -> str:
    """The unit of a key the catalogue does not list, from the conventions of the project's names."""
    lowered = key.lower()
    if "cny" in lowered and "per_t" in lowered:
        return "money_per_t"
    if lowered.endswith("_cny") or lowered.startswith("cost_"):
        return "money"
    if any(word in lowered for word in ("share", "utilisation", "service_level", "gap")):
        return "share"
    if lowered.startswith("co2") and lowered.endswith("_t"):
        return "co2_t"
    if "tonne_km" in lowered or lowered.endswith("_tkm"):
        return "tkm"
    if lowered.endswith(("_t", "_tonnes")) or lowered == "tonnes":
        return "t"
    if lowered.endswith("_h") or "_h_" in lowered:
        return "h"
    if lowered.endswith("_km"):
        return "km"
    if lowered.endswith("_kg"):
        return "kg"
    if lowered.startswith(("open_sites", "n_")) or lowered.endswith(("_count", "_points", "_sites")):
        return "count"
    return "number"


def unit_of(key: str) -> str:
    """The unit kind of a KPI or column (see ``_UNIT_TEXT``): from the catalogue, else from its suffix."""
    base = key.split(".", 1)[0]
    if base in _KPIS:
        return _KPIS[base][2]
    if base in _COLUMNS:
        return _COLUMNS[base][2]
    if base.startswith("cost_") and base[5:] in COST_COMPONENTS:
        return "money"
    return _unit_from_name(base)


def unit_text(unit: str, lang: Lang = "en") -> str:
    """The unit's symbol in ``lang`` (``M CNY`` / ``百万元``; empty for counts and text)."""
    zh, en = _UNIT_TEXT.get(unit, ("", ""))
    return zh if lang == "zh" else en


def _pair_label(key: str, table: Mapping[str, tuple[str, ...]], lang: Lang) -> str:
    entry = table.get(key)
    if entry is None:
        return key
    return entry[0] if lang == "zh" else entry[1]


def tier_label(tier: str, lang: Lang = "en") -> str:
    """A tier's name in ``lang`` (the scenario's own name when it is not a shipped tier name)."""
    return _pair_label(str(tier), _TIERS, lang)


def tier_names(tier: str) -> tuple[str, str]:
    """``(Chinese, English)`` name of a tier; an unknown tier keeps its own name in both."""
    zh, en = _TIERS.get(str(tier), (str(tier), str(tier)))
    return zh, en


def mode_label(mode: str, lang: Lang = "en") -> str:
    """A transport mode in ``lang``."""
    return _pair_label(str(mode), _MODES, lang)


def model_label(model: str, lang: Lang = "en") -> str:
    """A model's name in ``lang``."""
    return _pair_label(str(model), _MODELS, lang)


def status_label(status: str, lang: Lang = "en") -> str:
    """A solver status with what it means, in ``lang``."""
    entry = _STATUS.get(str(status))
    if entry is None:
        return str(status)
    return f"{entry[0]}（{status}）" if lang == "zh" else entry[1]


def cost_label(component: str, lang: Lang = "en") -> str:
    """A cost component's name in ``lang``."""
    return _pair_label(str(component), COST_COMPONENTS, lang)


def kpi_label(key: str, lang: Lang = "en") -> str:
    """A KPI's name in ``lang``; ``open_sites_<tier>``, ``cost_<component>`` and ``a.b`` keys are composed.

    A key the catalogue does not know is returned as it is, so new KPIs show under their own name.
    """
    if "." in key:
        head, tail = key.split(".", 1)
        sub = mode_label(tail, lang) if head.endswith("by_mode") else tail
        return f"{kpi_label(head, lang)} · {sub}"
    if key in _KPIS:
        return _KPIS[key][0] if lang == "zh" else _KPIS[key][1]
    if key.startswith("open_sites_"):
        tier = key.removeprefix("open_sites_")
        return f"选址数量：{tier_label(tier, 'zh')}" if lang == "zh" else f"sites opened: {tier}"
    if key.startswith("cost_") and key[5:] in COST_COMPONENTS:
        return f"成本：{cost_label(key[5:], 'zh')}" if lang == "zh" else f"cost: {cost_label(key[5:], 'en')}"
    return key


def kpi_names(key: str) -> tuple[str, str]:
    """``(Chinese, English)`` name of a KPI (both the key itself when unknown)."""
    return kpi_label(key, "zh"), kpi_label(key, "en")


def column_unit(column: str) -> str:
    """The unit kind of a table column; money columns hold CNY (not M CNY as the KPIs show it)."""
    entry = _COLUMNS.get(column)
    if entry is not None:
        return entry[2]
    kind = _unit_from_name(column)
    return "cny" if kind == "money" else kind


def column_label(column: str, lang: Lang = "en", *, with_unit: bool = True) -> str:
    """A table column's header in ``lang``, with its unit in brackets (``吞吐量（吨）``, ``throughput (t)``)."""
    entry = _COLUMNS.get(column)
    name = column if entry is None else (entry[0] if lang == "zh" else entry[1])
    unit = unit_text(column_unit(column), lang)
    if not with_unit or not unit or unit == "%":
        return name
    return f"{name}（{unit}）" if lang == "zh" else f"{name} ({unit})"


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def format_number(value: float, decimals: int | None = None) -> str:
    """A number with thousands separators; ``decimals`` None picks 0-3 by magnitude (no ``1e+09``)."""
    if not _finite(value):
        return "-"
    if decimals is None:
        size = abs(value)
        if isinstance(value, int) or size >= 100:
            decimals = 0
        elif size >= 10:
            decimals = 1
        elif size >= 1 or size == 0:
            decimals = 2
        else:
            decimals = 3
    text = f"{value:,.{decimals}f}"
    return "0" if text.strip("-0.,") == "" else text


def format_value(key: str, value: Any, lang: Lang = "en", *, unit: bool = True) -> str:
    """``value`` of the KPI or column ``key`` as ``planner run`` shows it: M CNY, %, t, h, km...

    ``None`` and non-finite numbers show as ``-``; text as it is. ``unit=False`` leaves the unit out
    (for a table whose header carries it).
    """
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        if isinstance(value, str) and key.split(".", 1)[0] == "status":
            return value
        return "-" if value is None else str(value)
    if not math.isfinite(value):
        return "-"
    kind = unit_of(key)
    if kind == "share":
        return f"{value * 100:,.{1 if abs(value) >= 0.001 or value == 0 else 3}f}%"
    if kind == "money":
        millions = value / 1e6
        text = format_number(millions, 1 if abs(millions) >= 10 else (2 if abs(millions) >= 0.1 else 3))
    elif kind == "count" and float(value).is_integer():
        text = f"{int(value):,}"
    elif kind in ("h", "km"):
        text = format_number(value, 1 if abs(value) >= 1 else 2)
    else:
        text = format_number(value)
    symbol = unit_text(kind, lang)
    return f"{text} {symbol}" if unit and symbol else text


def flatten(values: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """``(key, value)`` pairs of a KPI mapping with nested mappings as ``parent.child`` keys."""
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from flatten(value, f"{name}.")
        else:
            yield name, value

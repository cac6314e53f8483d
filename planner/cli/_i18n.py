"""The command line in Chinese or English: ``--lang zh|en``, by default from the locale.

Help texts are written in English next to their Chinese with :func:`h` (``help=h("Print JSON.", "输出
JSON。")``): the English is what Typer sees, the pair is kept in :data:`ZH`. :func:`localise` walks the
command tree before it runs and puts the Chinese in when the language is ``zh``; it also drops the
``<bool>`` value hint of flags. Messages and table headers call :func:`say` with both texts.
Help texts of modules that keep their English inline (``planner network``) are translated through
:data:`ZH` entries added here, keyed by the English.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

__all__ = ["LANGUAGES", "ZH", "current", "detect", "h", "localise", "say", "set_language", "split_lang"]

Lang = Literal["zh", "en"]
LANGUAGES = ("zh", "en")

#: English help text -> Chinese.
ZH: dict[str, str] = {}
_state: dict[str, Lang] = {"lang": "en"}


def h(en: str, zh: str) -> str:
    """Register the Chinese ``zh`` of the help text ``en``; return ``en`` (what Typer is given)."""
    ZH[en] = zh
    return en


def say(en: str, zh: str) -> str:
    """``en`` or ``zh``, in the language of this run."""
    return zh if _state["lang"] == "zh" else en


def current() -> Lang:
    """The language of this run."""
    return _state["lang"]


def set_language(lang: str) -> None:
    """Set the language of messages and help (``zh`` or ``en``)."""
    _state["lang"] = "zh" if str(lang).lower().startswith("zh") else "en"


def detect(environ: Mapping[str, str] | None = None) -> Lang:
    """The default language: ``PLANNER_LANG``, else the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``)."""
    environ = os.environ if environ is None else environ
    for name in ("PLANNER_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def split_lang(args: list[str]) -> tuple[str | None, list[str]]:
    """``--lang X`` / ``--lang=X`` anywhere in ``args``: its value (the last one) and the other arguments.

    A global option may follow the command (``planner compare A B --lang zh``); the root reads it.
    """
    value: str | None = None
    rest: list[str] = []
    skip = False
    for index, arg in enumerate(args):
        if skip:
            skip = False
            continue
        if arg == "--":
            rest.extend(args[index:])
            break
        if arg == "--lang":
            if index + 1 < len(args):
                value = args[index + 1]
                skip = True
            else:
                value = ""
            continue
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
            continue
        rest.append(arg)
    return value, rest


_HELP_OPTION = ("Show this message and exit.", "显示本帮助并退出。")


def _flag_without_hint(param: Any) -> None:
    if getattr(param, "is_flag", False) and not getattr(param, "count", False):
        param.metavar = ""


def _translate(text: str | None) -> str | None:
    if not text:
        return text
    return ZH.get(text, ZH.get(text.strip(), text))


def localise(command: Any, lang: Lang) -> None:
    """Prepare a command tree (Typer's click objects) for display in ``lang``.

    Flags lose their ``<bool>`` hint in either language; in Chinese every help text with a translation
    in :data:`ZH` is replaced (headings: :mod:`planner.cli._help`).
    """
    _localise(command, lang)


def _localise(command: Any, lang: Lang) -> None:
    if lang == "zh":
        command.help = _translate(command.help)
        command.short_help = _translate(getattr(command, "short_help", None))
    for param in command.params:
        _flag_without_hint(param)
        if lang == "zh" and getattr(param, "help", None):
            param.help = _translate(param.help)
    original = command.get_help_option

    def help_option(ctx: Any, _original: Any = original) -> Any:
        option = _original(ctx)
        if option is not None:
            _flag_without_hint(option)
            if lang == "zh":
                option.help = _HELP_OPTION[1]
        return option

    command.get_help_option = help_option
    for sub in (getattr(command, "commands", None) or {}).values():
        _localise(sub, lang)


# Help of `planner network` (its module keeps the English inline).
ZH.update({
    "The multimodal freight network (road, rail, air, border crossings).": "多式联运货运网络（公路、铁路、航空、口岸）。",
    "Nodes, links and km by mode and by province.": "按运输方式和省份统计节点、线路和里程。",
    "Print JSON.": "输出 JSON。",
    "Route between two places: km, hours, cost per tonne (ambient/refrigerated), routes passed.":
        "两地之间的路径：里程、时间、每吨成本（常温/冷藏）和途经线路。",
    "Origin: id, Chinese or English name.": "起点：编号、中文名或英文名。",
    "Destination: id, Chinese or English name.": "终点：编号、中文名或英文名。",
    "Allowed modes (road, rail, air); repeat or comma-separate.": "允许的运输方式（road、rail、air）；可重复或用逗号分隔。",
    "cost (generalized), time or distance.": "cost（广义成本）、time（时间）或 distance（距离）。",
    "Close a place (disruption).": "关闭一个地点（中断）。",
    "Close a route id, e.g. G30.": "关闭一条线路，如 G30。",
    "Close a border port's crossings.": "关闭口岸的过境通道。",
    "Close a corridor id or name.": "关闭一条通道（编号或名称）。",
    "Close a stretch of a route: ROUTE:FROM:TO, e.g. G30:武威:张掖.": "关闭线路的一段：线路:起点:终点，如 G30:武威:张掖。",
    "List the routes: id, Chinese and English name, mode, class and endpoints (ids work in closures).":
        "列出线路：编号、中文名和英文名、运输方式、等级和起讫点（编号可用于关闭线路）。",
    "Only this mode: road, rail, air or crossing.": "只列出这种运输方式：road、rail、air 或 crossing。",
    "List the corridors and channels of corridors.yaml: id, names and the places they run through.":
        "列出 corridors.yaml 中的通道：编号、名称和途经的地点。",
    "Export the network (nodes and links) to GeoPackage, GeoJSON or GraphML.": "将网络（节点和线路）导出为 GeoPackage、GeoJSON 或 GraphML。",
    "gpkg, geojson or graphml.": "gpkg、geojson 或 graphml。",
    "Output file (written atomically).": "输出文件（原子写入）。",
    "Import a city's streets from an OSM XML file and show where they join the trunk network.":
        "从 OSM XML 文件导入城市街道，并显示其与干线网络的连接点。",
    "OpenStreetMap XML extract (.osm).": "OpenStreetMap XML 数据（.osm）。",
    "The city (place id or name) the streets belong to.": "街道所属的城市（地点编号或名称）。",
})

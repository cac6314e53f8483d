"""The source documents the layouts and scenarios cite, with their one-letter codes.

Scenario files cite a document by code (``G``) or file name; layout data by file name. Everything a
user reads (``planner layout show``, map popups, the run report) names a document the same way: the
code in short citations (``G:L2212-2214``), the title where there is room. Standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["DOCUMENTS", "document_code", "document_label", "document_title", "short_cite"]

#: code -> (file name in ../shared/seeds, Chinese title)
DOCUMENTS: dict[str, tuple[str, str]] = {
    "X": ("004_e234a45108d6376c.txt", "新疆现代物流产业集群行动方案"),
    "G": ("003_e570b81db65edf74.txt", "甘肃省“十四五”现代物流发展规划"),
    "A": ("000_a6a50b048012a7f3.txt", "推动物流业制造业深度融合创新发展实施方案"),
    "B": ("002_8fd585837068af36.txt", "汇编"),
}
_CODE_OF_FILE = {file: code for code, (file, _) in DOCUMENTS.items()}


def document_code(document: str) -> str:
    """The one-letter code of a document given by code or file name (the first 3 characters otherwise)."""
    document = str(document)
    if document in DOCUMENTS:
        return document
    return _CODE_OF_FILE.get(document, document[:3])


def document_title(document: str) -> str:
    """The Chinese title of a document given by code or file name ('' when unknown)."""
    code = document_code(document)
    return DOCUMENTS[code][1] if code in DOCUMENTS else ""


def document_label(document: str) -> str:
    """``title（file name）`` for a document, or the name as given when it is unknown."""
    code = document_code(document)
    if code not in DOCUMENTS:
        return str(document)
    file, title = DOCUMENTS[code]
    return f"{title}（{file}）"


def short_cite(source: Mapping[str, Any]) -> str:
    """``G:L651-653`` style citation (``X`` Xinjiang plan, ``G`` Gansu plan) for titles, tables and notes."""
    if not source:
        return ""
    return f"{document_code(str(source.get('document', '')))}:L{source.get('lines', '')}"

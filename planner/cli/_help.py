"""Help pages as plain text: fast to print, wrapped by display width, headings in the run's language.

Typer's Rich help pulls in Markdown and syntax highlighting (about 0.2 s of CPU on every ``--help``);
the plain formatter of its bundled click needs nothing more than Typer itself. Click wraps by character
count, so Chinese (two columns a character) would run past the terminal: :class:`HelpFormatter` wraps
by display width, breaks Chinese between any two characters and English only at spaces and hyphens.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

__all__ = ["display_width", "plain_help", "wrap"]

_HEADINGS_ZH = {"Usage: ": "用法：", "Arguments": "参数", "Options": "选项", "Commands": "命令"}
_EXTRAS_ZH = (("[default: ", "[默认: "), ("[required]", "[必填]"), ("required]", "必填]"), ("default: ", "默认: "))
_CLOSING = set("。，、；：？！）」』】〕》,.;:?!)]}")
#: Widest help page (columns); narrower terminals wrap narrower.
MAX_WIDTH = 100
_TOKEN = re.compile(r"\s+|[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+")


def display_width(text: str) -> int:
    """Terminal columns of ``text`` (wide and full-width characters count two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns; a word longer than a line is the only thing cut.

    Closing punctuation (。，、）...) never starts a line: it hangs one column past the width instead.
    """
    lines: list[str] = []
    current, used = "", 0
    for token in _TOKEN.findall(" ".join(text.split())):
        size = display_width(token)
        if token.isspace():
            if current:
                current, used = current + " ", used + 1
            continue
        if used + size > width and current.strip() and token not in _CLOSING:
            lines.append(current.rstrip())
            current, used = "", 0
        while size > width:  # a single token wider than the line (a long path): cut it
            lines.append(token[:width])
            token = token[width:]
            size = display_width(token)
        current, used = current + token, used + size
    if current.strip():
        lines.append(current.rstrip())
    return lines or [""]


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _formatter_class(base: type, lang: str) -> type:
    zh = lang == "zh"

    class HelpFormatter(base):  # type: ignore[misc, valid-type]
        """Click's formatter, wrapping by display width (and with Chinese headings in Chinese)."""

        def __init__(self, indent_increment: int = 2, width: int | None = None, max_width: int | None = None) -> None:
            super().__init__(indent_increment, width, MAX_WIDTH if max_width is None or max_width < MAX_WIDTH else max_width)

        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args, _HEADINGS_ZH["Usage: "] if zh else prefix)

        def write_heading(self, heading: str) -> None:
            super().write_heading(_HEADINGS_ZH.get(heading, heading) if zh else heading)

        def write_text(self, text: str) -> None:
            indent = " " * self.current_indent
            blocks = ["\n".join(indent + line for line in wrap(p, max(self.width - self.current_indent, 20)))
                      for p in _paragraphs(text)]
            self.write("\n\n".join(blocks) + "\n")

        def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
            rows = [(str(first), _extras(str(second), zh)) for first, second in rows]
            first_col = min(max((display_width(first) for first, _ in rows), default=0), col_max) + col_spacing
            text_width = max(self.width - first_col - self.current_indent - 2, 16)
            for first, second in rows:
                self.write(" " * self.current_indent + first)
                if not second:
                    self.write("\n")
                    continue
                if display_width(first) <= first_col - col_spacing:
                    self.write(" " * (first_col - display_width(first)))
                else:
                    self.write("\n" + " " * (first_col + self.current_indent))
                lines = [line for p in _paragraphs(second) for line in wrap(p, text_width)]
                self.write(lines[0] + "\n")
                for line in lines[1:]:
                    self.write(" " * (first_col + self.current_indent) + line + "\n")

    return HelpFormatter


def _extras(text: str, zh: bool) -> str:
    if zh:
        for english, chinese in _EXTRAS_ZH:
            text = text.replace(english, chinese)
    return text


def plain_help(command: Any, lang: str) -> None:
    """Make every command of the tree print plain help with :class:`HelpFormatter` in ``lang``."""
    context = command.context_class
    formatter = _formatter_class(context.formatter_class, lang)
    subclass = type("PlannerContext", (context,), {"formatter_class": formatter})
    _apply(command, subclass)


def _apply(command: Any, context: type) -> None:
    if hasattr(command, "rich_markup_mode"):
        command.rich_markup_mode = None
    command.context_class = context
    for sub in (getattr(command, "commands", None) or {}).values():
        _apply(sub, context)

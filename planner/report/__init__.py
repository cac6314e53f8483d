"""Reports to hand on: one self-contained bilingual HTML page per run or per comparison, and its PDF.

* :func:`write_report` — ``report.html`` of a run directory (``planner run`` writes it; ``planner report
  RUN`` rewrites it): KPIs, cost chart, sites per tier, map, solver notes, cited clauses, inputs;
* :func:`write_compare_report` — two runs side by side with what changed (``planner report A B``);
* :func:`print_pdf` — a page printed to PDF by Chromium (``--pdf``).

The pages hold everything (styles, charts as inline SVG, the map in a ``srcdoc`` frame): they open by
double-click with no network, and a policy in the page forbids loading anything.
"""

from __future__ import annotations

from planner.report.compare_report import compare_report_html, write_compare_report
from planner.report.pdf import find_chromium, print_pdf
from planner.report.run_report import run_report_html, write_report

__all__ = ["compare_report_html", "find_chromium", "print_pdf", "run_report_html", "write_compare_report", "write_report"]

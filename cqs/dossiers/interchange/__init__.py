"""Dossier interchange in JSON Lines: bring a province's history in, take everything out again.

The format is shared/domain/interchange.md: one line = one dossier with its event list. A
dossier's state (status, step, deadlines, pause, outcome, competent agency) is never read from
the line: ``project`` derives it from the events with the same rules the live services apply
(cqs/dossiers/services.py), so an imported dossier and a live one with the same history are
indistinguishable in every list and indicator.

Import is idempotent by ``code`` (the same line again is "unchanged"; the same code with other
content is a "conflict" and nothing is written), validates every line, reports each bad line
with its number and reason, and writes each good line whole — its dossier, events and
participants — in batches (one transaction and one audit row per batch).
"""

from cqs.dossiers.interchange.exporter import (
    dossier_line,
    dossier_line_text,
    dossiers_export,
    dossiers_for_export,
)
from cqs.dossiers.interchange.importer import (
    DOSSIER_COLUMNS,
    EVENT_ROW_COLUMNS,
    ImportReport,
    LineError,
    default_workers,
    dossiers_import,
)
from cqs.dossiers.interchange.prepare import draft_dossier
from cqs.dossiers.interchange.schema import LineIn
from cqs.dossiers.projection import EVENT_ACTIONS, Event, EventState, ProjectionError, project

__all__ = [
    "DOSSIER_COLUMNS",
    "EVENT_ACTIONS",
    "EVENT_ROW_COLUMNS",
    "Event",
    "EventState",
    "ImportReport",
    "LineError",
    "LineIn",
    "ProjectionError",
    "default_workers",
    "dossier_line",
    "dossier_line_text",
    "dossiers_export",
    "dossiers_for_export",
    "dossiers_import",
    "draft_dossier",
    "project",
]

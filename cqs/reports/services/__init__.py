"""Every state change of a field report, one door each.

Each service checks permission and the transition table, writes in one transaction (row lock
and ``expected_version``: the loser of two simultaneous actions gets a Conflict), appends one
event, writes its audit row and queues the reporter's notification (sent after commit).

The package's modules: ``submit`` (receiving), ``actions`` (the workflow table and the change of
category), ``moderation`` (public text, rating), ``updates`` (what the reporter adds after
sending), ``escalation`` (deadlines), ``open311_keys``, ``routing``. Import from here.
"""

from cqs.reports.services._common import MAX_DESCRIPTION, Contact
from cqs.reports.services.actions import (
    REJECT_REASONS,
    report_act,
    report_recategorize,
    report_relocate,
)
from cqs.reports.services.config import report_config_delete, report_config_save
from cqs.reports.services.escalation import reports_close_expired, reports_escalate
from cqs.reports.services.moderation import report_moderate, report_rate
from cqs.reports.services.open311_keys import (
    OPEN311_KEY_PREFIX,
    open311_key_authenticate,
    open311_key_create,
    open311_key_revoke,
)
from cqs.reports.services.routing import report_route
from cqs.reports.services.submit import report_submit
from cqs.reports.services.updates import Supplement, report_supplement

__all__ = [
    "MAX_DESCRIPTION",
    "OPEN311_KEY_PREFIX",
    "REJECT_REASONS",
    "Contact",
    "Supplement",
    "open311_key_authenticate",
    "open311_key_create",
    "open311_key_revoke",
    "report_act",
    "report_config_delete",
    "report_config_save",
    "report_moderate",
    "report_rate",
    "report_recategorize",
    "report_relocate",
    "report_route",
    "report_submit",
    "report_supplement",
    "reports_close_expired",
    "reports_escalate",
]

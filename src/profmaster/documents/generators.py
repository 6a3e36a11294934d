"""Where each generated document's content comes from (SPEC DOC-2, DOC-3).

A generated document (a protocol the platform writes from its records) names its generator by a key;
forming it again calls the generator, which reads the records again. The apps that own the records own
the functions; this table only names them, so the documents app imports none of them (the same kind of
dispatch as a Celery task's name). A generator takes the document and the person asking and returns the
title and data, or raises :class:`~profmaster.core.errors.DomainError` saying why the records do not
allow it now.

Kinds of record that are an act done once (the marks-lock acceptance form records the ledger at the lock;
an unlock protocol records the reason asked) have no generator: their content is not formed again, the
act is repeated instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.module_loading import import_string

#: Generator key → dotted path of ``fn(document, by) -> (title, data)``.
GENERATORS: dict[str, str] = {
    "marking.judging_roles": "profmaster.marking.panel.roles_content",
    "marking.criteria_lock": "profmaster.marking.domain.criteria_lock_content",
    "registration.protocol": "profmaster.registration.lists.protocol_content",
    "exams.results_protocol": "profmaster.exams.domain.results_protocol_content",
    "exams.participant_list": "profmaster.exams.domain.participant_list_content",
    "results.results_protocol": "profmaster.results.domain.results_protocol_content",
    "results.quality_report": "profmaster.results.quality.report_content",
    "checkin.non_appearance": "profmaster.checkin.domain.non_appearance_content",
    "checkin.toolbox_check": "profmaster.checkin.domain.toolbox_check_content",
    "incidents.incident_protocol": "profmaster.incidents.domain.incident_protocol_content",
    "competition_day.draw_protocol": "profmaster.competition_day.domain.draw_protocol_content",
    "timekeeping.timekeeping": "profmaster.timekeeping.domain.timekeeping_content",
    "timekeeping.familiarisation": "profmaster.timekeeping.domain.familiarisation_content",
    "regional_commission.expert_group_protocol": "profmaster.regional_commission.domain.expert_group_protocol_content",
    "regional_commission.commission_protocol": "profmaster.regional_commission.domain.commission_protocol_content",
    "disputes.dispute_protocol": "profmaster.disputes.domain.dispute_protocol_content",
}
#: Keys of generated documents whose content is an act recorded once (see the module docstring).
ONE_OFF = frozenset({"marking.marks_lock", "marking.criteria_unlock", "marking.marks_unlock",
                     "exams.handout_protocol", "demo", "legacy",
                     "timekeeping.familiarisation_exception", "appeals.decision_protocol"})

Generator = Callable[[Any, Any], tuple[str, dict[str, Any]]]


def generator_for(key: str) -> Generator | None:
    """The function that forms a document of this key again, or None when it is not formed again."""
    path = GENERATORS.get(key)
    return import_string(path) if path else None


def is_known(key: str) -> bool:
    return key in GENERATORS or key in ONE_OFF

"""The championship's time zone for the whole request (issue 13 §4, X-6).

A page or API route whose URL names something of a championship (``championships/<pk>/…``,
``competency_pk``, ``exam_id``, ``scheme_pk``…) runs with that championship's zone active: templates
print times in it, Django forms read typed times in it, the API reads offset-less times in it and
``timezone.localdate()`` is the championship's calendar day. Every other request runs in the
platform's default zone. The zone is reset after each request (Django keeps it per thread).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from profmaster.core.db import retry_on_disconnect

from . import timezones

#: URL keyword → (model, lookup of the championship's zone from that model). Both the pages' ``*_pk``
#: and the API's ``*_id`` spellings.
_BY_KWARG: dict[str, tuple[str, str]] = {}
for _names, _model, _lookup in [
    (("championship_pk", "championship_id"), "championships.Championship", "time_zone"),
    (("competency_pk", "competency_id"), "championships.Competency", "championship__time_zone"),
    (("stage_pk", "stage_id"), "championships.Stage", "championship__time_zone"),
    (("slot_id",), "championships.ProgrammeSlot", "championship__time_zone"),
    (("base_venue_id",), "championships.BaseVenue", "championship__time_zone"),
    (("section_id",), "championships.SkillSection", "competency__championship__time_zone"),
    (("exam_pk", "exam_id"), "exams.Exam", "championship__time_zone"),
    (("attempt_pk", "attempt_id"), "exams.Attempt", "exam__championship__time_zone"),
    (("bank_pk", "bank_id"), "exams.QuestionBank", "championship__time_zone"),
    (("question_pk",), "exams.Question", "bank__championship__time_zone"),
    (("answer_pk", "answer_id"), "exams.Answer", "attempt__exam__championship__time_zone"),
    (("handout_pk",), "exams.TaskHandout", "championship__time_zone"),
    (("scheme_pk", "scheme_id"), "marking.MarkingScheme", "competency__championship__time_zone"),
    (("application_id",), "registration.Application", "championship__time_zone"),
    (("member_id",), "registration.TeamMember", "application__championship__time_zone"),
    (("consent_pk", "consent_id"), "registration.Consent", "member__application__championship__time_zone"),
    (("check_pk",), "registration.DocumentCheck", "member__application__championship__time_zone"),
    (("document_id",), "documents.Document", "championship__time_zone"),
    (("batch_pk",), "results.DiplomaBatch", "championship__time_zone"),
    (("diploma_pk",), "results.Diploma", "championship__time_zone"),
    (("nomination_pk",), "results.Nomination", "competency__championship__time_zone"),
    (("incident_id",), "incidents.Incident", "championship__time_zone"),
    (("checklist_pk", "checklist_id"), "best_in_profession.VenueChecklist", "stage__championship__time_zone"),
    (("line_pk", "line_id"), "best_in_profession.VenueChecklistItem", "checklist__stage__championship__time_zone"),
    (("group_pk", "group_id"), "best_in_profession.VenueGroup", "checklist__stage__championship__time_zone"),
    (("scan_pk", "scan_id"), "best_in_profession.ContestantDocument",
     "profile__member__application__championship__time_zone"),
]:
    for _name in _names:
        _BY_KWARG[_name] = (_model, _lookup)

#: What a bare ``<int:pk>`` names, by the path segment before it.
_BY_PK_SEGMENT: dict[str, tuple[str, str]] = {
    "championships": ("championships.Championship", "time_zone"),
    "applications": ("registration.Application", "championship__time_zone"),
    "documents": ("documents.Document", "championship__time_zone"),
    "consent-versions": ("registration.ConsentVersion", "form__championship__time_zone"),
    "incidents": ("incidents.Incident", "championship__time_zone"),
    "accreditations": ("checkin.Accreditation", "championship__time_zone"),
}
_PK_SEGMENT = re.compile(r"(?:^|/)([a-z-]+)/<int:pk>")


def _lookup_of(route: str, kwargs: dict[str, Any]) -> tuple[str, str, Any] | None:
    if "pk" in kwargs:
        found = _PK_SEGMENT.search(route)
        if found and found.group(1) in _BY_PK_SEGMENT:
            model, lookup = _BY_PK_SEGMENT[found.group(1)]
            return model, lookup, kwargs["pk"]
    for name, value in kwargs.items():
        if name in _BY_KWARG:
            model, lookup = _BY_KWARG[name]
            return model, lookup, value
    return None


def championship_zone_name(route: str, kwargs: dict[str, Any]) -> str | None:
    """The zone name of the championship a URL points into, or None (no such object, or not scoped)."""
    found = _lookup_of(route, kwargs)
    if found is None:
        return None
    model, lookup, value = found
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        value = int(value)  # the API's path parameters reach the URL resolver as text
    if not isinstance(value, int) or not 0 < value < 2**63:
        return None
    manager = apps.get_model(model)._default_manager
    return manager.filter(pk=value).values_list(lookup, flat=True).first()


def no_championship_zone(view: Any) -> Any:
    """Mark a view that shows and reads no local time (e.g. a JSON autosave that stores UTC): the middleware
    skips the zone's query for it, and the request runs in the platform's default zone."""
    view.championship_zone_unused = True
    return view


class ChampionshipTimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: dict[str, Any]) -> None:
        if getattr(view_func, "championship_zone_unused", False):
            return
        match = request.resolver_match
        try:
            # a read: after a connection the database dropped it reconnects once, so the zone stays right
            name = retry_on_disconnect(championship_zone_name)(match.route if match else "", view_kwargs)
        except DatabaseError:
            # The database is unavailable: the view's own query gets the 503 (DatabaseUnavailableMiddleware).
            name = None
        if name:
            timezone.activate(timezones.zone(name))

"""Who may do what: the one permission module (default deny).

Every view, API route, export and PDF asks :func:`has_perm` / :func:`require` (or Django's
``user.has_perm``, which reaches the same ``rules`` registry). A permission not registered here is
denied. Every grant is scoped: to a championship, and for panel roles to one competency.
"""

from __future__ import annotations

from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q, QuerySet

from profmaster.accounts.models import Role, RoleAssignment
from profmaster.core.postgres import prepared_cursor

# --- Scope of an object -------------------------------------------------------------------------


def scope_of(obj: Any) -> tuple[int | None, int | None]:
    """(championship id, competency id) an object belongs to; (None, None) if it has none."""
    if obj is None:
        return None, None
    meta = getattr(obj, "_meta", None)
    label = meta.label if meta else ""
    if label == "championships.Championship":
        return obj.pk, None
    if label == "championships.Competency":
        return obj.championship_id, obj.pk
    competency_id = getattr(obj, "competency_id", None)
    championship_id = getattr(obj, "championship_id", None)
    if championship_id is None and competency_id is not None:
        # a competency already read with the object (a scheme's) gives the id without reading the championship
        state = getattr(obj, "_state", None)
        cached = state.fields_cache.get("competency") if state is not None else None
        if cached is not None:
            championship_id = cached.championship_id
    if championship_id is None:
        championship = getattr(obj, "championship", None)
        championship_id = getattr(championship, "pk", None)
    if championship_id is None and competency_id is not None:
        championship_id = obj.competency.championship_id
    return championship_id, competency_id


# --- The person's assignments, read once per request ---------------------------------------------


def assignments(user: Any) -> list[tuple[str, int | None, int | None]]:
    """(role, championship id, competency id) of every role the user holds; cached on the user."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_profmaster_assignments", None)
    if cached is None:
        cached = _assignments_of(user.pk)
        user._profmaster_assignments = cached
    return cached


def _assignments_of(user_id: int) -> list[tuple[str, int | None, int | None]]:
    """One read per request of every page and route: on PostgreSQL a prepared statement, elsewhere the ORM's query."""
    if connection.vendor != "postgresql":
        return list(RoleAssignment.objects.filter(user_id=user_id).values_list("role", "championship_id",
                                                                               "competency_id"))
    with prepared_cursor() as cursor:
        cursor.execute(_ASSIGNMENTS_SQL, [user_id])
        return [(role, championship, competency) for role, championship, competency in cursor.fetchall()]


_ASSIGNMENTS_SQL = (f"SELECT role, championship_id, competency_id FROM {RoleAssignment._meta.db_table} "  # noqa: S608
                    "WHERE user_id = %s")


def forget_assignments(user: Any) -> None:
    """Drop the cached assignments (after roles change within one request)."""
    if hasattr(user, "_profmaster_assignments"):
        del user._profmaster_assignments


def holds(user: Any, roles: set[str], championship_id: int | None, competency_id: int | None = None,
          *, exact: bool = False) -> bool:
    """Whether the user holds one of ``roles`` in that championship (and competency, when given).

    A competency-less assignment covers every competency of its championship; a platform-wide
    Directorate assignment covers every championship. With ``exact``, a competency-scoped
    assignment covers only objects of that competency, not championship-wide ones.
    """
    for role, ch_id, comp_id in assignments(user):
        if role not in roles:
            continue
        if role == Role.DIRECTORATE and ch_id is None:
            return True
        if championship_id is None or ch_id != championship_id:
            continue
        if exact and comp_id is not None and comp_id != competency_id:
            continue
        if competency_id is None or comp_id is None or comp_id == competency_id:
            return True
    return False


def role_in(*roles: str, exact: bool = False) -> Any:
    """A predicate: the user holds one of ``roles`` in the object's championship/competency.

    ``exact``: a competency-scoped role does not reach the championship's competency-less objects.
    """
    wanted = set(roles)

    @rules.predicate(name=f"role_in({','.join(sorted(wanted))}{', exact' if exact else ''})")
    def predicate(user: Any, obj: Any = None) -> bool:
        if obj is None:
            return False
        championship_id, competency_id = scope_of(obj)
        return holds(user, wanted, championship_id, competency_id, exact=exact)

    return predicate


@rules.predicate
def is_platform_directorate(user: Any) -> bool:
    return any(role == Role.DIRECTORATE and ch_id is None for role, ch_id, _ in assignments(user))


@rules.predicate
def is_any_directorate(user: Any) -> bool:
    return any(role == Role.DIRECTORATE for role, _, _ in assignments(user))


@rules.predicate
def has_any_role_in_championship(user: Any, obj: Any = None) -> bool:
    championship_id, _ = scope_of(obj)
    if championship_id is None:
        return False
    return is_platform_directorate(user) or any(ch_id == championship_id for _, ch_id, _ in assignments(user))


@rules.predicate
def is_required_signer(user: Any, document: Any = None) -> bool:
    if document is None or not getattr(user, "is_authenticated", False):
        return False
    return document.required_signers.filter(user=user).exists()


@rules.predicate
def is_owner(user: Any, obj: Any = None) -> bool:
    return obj is not None and getattr(obj, "user_id", None) == getattr(user, "pk", object())


#: Documents the expert group passes to the regional contest commission (000 §11–12, DOC-2): the protocols of
#: results, which the commission approves by its own protocol.
COMMISSION_DOCUMENT_TYPES = frozenset({"remote_results", "final_results"})
regional_commission = role_in(Role.REGIONAL_COMMISSION)


#: RM-5: the expert working group's protocol reaches the commission once it is passed to it; the commission's
#: own protocol is the commission's.
EXPERT_GROUP_PROTOCOL = "expert_group_protocol"
COMMISSION_PROTOCOL = "commission_protocol"


def commission_documents() -> Q:
    """The documents of a championship its regional commission reads (register, pages, PDFs, API)."""
    return (Q(doc_type__in=COMMISSION_DOCUMENT_TYPES) | Q(doc_type=COMMISSION_PROTOCOL)
            | Q(doc_type=EXPERT_GROUP_PROTOCOL, expert_group_protocol__transfer__isnull=False))


@rules.predicate
def is_commission_addressee(user: Any, document: Any = None) -> bool:
    """The document is addressed to the regional commission and the user sits on it in that championship."""
    doc_type = getattr(document, "doc_type", None)
    if document is None or doc_type not in {*COMMISSION_DOCUMENT_TYPES, COMMISSION_PROTOCOL, EXPERT_GROUP_PROTOCOL}:
        return False
    if not holds(user, {Role.REGIONAL_COMMISSION}, scope_of(document)[0]):
        return False
    if doc_type == EXPERT_GROUP_PROTOCOL:
        return type(document)._default_manager.filter(pk=document.pk).filter(commission_documents()).exists()
    return True


@rules.predicate
def is_quality_report(user: Any, document: Any = None) -> bool:
    return getattr(document, "doc_type", None) == "quality_report"


directorate = role_in(Role.DIRECTORATE)
quality_control = role_in(Role.QUALITY_CONTROL)
chief_expert = role_in(Role.CHIEF_EXPERT)
chief_expert_of_competency = role_in(Role.CHIEF_EXPERT, exact=True)
panel = role_in(Role.CHIEF_EXPERT, Role.EXPERT)

# --- Registration and accreditation (REG-1…REG-15, X-1) ------------------------------------------
# An application's people are minors' personal data: only the applicant side (who filed it, its mentor,
# its organisation's representative), the Directorate and the competency's chief expert (document check)
# may read them. ``registration.domain.applications_visible_to`` lists the same set for list pages.


def _application_of(obj: Any) -> Any:
    meta = getattr(obj, "_meta", None)
    if meta is not None and meta.label == "registration.Application":
        return obj
    return getattr(obj, "application", None)


@rules.predicate
def is_applicant(user: Any, obj: Any = None) -> bool:
    """Is the team's current mentor, filed the application, or represents its organisation in that championship.

    A mentor replaced on the team (or whose participation ended) loses the team with the role, even if they
    filed the application themselves (issue 13: a replaced mentor still saw the team's marks and documents).
    """
    application = _application_of(obj)
    if application is None or not getattr(user, "is_authenticated", False):
        return False
    states = set(application.members.filter(user=user, kind="mentor").values_list("state", flat=True))
    if "active" in states:
        return True
    if states - {"proposed"}:  # replaced or ended: no longer this team's mentor
        return False
    if application.created_by_id == user.pk:
        return True
    return RoleAssignment.objects.filter(user=user, role=Role.ORG_REPRESENTATIVE,
                                         championship_id=application.championship_id,
                                         organisation_id=application.organisation_id).exists()


may_apply = role_in(Role.MENTOR, Role.ORG_REPRESENTATIVE)

# --- Online exams and task hand-out (RM-1, RM-2) ------------------------------------------------
# Examinees are the championship's participants and УПМ pupils; the competency's panel keeps banks,
# grades and proctors; the chief expert and the Directorate set exams up. An attempt is its examinee's.


@rules.predicate
def is_handout_recipient(user: Any, handout: Any = None) -> bool:
    if handout is None or not getattr(user, "is_authenticated", False):
        return False
    return handout.recipients.filter(pk=user.pk).exists()


examinee = role_in(Role.PARTICIPANT, Role.PUPIL)
competency_panel = role_in(Role.CHIEF_EXPERT, Role.EXPERT, exact=True)

# --- Marks, panels and the assessment (SC-1…SC-9, X-2) -------------------------------------------
# The competency's panel, the Directorate and quality control see all marks of a scheme; the chief
# expert (in-person) or each expert (remote, own sheet — refined in marking.marks) enters them; the
# Directorate approves an unlock. A team's own marks reach its mentor and participants only after the
# lock: :func:`may_view_team_marks` is the one rule, used by pages, API and PDFs.
# --- Results and awards (AW-1…AW-7, DOC-1, DOC-4, SC-9) ------------------------------------------
# Working results (live rankings, medal proposals, undecided places, quality-control findings) are for the
# Directorate, quality control and the competency's own panel. Everyone else — mentors, participants,
# anonymous visitors — sees only what a published results version froze. ``results.visibility.visible_results``
# is the one function every channel (pages, API, xlsx, PDFs) asks: this module decides whether, it decides what.

# --- Background jobs (X-5) -------------------------------------------------------------------------
# A job is followed by whoever started it and by the holders of the permission the job names on its scope
# (an import into a bank: whoever may keep that bank). A job naming no permission is its creator's only.


@rules.predicate
def is_job_creator(user: Any, job: Any = None) -> bool:
    return job is not None and job.created_by_id is not None and job.created_by_id == getattr(user, "pk", object())


@rules.predicate
def holds_job_permission(user: Any, job: Any = None) -> bool:
    perm = getattr(job, "view_permission", "")
    if not perm or perm.startswith("jobs.") or perm not in PERMISSIONS:
        return False
    if job.championship_id is None and job.competency_id is None:
        return False  # an unscoped job: no championship grant reaches it
    return has_perm(user, perm, job)


# --- The competition day: timekeeping, familiarisation, evidence (OP-2, OP-3, OP-7) ----------------------
# 003 §13.6: the chief expert or the expert with the timekeeping duty starts and stops the work; the panel's
# decision on extra time is recorded by the chief expert (003 §17.4). The venue's technical administrator has
# no scoring rights (003 §23.3): they record where the video stream and its recording are and confirmations on
# the venue's device, nothing else. The countdown screen is public by its signed link (the venue's screen).


@rules.predicate
def is_timekeeper(user: Any, obj: Any = None) -> bool:
    """An expert of the object's competency whose judging duty is keeping time (003 §13.6)."""
    championship_id, competency_id = scope_of(obj)
    if competency_id is None or not holds(user, {Role.EXPERT}, championship_id, competency_id, exact=True):
        return False
    from profmaster.marking.models import JudgingRole
    from profmaster.timekeeping.domain import is_timekeeping_duty

    duties = JudgingRole.objects.filter(competency_id=competency_id, user=user).values_list("duty", flat=True)
    return any(is_timekeeping_duty(duty) for duty in duties)


venue_admin = role_in(Role.VENUE_ADMIN)

TIMEKEEPING_PERMISSIONS: dict[str, Any] = {
    "timekeeping.view_board": directorate | quality_control | competency_panel,
    "timekeeping.manage_settings": directorate,
    "timekeeping.manage_timers": directorate | chief_expert_of_competency,
    "timekeeping.run_timer": chief_expert_of_competency | is_timekeeper,
    "timekeeping.grant_extra_time": chief_expert_of_competency,
    "timekeeping.create_protocol": directorate | chief_expert_of_competency,
    "timekeeping.record_confirmation": chief_expert_of_competency | venue_admin,
    "timekeeping.manage_evidence": directorate | chief_expert_of_competency | venue_admin,
    "timekeeping.upload_photo": chief_expert_of_competency,
    "timekeeping.view_photos": directorate | quality_control | competency_panel,
    # on one's own device: the domain checks that the person is a participant or mentor of the flow
    "timekeeping.confirm_own": role_in(Role.PARTICIPANT, Role.MENTOR),
}

results_working = directorate | quality_control | competency_panel

RESULTS_PERMISSIONS: dict[str, Any] = {
    "results.view_working": results_working,
    "results.propose_medals": chief_expert_of_competency,
    "results.propose_nomination": competency_panel,
    "results.decide": directorate,
    "results.publish": directorate,
    "results.create_protocol": directorate | chief_expert_of_competency,
    "results.check_quality": directorate | quality_control,
    "results.view_quality": directorate | quality_control,
    # 003 §10.3: quality control asks the chief expert; the competency's chief expert answers (or declines);
    # a refusal is recorded by either side. §10.6: the check report is made by whoever checks.
    "results.request_information": directorate | quality_control,
    "results.answer_quality_request": chief_expert_of_competency,
    "results.refuse_quality_request": directorate | quality_control | chief_expert_of_competency,
    "results.create_quality_report": directorate | quality_control,
    "results.invalidate": directorate,
    "results.manage_diplomas": directorate,
}

# --- The venue: accreditation, check-in, toolbox checks, incidents (OP-4…OP-7, 003 §14, §17, §19.4, §24) -----
# The venue's technical administrator checks people in and prints badges; they have no scoring rights
# (003 §23.3): no decision on points, removals or marks. The chief expert admits staff and press individually,
# records non-appearance, removals and decisions; the competency's panel checks toolboxes and reports incidents.

venue_admin = role_in(Role.VENUE_ADMIN)
venue_staff = chief_expert_of_competency | venue_admin

VENUE_PERMISSIONS: dict[str, Any] = {
    "checkin.view_venue": directorate | quality_control | venue_staff,
    "checkin.check_in": venue_staff,
    "checkin.print_badges": directorate | venue_staff,
    "checkin.issue_accreditations": directorate | venue_staff,
    "checkin.admit_individually": chief_expert_of_competency,
    "checkin.record_briefing": venue_staff,
    "checkin.record_non_appearance": chief_expert_of_competency,
    "checkin.view_toolbox": directorate | quality_control | competency_panel,
    "checkin.check_toolbox": competency_panel,
    "incidents.view_incidents": directorate | quality_control | competency_panel | venue_admin,
    "incidents.report_incident": competency_panel | venue_admin,
    "incidents.add_evidence": competency_panel | venue_admin,
    "incidents.view_evidence": directorate | quality_control | competency_panel,
    "incidents.decide": chief_expert_of_competency,
}

# --- «Уроки профессионального мастерства» (UPM-1…UPM-5, seed 001) ---------------------------------------------
# The festival's championship scopes the УПМ roles. The regional operator (and the Directorate) keeps the festival
# and reads everything in it, the venue's channel too; a venue's people work on their own venue only; a school's
# coordinator on their own school (its agreements, its pupils and families, the lessons it is in); a parent sees
# only their own children, a pupil only their own account. ``upm_pupils_visible_to`` is the one list of pupils.

upm_operator = role_in(Role.UPM_OPERATOR)
upm_managers = directorate | upm_operator


def _upm_venue_id(obj: Any) -> int | None:
    label = getattr(getattr(obj, "_meta", None), "label", "")
    if label == "upm.FestivalVenue":
        return int(obj.pk)
    if label in {"upm.VenueSchool", "upm.ChannelMessage"}:
        return int(obj.venue_id)
    if label == "upm.Agreement":
        return int(obj.venue_school.venue_id)
    if label == "upm.Lesson":
        from profmaster.upm.models import FestivalVenue

        return FestivalVenue.objects.filter(festival_id=obj.festival_id, venue_id=obj.venue_id).values_list(
            "pk", flat=True).first()
    return None


def _coordinated_school_ids(user: Any, championship_id: int | None) -> set[int]:
    """The schools whose coordinator the user is in that championship (cached on the user)."""
    if championship_id is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    cache = user.__dict__.setdefault("_profmaster_coordinated", {})
    if championship_id not in cache:
        cache[championship_id] = set(RoleAssignment.objects.filter(
            user=user, role=Role.SCHOOL_COORDINATOR, championship_id=championship_id,
            organisation_id__isnull=False).values_list("organisation_id", flat=True))
    return set(cache[championship_id])


def _upm_school_ids(obj: Any) -> set[int] | None:
    """The schools an УПМ object concerns (None: not a school-scoped object)."""
    label = getattr(getattr(obj, "_meta", None), "label", "")
    if isinstance(getattr(obj, "school_id", None), int) and label in {"", "upm.VenueSchool"}:
        return {obj.school_id}
    if label == "upm.Agreement":
        return {obj.venue_school.school_id}
    if label == "upm.FestivalVenue":
        return set(obj.schools.values_list("school_id", flat=True))
    if label == "upm.ChannelMessage":
        return set(obj.venue.schools.values_list("school_id", flat=True))
    if label == "upm.Lesson":
        from profmaster.upm.domain import lesson_schools

        return set(lesson_schools(obj).values_list("school_id", flat=True))
    return None


@rules.predicate
def is_venue_person(user: Any, obj: Any = None) -> bool:
    """One of the venue's people (and Role.UPM_VENUE in the festival's championship)."""
    venue_id = _upm_venue_id(obj)
    if venue_id is None or not holds(user, {Role.UPM_VENUE}, scope_of(obj)[0]):
        return False
    from profmaster.upm.models import FestivalVenue

    return FestivalVenue.staff.through.objects.filter(festivalvenue_id=venue_id, user_id=user.pk).exists()


@rules.predicate
def is_school_coordinator_of(user: Any, obj: Any = None) -> bool:
    """The coordinator of (one of) the school(s) the object concerns."""
    if obj is None:
        return False
    mine = _coordinated_school_ids(user, scope_of(obj)[0])
    if not mine:
        return False
    schools = _upm_school_ids(obj)
    return bool(schools and mine & schools)


@rules.predicate
def is_upm_parent(user: Any, obj: Any = None) -> bool:
    return obj is not None and holds(user, {Role.PARENT}, scope_of(obj)[0])


@rules.predicate
def has_upm_role(user: Any, obj: Any = None) -> bool:
    return obj is not None and holds(user, {Role.UPM_OPERATOR, Role.UPM_VENUE, Role.SCHOOL_COORDINATOR,
                                            Role.PARENT, Role.PUPIL}, scope_of(obj)[0])


@rules.predicate
def may_decide_family_link(user: Any, link: Any = None) -> bool:
    """The child of the link, or a coordinator of the child's school in any championship the child is a pupil in."""
    if link is None or not getattr(user, "is_authenticated", False):
        return False
    if link.child_id == user.pk:
        return True
    schools = set(RoleAssignment.objects.filter(user_id=link.child_id, role=Role.PUPIL,
                                                organisation_id__isnull=False)
                  .values_list("championship_id", "organisation_id"))
    return any(school in _coordinated_school_ids(user, ch_id) for ch_id, school in schools)


UPM_PERMISSIONS: dict[str, Any] = {
    "upm.view_festival": directorate | has_upm_role,
    "upm.manage_festival": upm_managers,
    "upm.view_board": upm_managers,
    "upm.view_venue": upm_managers | is_venue_person | is_school_coordinator_of,
    "upm.work_as_venue": is_venue_person,
    "upm.agree_as_school": is_school_coordinator_of,
    "upm.view_channel": upm_managers | is_venue_person | is_school_coordinator_of,
    "upm.post_channel": upm_operator | is_venue_person | is_school_coordinator_of,
    "upm.view_lesson": upm_managers | is_venue_person | is_school_coordinator_of,
    # the object is a SchoolInFestival: the school's page, its pupils and families
    "upm.view_school": upm_managers | is_school_coordinator_of,
    "upm.help_families": is_school_coordinator_of,
    "upm.confirm_child": is_upm_parent,
    "upm.decide_family_link": may_decide_family_link,
}


def upm_pupils_visible_to(user: Any, festival: Any) -> QuerySet[Any]:
    """The festival's pupils the user may see: all for the operator and the Directorate; the school's own for a
    coordinator; their own children (linked) for a parent; nobody else."""
    from profmaster.accounts.models import User
    from profmaster.upm.models import FamilyLink

    pupils = User.objects.filter(role_assignments__role=Role.PUPIL,
                                 role_assignments__championship_id=festival.championship_id)
    if has_perm(user, "upm.view_board", festival):
        return pupils.distinct()
    schools = _coordinated_school_ids(user, festival.championship_id)
    if schools:
        return pupils.filter(role_assignments__organisation_id__in=schools).distinct()
    if holds(user, {Role.PARENT}, festival.championship_id):
        children = FamilyLink.objects.filter(parent=user, status=FamilyLink.Status.CONFIRMED).values("child_id")
        return pupils.filter(pk__in=children).distinct()
    return User.objects.none()


# --- Appeals and the appeal commission (AP-2, AP-3; 003 §8) ---------------------------------------------------
# The team's mentor files an appeal of a decided dispute and follows it; the commission's deliberation (the case
# file, the hearing's notes, the votes) is closed to everyone but its members and the Directorate (003 §8.10).
# Membership is the approved composition itself (``appeals.CommissionMember``), not a role: the roles
# APPEAL_MEMBER / APPEAL_CHAIR follow the approval and the chair's election. The Directorate composes and
# approves the commission and keeps the register of all disputes and appeals.


@rules.predicate
def is_commission_member(user: Any, obj: Any = None) -> bool:
    """A member of the approved appeal commission of the object's championship (read each time: approval and
    composition change within one request)."""
    championship_id, _ = scope_of(obj)
    if championship_id is None or not getattr(user, "is_authenticated", False):
        return False
    from profmaster.appeals.models import CommissionMember

    return CommissionMember.objects.filter(user=user, commission__state="approved",
                                           commission__championship_id=championship_id).exists()


@rules.predicate
def is_commission_chair(user: Any, obj: Any = None) -> bool:
    championship_id, _ = scope_of(obj)
    if championship_id is None or not getattr(user, "is_authenticated", False):
        return False
    from profmaster.appeals.models import Commission

    return Commission.objects.filter(championship_id=championship_id, state="approved", chair=user).exists()


def _active_mentor(user: Any, application_ids: Any) -> bool:
    from profmaster.registration.models import TeamMember

    return TeamMember.objects.filter(user=user, kind="mentor", state="active",
                                     application_id__in=application_ids).exists()


@rules.predicate
def is_dispute_mentor(user: Any, dispute: Any = None) -> bool:
    """The active mentor of the dispute's team (of any approved team of its competency when it names none)."""
    if dispute is None or not getattr(user, "is_authenticated", False):
        return False
    if dispute.team_id is not None:
        return _active_mentor(user, [dispute.team_id])
    from profmaster.registration.models import Application

    return _active_mentor(user, Application.objects.filter(competency_id=dispute.competency_id, status="approved")
                          .values("pk"))


@rules.predicate
def is_appellant_mentor(user: Any, appeal: Any = None) -> bool:
    """The appealing team's current mentor (a replaced mentor loses the appeal with the team)."""
    if appeal is None or not getattr(user, "is_authenticated", False) or not hasattr(appeal, "team_id"):
        return False
    return _active_mentor(user, [appeal.team_id])


@rules.predicate
def is_appeal_protocol_reader(user: Any, document: Any = None) -> bool:
    """The appeal commission's final protocol reaches the commission's members and the appellant's mentor."""
    if getattr(document, "doc_type", None) != "appeal_decision":
        return False
    if is_commission_member(user, document):
        return True
    from profmaster.appeals.models import Appeal

    appeal = Appeal.objects.filter(protocol_id=document.pk).first()
    return appeal is not None and is_appellant_mentor(user, appeal)


appeal_commission = directorate | is_commission_member

APPEALS_PERMISSIONS: dict[str, Any] = {
    # the object is the dispute
    "appeals.file_appeal": is_dispute_mentor,
    # the object is the appeal: its state and final decision reach the appellant too; the deliberation does not
    "appeals.view_appeal": appeal_commission | is_appellant_mentor,
    "appeals.view_scan": appeal_commission | is_appellant_mentor,
    "appeals.view_case": appeal_commission,
    "appeals.vote": is_commission_member,
    "appeals.conduct_hearing": is_commission_chair,
    # the object is the championship
    "appeals.view_workspace": appeal_commission,
    "appeals.manage_commission": directorate,
    "appeals.open_election": appeal_commission,
    "appeals.elect_chair": is_commission_member,
    "appeals.view_register": directorate,
}


# --- Video sessions (RM-3, RM-6 consultations, 000 §5, §6, §10, §12, §13) --------------------------------------
# The Directorate and the competency's chief expert keep the schedule and invite; nobody joins a session they are
# not invited to (the join link checks the invitation, not the role); the session's hosts mark attendance and add
# recordings. Recordings are every expert's of the competency's panel and the Directorate's, nobody else's
# (000 §10): not the contestant, not another competency's expert, not the session's other invitees.


def _video_session_of(obj: Any) -> Any:
    meta = getattr(obj, "_meta", None)
    if meta is not None and meta.label == "video.VideoSession":
        return obj
    return getattr(obj, "session", None)


@rules.predicate
def is_video_invitee(user: Any, obj: Any = None) -> bool:
    session = _video_session_of(obj)
    if session is None or session.pk is None or not getattr(user, "is_authenticated", False):
        return False
    return session.invitations.filter(user=user).exists()


@rules.predicate
def is_video_host(user: Any, obj: Any = None) -> bool:
    session = _video_session_of(obj)
    if session is None or session.pk is None or not getattr(user, "is_authenticated", False):
        return False
    return session.invitations.filter(user=user, role="host").exists()


video_managers = directorate | chief_expert_of_competency

VIDEO_PERMISSIONS: dict[str, Any] = {
    # the championship's schedule page: the Directorate and chief experts (each sees and plans their competency's)
    "video.view_schedule": directorate | chief_expert,
    "video.manage_session": video_managers,
    "video.view_session": video_managers | is_video_invitee | competency_panel,
    "video.join_session": is_video_invitee,
    "video.run_session": video_managers | is_video_host,
    "video.view_attendance": video_managers | is_video_host | competency_panel,
    "video.view_recordings": directorate | competency_panel,
    "video.manage_providers": directorate,
}


# --- «Лучший по профессии»: nominations, contestants, venues' equipment, personal data (REG-1, RM-4, RM-7) ------
# An adult contestant is entered by their employer's representative; their personal data is read by the Directorate,
# quality control, the employer's side (``is_applicant``), the nomination's chief expert and the contestant
# themself — never by the other experts or the regional commission — and every reading is logged (RM-7). Each
# venue's technical administrator fills and confirms their own venue's equipment checklist; the Directorate opens
# the checklists, sees which venues are ready and forms the small groups with the chief expert.


def _checklist_of(obj: Any) -> Any:
    label = getattr(getattr(obj, "_meta", None), "label", "")
    if label == "best_in_profession.VenueChecklist":
        return obj
    if label in ("best_in_profession.VenueChecklistItem", "best_in_profession.VenueGroup"):
        return obj.checklist
    return None


@rules.predicate
def is_checklist_venue_admin(user: Any, obj: Any = None) -> bool:
    """The technical administrator of the checklist's venue, holding that role in its championship."""
    checklist = _checklist_of(obj)
    if checklist is None or not getattr(user, "is_authenticated", False):
        return False
    if checklist.base_venue.technical_administrator_id != user.pk:
        return False
    return holds(user, {Role.VENUE_ADMIN}, scope_of(checklist)[0])


@rules.predicate
def is_contestant_self(user: Any, obj: Any = None) -> bool:
    application = _application_of(obj)
    if application is None or not getattr(user, "is_authenticated", False):
        return False
    return application.members.filter(user=user, kind="participant", state="active").exists()


employer_representative = role_in(Role.ORG_REPRESENTATIVE)

CONTEST_PERMISSIONS: dict[str, Any] = {
    "best_in_profession.view_nominations": has_any_role_in_championship,
    "best_in_profession.manage_nominations": directorate,
    "best_in_profession.enter_contestant": directorate | employer_representative,
    "best_in_profession.list_contestants": directorate | quality_control | employer_representative | chief_expert,
    "best_in_profession.view_contestant": (directorate | quality_control | is_applicant | chief_expert_of_competency
                                           | is_contestant_self),
    "best_in_profession.change_contestant": directorate | is_applicant,
    "best_in_profession.view_scan": directorate | is_applicant | chief_expert_of_competency,
    "best_in_profession.view_access_log": directorate,
    "best_in_profession.view_readiness": directorate | quality_control | chief_expert,
    "best_in_profession.manage_checklists": directorate,
    "best_in_profession.view_checklist": directorate | quality_control | competency_panel | is_checklist_venue_admin,
    "best_in_profession.fill_checklist": is_checklist_venue_admin,
    "best_in_profession.manage_groups": directorate | chief_expert_of_competency,
}


# --- Technical support (RM-6, 000 §13) -------------------------------------------------------------------------
# Anyone signed in opens a request of any event (a contestant who cannot sign in uses the public form, which
# needs no permission); its author reads and follows it up; the event's on-duty staff (the duty roster the
# Directorate keeps) answer; the Directorate assigns, reads every request and the time to the first answer.
# The FAQ is public to read; the Directorate writes it.


@rules.predicate
def signed_in(user: Any, obj: Any = None) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


@rules.predicate
def is_on_duty(user: Any, obj: Any = None) -> bool:
    """On the support duty roster of the object's championship."""
    championship_id = scope_of(obj)[0]
    if championship_id is None or not getattr(user, "is_authenticated", False):
        return False
    from profmaster.support.models import DutyAssignment

    return DutyAssignment.objects.filter(championship_id=championship_id, user_id=user.pk).exists()


@rules.predicate
def is_request_author(user: Any, request: Any = None) -> bool:
    return request is not None and request.author_id is not None and request.author_id == getattr(user, "pk", None)


SUPPORT_PERMISSIONS: dict[str, Any] = {
    "support.open_request": signed_in,
    "support.view_desk": directorate | is_on_duty,
    "support.view_request": is_request_author | directorate | is_on_duty,
    "support.answer_request": is_on_duty,
    "support.assign_request": directorate | is_on_duty,
    "support.follow_up_request": is_request_author,
    "support.close_request": is_request_author | directorate | is_on_duty,
    "support.view_response_times": directorate,
    "support.manage_roster": directorate,
    "support.manage_faq": directorate,
}

# --- The expert group's protocol and the regional commission (RM-5, DOC-2, 000 §11–12) ------------------------
# The competency's panel (and the Directorate, quality control) read the stage's summary sheet; the chief expert
# (or the Directorate) forms the expert working group's protocol from it, which the chief expert and experts sign,
# and passes it, signed, to the regional contest commission. The commission's members read what they received and
# form and sign their own protocol; nothing else of the championship opens to them.

COMMISSION_PERMISSIONS: dict[str, Any] = {
    "regional_commission.view_summary": directorate | quality_control | competency_panel,
    "regional_commission.create_group_protocol": directorate | chief_expert_of_competency,
    "regional_commission.transfer_protocol": directorate | chief_expert_of_competency,
    "regional_commission.view_workspace": directorate | quality_control | regional_commission,
    "regional_commission.create_commission_protocol": directorate | regional_commission,
}


# --- Disputes inside a competency and sanctions (AP-1, AP-4; 003 §7, §8.11–8.13, §22.8) --------------------
# A mentor (about their own team — the domain checks which) or the venue's technical administrator raises a
# question; the competency's chief expert puts it to the vote and takes the sanctions; each expert of the round
# votes (the domain checks the round's panel); the Directorate investigates and asks for written explanations,
# which the person asked answers. A dispute is read by its competency's panel, the Directorate, quality control,
# the venue's administrator, whoever raised it, the mentors of its team and the people asked to explain.


def _dispute_of(obj: Any) -> Any:
    meta = getattr(obj, "_meta", None)
    if meta is not None and meta.label == "disputes.Dispute":
        return obj
    return getattr(obj, "dispute", None)


@rules.predicate
def is_dispute_party(user: Any, obj: Any = None) -> bool:
    """Raised the dispute, or is an active mentor of the team it is about."""
    dispute = _dispute_of(obj)
    if dispute is None or not getattr(user, "is_authenticated", False):
        return False
    if dispute.raised_by_id == user.pk:
        return True
    return dispute.team_id is not None and dispute.team.members.filter(
        user=user, kind="mentor", state="active").exists()


@rules.predicate
def is_explainer(user: Any, obj: Any = None) -> bool:
    """Was asked for a written explanation on this dispute (003 §7.3)."""
    dispute = _dispute_of(obj)
    if dispute is None or not getattr(user, "is_authenticated", False):
        return False
    return dispute.explanations.filter(person=user).exists()


DISPUTES_PERMISSIONS: dict[str, Any] = {
    # the object is the competency
    "disputes.view_disputes": directorate | quality_control | competency_panel | venue_admin,
    "disputes.raise_dispute": venue_admin | role_in(Role.MENTOR),
    # the object is the dispute
    "disputes.view_dispute": (directorate | quality_control | competency_panel | venue_admin | is_dispute_party
                              | is_explainer),
    "disputes.manage_dispute": chief_expert_of_competency,
    "disputes.vote": role_in(Role.EXPERT, exact=True),
    "disputes.apply_sanction": chief_expert_of_competency,
    "disputes.investigate": directorate,
    "disputes.answer_explanation": is_explainer,
    # the object is the championship: the Directorate's register of the championship's disputes
    "disputes.view_register": directorate | quality_control,
}


# --- «Уроки профессионального мастерства»: equipment, the day, reports (UPM-6, UPM-7) ---------------------------
# The operator (and the Directorate) follows every lesson of the festival; a venue's people (FestivalVenue.staff)
# only their venue's lessons; a school coordinator the lessons their school takes part in — and, in them, only
# their school's pupils. :func:`upm_venue_ids` and :func:`upm_school_ids` map a person to their venues and schools
# for pages, API, exports and reports.


def upm_venue_ids(user: Any, festival: Any) -> set[int]:
    """The venues (organisations.Venue ids) whose lessons ``user`` holds in ``festival`` as one of its people."""
    if not holds(user, {Role.UPM_VENUE}, festival.championship_id):
        return set()
    from profmaster.upm.models import FestivalVenue

    return set(FestivalVenue.objects.filter(festival=festival, staff=user).values_list("venue_id", flat=True))


def upm_school_ids(user: Any, festival: Any) -> set[int]:
    """The schools (organisations) ``user`` coordinates in ``festival``."""
    return _coordinated_school_ids(user, festival.championship_id)


def _lesson_of(obj: Any) -> Any:
    meta = getattr(obj, "_meta", None)
    if meta is not None and meta.label == "upm.Lesson":
        return obj
    return getattr(obj, "lesson", None)


@rules.predicate
def is_lesson_venue(user: Any, obj: Any = None) -> bool:
    """One of the people of the venue that holds the lesson (of a delivery, a check, a confirmation)."""
    lesson = _lesson_of(obj)
    return lesson is not None and is_venue_person(user, lesson)


@rules.predicate
def is_lesson_coordinator(user: Any, obj: Any = None) -> bool:
    """A coordinator of a school taking part in the lesson; for an object naming a school (a delivery, a check of a
    school, a confirmation), of that very school."""
    lesson = _lesson_of(obj)
    if lesson is None:
        return False
    schools = _coordinated_school_ids(user, lesson.festival.championship_id)
    if not schools:
        return False
    if obj is not lesson:
        return getattr(obj, "school_id", None) in schools
    from profmaster.upm.selectors import lesson_school_ids

    return bool(schools & lesson_school_ids(lesson))


@rules.predicate
def is_venue_check(user: Any, check: Any = None) -> bool:
    """Checklist items the venue records: the mentor's presence and the video link with any school."""
    return getattr(check, "item", None) in {"mentor_present", "link_tested"}


@rules.predicate
def is_school_check(user: Any, check: Any = None) -> bool:
    """Checklist items a school's coordinator records for their school: the link tested, the representative."""
    return getattr(check, "item", None) in {"link_tested", "school_representative"}


@rules.predicate
def has_upm_share(user: Any, festival: Any = None) -> bool:
    """A venue's person or a coordinator of the festival: they see their own share of its report."""
    return festival is not None and holds(user, {Role.UPM_VENUE, Role.SCHOOL_COORDINATOR}, scope_of(festival)[0])


UPM_DAY_PERMISSIONS: dict[str, Any] = {
    # the object is the lesson
    "upm.view_lesson_day": upm_managers | is_lesson_venue | is_lesson_coordinator,
    "upm.record_delivery": is_lesson_venue,
    # the object is the delivery (its school)
    "upm.confirm_receipt": is_lesson_coordinator,
    # the object is an (unsaved) LessonCheck naming the item and the school
    "upm.record_check": (is_lesson_venue & is_venue_check) | (is_lesson_coordinator & is_school_check),
    # the object is the pupil's confirmation: the venue for every pupil, a coordinator for their school's
    "upm.take_attendance": is_lesson_venue | is_lesson_coordinator,
    # the object is the festival
    "upm.view_report": upm_managers,
    "upm.view_own_report": upm_managers | has_upm_share,
}

# --- The permission table -------------------------------------------------------------------------
# Names are "<app>.<verb>_<thing>". The object passed is the one named (or its championship).

PERMISSIONS: dict[str, Any] = {
    # Championship structure (CH-1…CH-4)
    "championships.add_championship": is_platform_directorate,
    "championships.view_championship": has_any_role_in_championship,
    "championships.manage_championship": directorate,
    "championships.manage_roles": directorate,
    # Organisations, venues and their contacts: reference data kept by the Directorate
    "organisations.view_organisation": is_any_directorate,
    "organisations.manage_organisation": is_any_directorate,
    # Audit: the Directorate and quality control read; nobody edits
    "audit.view_log": directorate | quality_control,
    # E-mails of a championship: what was sent to whom is for its Directorate, which may resend failed ones
    "notifications.view_emails": directorate,
    "notifications.resend_email": directorate,
    # Documents and signatures (DOC-2, DOC-3)
    # (the regional commission reads the documents addressed to it: its register lists only those)
    "documents.view_register": directorate | quality_control | chief_expert | regional_commission,
    "documents.add_document": directorate | chief_expert,
    "documents.view_document": (directorate | quality_control | chief_expert_of_competency | is_required_signer
                                | is_commission_addressee | is_appeal_protocol_reader),
    "documents.sign_document": is_required_signer,
    # typed-in documents only; a generated one's content is formed again from the records (DOC-2), by the
    # Directorate, the competency's chief expert, or quality control for its own check report (DOC-4)
    "documents.change_document": directorate | chief_expert_of_competency,
    "documents.regenerate_document": directorate | chief_expert_of_competency | (quality_control & is_quality_report),
    # Registration and accreditation (REG-1…REG-15, X-1); the object is the championship or the application
    "registration.apply": directorate | may_apply,
    "registration.view_applications": directorate,
    "registration.list_applications": directorate | quality_control | may_apply | chief_expert,
    "registration.view_application": directorate | quality_control | is_applicant | chief_expert_of_competency,
    "registration.change_application": directorate | is_applicant,
    "registration.review_application": directorate,
    "registration.check_documents": directorate | chief_expert_of_competency,
    "registration.manage_consents": directorate,
    "registration.record_consent": directorate | is_applicant,
    "registration.request_substitution": directorate | is_applicant,
    "registration.decide_substitution": directorate,
    "registration.list_people": directorate | quality_control | may_apply | chief_expert,
    "registration.list_experts": directorate,
    "registration.manage_registration": directorate,
    # Marking schemes (MS-1…MS-5): the competency's panel reads; its chief expert and the Directorate edit
    "marking.view_scheme": directorate | quality_control | role_in(Role.CHIEF_EXPERT, Role.EXPERT, exact=True),
    "marking.manage_scheme": directorate | chief_expert_of_competency,
    # Online exams and task hand-out (RM-1, RM-2); the object is the championship, bank, exam, attempt or hand-out
    "exams.view_exams": directorate | quality_control | panel,
    "exams.manage_bank": directorate | competency_panel,
    "exams.manage_exam": directorate | chief_expert_of_competency,
    "exams.view_results": directorate | quality_control | competency_panel,
    "exams.grade": directorate | competency_panel,
    "exams.proctor": directorate | competency_panel,
    "exams.take_exam": examinee,
    "exams.view_attempt": is_owner | directorate | quality_control | competency_panel,
    "exams.manage_handout": directorate | chief_expert_of_competency,
    "exams.view_handout": is_handout_recipient,
    # Marks, panels and the assessment (SC-1…SC-9); the object is the competency or the scheme
    "marking.view_marks": directorate | quality_control | competency_panel,
    "marking.enter_marks": competency_panel,
    "marking.manage_panel": directorate | chief_expert_of_competency,
    "marking.lock_marks": chief_expert_of_competency,
    "marking.approve_unlock": directorate,
    # Document package (SC-10): the Directorate follows every competency's package and records the receipt of
    # paper originals; the competency's chief expert sees what is still missing; quality control reads every
    # package (003 §10.2: unhindered access to the documents under check); nobody else
    "marking.view_package": directorate | quality_control | chief_expert_of_competency,
    "marking.view_packages": directorate | quality_control,
    "marking.receive_documents": directorate,
    # Background jobs: see the section above
    "jobs.view_job": is_job_creator | holds_job_permission,
    # Personal settings: one's own API tokens
    "accounts.manage_token": is_owner,
    # Results and awards (AW-1…AW-7, DOC-4): see the section above
    **RESULTS_PERMISSIONS,
    # The venue (OP-4…OP-7): see the section above
    **VENUE_PERMISSIONS,
    # Draws of flows and workplaces (OP-1, 003 §13): the competency's chief expert holds them; its panel, the
    # Directorate and quality control follow them; anyone (anonymous too) verifies a performed draw on its
    # public page, which needs no permission
    "competition_day.view_draws": directorate | quality_control | competency_panel,
    "competition_day.manage_draws": chief_expert_of_competency,
    # The competition day (OP-2, OP-3, OP-7): see the section above
    **TIMEKEEPING_PERMISSIONS,
    # «Уроки профессионального мастерства» (UPM-1…UPM-5): see the section above
    **UPM_PERMISSIONS,
    # Appeals and the appeal commission (AP-2, AP-3): see the section above
    **APPEALS_PERMISSIONS,
    # Video sessions (RM-3): see the section above
    **VIDEO_PERMISSIONS,
    # «Лучший по профессии» (REG-1, RM-4, RM-7): see the section above
    **CONTEST_PERMISSIONS,
    # Technical support (RM-6): see the section above
    **SUPPORT_PERMISSIONS,
    # The expert group's protocol and the regional commission (RM-5): see the section above
    **COMMISSION_PERMISSIONS,
    # Disputes and sanctions (AP-1, AP-4): see the section above
    **DISPUTES_PERMISSIONS,
    # «Уроки профессионального мастерства»: equipment, the day, reports (UPM-6, UPM-7): see the section above
    **UPM_DAY_PERMISSIONS,
}

for _name, _predicate in PERMISSIONS.items():
    rules.add_perm(_name, _predicate)


def has_perm(user: Any, perm: str, obj: Any = None) -> bool:
    """Default deny: an unknown permission or an inactive/anonymous user is refused."""
    if perm not in PERMISSIONS or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(rules.has_perm(perm, user, obj))


def require(user: Any, perm: str, obj: Any = None) -> None:
    if not has_perm(user, perm, obj):
        raise PermissionDenied(perm)


# --- Querysets of what a person may see ----------------------------------------------------------


def visible_championships(user: Any) -> QuerySet[Any]:
    from profmaster.championships.models import Championship

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Championship.objects.none()
    if is_platform_directorate(user):
        return Championship.objects.all()
    ids = {ch_id for _, ch_id, _ in assignments(user) if ch_id is not None}
    return Championship.objects.filter(pk__in=ids)


def championships_where(user: Any, *roles: str) -> QuerySet[Any]:
    """Championships in which the user holds one of ``roles`` (platform Directorate: all)."""
    from profmaster.championships.models import Championship

    if Role.DIRECTORATE in roles and is_platform_directorate(user):
        return Championship.objects.all()
    ids = {ch_id for role, ch_id, _ in assignments(user) if role in roles and ch_id is not None}
    return Championship.objects.filter(pk__in=ids)


def competency_filter(user: Any, championship: Any, *roles: str) -> Q:
    """A Q limiting a competency-bearing queryset to the competencies where the user holds a role.

    Returns an empty Q (everything) when the role covers the whole championship.
    """
    comp_ids: set[int] = set()
    for role, ch_id, comp_id in assignments(user):
        if role not in roles:
            continue
        if (role == Role.DIRECTORATE and ch_id is None) or (ch_id == championship.pk and comp_id is None):
            return Q()
        if ch_id == championship.pk and comp_id is not None:
            comp_ids.add(comp_id)
    return Q(competency_id__in=comp_ids)


# --- Visibility of marks (SC-5, SC-9) --------------------------------------------------------------


def may_view_team_marks(user: Any, scheme: Any, team: Any) -> bool:
    """Whether ``user`` may see ``team``'s marks under ``scheme``: the panel, the Directorate and quality
    control always; the team's own mentor and participants once the scheme's marks are locked."""
    if team.competency_id != scheme.competency_id:
        return False
    if has_perm(user, "marking.view_marks", scheme):
        return True
    return team.pk in own_teams_with_locked_marks(user, scheme)


def own_teams_with_locked_marks(user: Any, scheme: Any) -> set[int]:
    """The teams of ``scheme`` whose mentor or participant ``user`` is, if its marks are locked."""
    from profmaster.marking.models import SchemeMarking
    from profmaster.registration.models import TeamMember

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    if not SchemeMarking._default_manager.filter(scheme_id=scheme.pk, status=SchemeMarking.Status.LOCKED).exists():
        return set()
    return set(TeamMember.objects.filter(
        user=user, state=TeamMember.State.ACTIVE, kind__in=[TeamMember.Kind.MENTOR, TeamMember.Kind.PARTICIPANT],
        application__competency_id=scheme.competency_id, application__status="approved",
    ).values_list("application_id", flat=True))


"""The names printed on diplomas (AW-6, DOC-3): each person's name in the case of each template's
wording, the organiser's review list of every declined name (doubtful ones first), and the one domain
function that corrects a name (the correction is kept on the person, audited, and used by every
diploma afterwards).

A person is a team member (participants, mentors: ``registration.TeamMember``) or an account (the chief
expert and experts: ``accounts.User``); both carry the gender and the correction (``NameFormsMixin``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from profmaster.accounts.models import Gender, User
from profmaster.audit.domain import record
from profmaster.audit.models import AuditEntry
from profmaster.core.errors import DomainError
from profmaster.registration.models import TeamMember

from .declension import (
    COMMON_NOUN,
    FLEETING_VOWEL,
    GENDER_CONFLICT,
    GENDER_GUESSED,
    GENDER_UNKNOWN,
    NOT_CYRILLIC,
    NOT_DECLINED,
    FullName,
    decline_full,
    gender_from_patronymic,
)
from .models import Diploma

#: What each doubt means to the organiser.
DOUBT_TEXT = {
    GENDER_UNKNOWN: gettext_lazy("пол не указан и не определяется по имени — фамилия оставлена без изменений"),
    GENDER_CONFLICT: gettext_lazy("указанный пол не совпадает с отчеством"),
    GENDER_GUESSED: gettext_lazy("пол не указан: определён по имени"),
    COMMON_NOUN: gettext_lazy("фамилия совпадает с нарицательным существительным"),
    FLEETING_VOWEL: gettext_lazy("в употреблении два варианта"),
    NOT_DECLINED: gettext_lazy("правила оставили часть ФИО без изменений — возможно, она не склоняется"),
    NOT_CYRILLIC: gettext_lazy("не только русские буквы"),
}
CASE_LABEL = {"nomn": gettext_lazy("именительный"), "datv": gettext_lazy("дательный")}
#: The cases a correction can be made for (those the templates use); the nominative is the name as entered.
CORRECTABLE = ("datv",)
_NAME_CHARS = re.compile(r"^[A-Za-zА-Яа-яЁё][A-Za-zА-Яа-яЁё' .\-]*$")


def full_name_of(person: Any) -> FullName:
    return FullName(person.last_name, person.first_name, person.patronymic or "")


def correction_of(person: Any, case: str) -> str:
    """The organiser's correction of the person's name in ``case``, if it still applies."""
    if case != "datv":
        return ""
    own = person.dative_correction
    linked = getattr(person, "user", None) if isinstance(person, TeamMember) else None
    if not own and linked is not None and str(full_name_of(linked)) == str(full_name_of(person)):
        return str(linked.dative_correction)
    return str(own)


def gender_recorded(person: Any) -> str:
    if person.gender:
        return str(person.gender)
    linked = getattr(person, "user", None) if isinstance(person, TeamMember) else None
    return str(linked.gender) if linked is not None and linked.gender else ""


@dataclass(frozen=True)
class NameForm:
    """The name as one template prints it."""

    text: str
    case: str
    doubts: tuple[str, ...] = ()
    alternative: str = ""
    corrected: bool = False

    @property
    def doubtful(self) -> bool:
        return bool(self.doubts) and not self.corrected


def name_form(name: FullName, case: str, *, gender: str = "", correction: str = "") -> NameForm:
    """The name in ``case``: the organiser's correction where there is one, else the declension."""
    if case == "nomn":
        return NameForm(str(name), case)
    if correction:
        return NameForm(correction, case, corrected=True)
    declension = decline_full(name, case, gender=gender or None)
    return NameForm(declension.text, case, declension.doubts, declension.alternative)


def person_name_form(person: Any, case: str) -> NameForm:
    return name_form(full_name_of(person), case, gender=gender_recorded(person),
                     correction=correction_of(person, case))


# --- The review list -----------------------------------------------------------------------------------


@dataclass
class ReviewRow:
    person: Any
    key: str  # "member-12" / "user-5": what the correction form posts
    nominative: str
    gender: str
    gender_source: str
    usages: list[dict[str, Any]]  # one per case used: case, label, text, kinds (the diplomas' names)
    doubts: list[str]
    alternative: str
    corrected: bool

    @property
    def doubtful(self) -> bool:
        return bool(self.doubts)


def _gender_source(person: Any) -> tuple[str, str]:
    recorded = gender_recorded(person)
    if recorded:
        return recorded, str(_("указан"))
    from_patronymic = gender_from_patronymic(person.patronymic or "")
    if from_patronymic:
        return from_patronymic, str(_("по отчеству"))
    return "", str(_("не указан"))


def review(championship: Any) -> list[ReviewRow]:
    """Every person who gets a diploma, with their name in each case the templates use for them;
    the doubtful ones (not yet corrected) first, then alphabetically."""
    from .diplomas import WORDING, recipients

    kinds_of: dict[str, list[str]] = {}
    people: dict[str, Any] = {}
    for spec in recipients(championship):
        key = f"member-{spec.member_id}" if spec.member_id else f"user-{spec.user_id}"
        kinds_of.setdefault(key, [])
        if spec.kind not in kinds_of[key]:
            kinds_of[key].append(spec.kind)
        people[key] = None
    member_ids = [int(k.split("-")[1]) for k in people if k.startswith("member-")]
    user_ids = [int(k.split("-")[1]) for k in people if k.startswith("user-")]
    for member in TeamMember.objects.filter(pk__in=member_ids).select_related("user"):
        people[f"member-{member.pk}"] = member
    for user in User.objects.filter(pk__in=user_ids):
        people[f"user-{user.pk}"] = user
    from .models import DiplomaKind

    rows = []
    for key, person in people.items():
        if person is None:
            continue
        usages: dict[str, dict[str, Any]] = {}
        for kind in kinds_of[key]:
            wording = WORDING[kind]
            usage = usages.setdefault(wording["case"], {"case": wording["case"],
                                                        "label": CASE_LABEL.get(wording["case"], wording["case"]),
                                                        "leads": [], "kinds": []})
            if wording["lead"] not in usage["leads"]:
                usage["leads"].append(wording["lead"])
            usage["kinds"].append(str(DiplomaKind(kind).label))
        doubts: list[str] = []
        alternative = ""
        corrected = False
        for case, usage in usages.items():
            form = person_name_form(person, case)
            usage["text"] = form.text
            corrected = corrected or form.corrected
            if form.doubtful:
                doubts.extend(d for d in form.doubts if d not in doubts)
                alternative = alternative or form.alternative
        gender, source = _gender_source(person)
        rows.append(ReviewRow(person=person, key=key, nominative=str(full_name_of(person)), gender=gender,
                              gender_source=source, usages=sorted(usages.values(), key=lambda u: u["case"] != "nomn"),
                              doubts=[str(DOUBT_TEXT[d]) for d in doubts], alternative=alternative,
                              corrected=corrected))
    rows.sort(key=lambda r: (not r.doubtful, r.nominative))
    return rows


def person_by_key(championship: Any, key: str) -> Any:
    """The person a review row names, scoped to the championship (None if not one of its people)."""
    kind, _sep, raw = key.partition("-")
    if not raw.isdigit():
        return None
    if kind == "member":
        return TeamMember.objects.filter(pk=int(raw), application__championship=championship).first()
    if kind == "user":
        return User.objects.filter(pk=int(raw), role_assignments__championship=championship).distinct().first()
    return None


# --- The correction --------------------------------------------------------------------------------------


def _clean_name(text: str) -> str:
    value = " ".join(text.split())
    if len(value) > 450:
        raise DomainError(_("ФИО длиннее 450 знаков."), field="dative")
    if value and not _NAME_CHARS.match(value):
        raise DomainError(_("В ФИО допустимы только буквы, пробел, дефис, точка и апостроф."), field="dative")
    return value


def correct_name(person: Any, *, dative: str, gender: str, by: Any, championship: Any = None,
                 reason: str = "") -> Any:
    """Set a person's gender and the corrected dative form of their name (empty: the automatic form).

    The correction is kept on the person with the nominative it was made for, audited, and written
    into the person's diplomas not yet revoked (their PDF is laid out again on the next download)."""
    if not isinstance(person, TeamMember | User):
        raise DomainError(_("Исправить можно ФИО участника, наставника или эксперта."))
    if gender not in ("", *Gender.values):
        raise DomainError(_("Выберите пол из списка."), field="gender")
    dative = _clean_name(dative)
    nominative = str(full_name_of(person))
    with transaction.atomic():
        model = type(person)
        stored = model.objects.select_for_update().get(pk=person.pk)
        fields = ("gender", "name_dative", "name_dative_for")
        before = {f: getattr(stored, f) for f in fields}
        if dative and dative == person_name_form(stored, "datv").text and not stored.dative_correction:
            dative = ""  # the form printed today, sent back unchanged: no correction of the text
        automatic = name_form(full_name_of(stored), "datv", gender=gender).text
        after = {"gender": gender, "name_dative": "" if dative == automatic else dative,
                 "name_dative_for": "" if not dative or dative == automatic else nominative}
        if after == before:
            return stored
        model.objects.filter(pk=person.pk).update(**after)
        for name, value in after.items():
            setattr(person, name, value)
        if championship is None and isinstance(person, TeamMember):
            championship = person.application.championship
        record(actor=by, action=AuditEntry.Action.UPDATE, instance=person, before=before,
               after={**after, "full_name": nominative, "dative_printed": after["name_dative"] or automatic},
               reason=reason or _("Исправление ФИО для дипломов"), championship=championship)
        _refresh_diplomas(person)
    return person


def diplomas_of_person(person: Any) -> Any:
    query = Diploma.objects.filter(revoked_at__isnull=True)
    if isinstance(person, TeamMember):
        return query.filter(member=person)
    return query.filter(user=person, member__isnull=True)


def _refresh_diplomas(person: Any) -> None:
    """The person's diplomas print the name in each template's case as it is now."""
    from .diplomas import WORDING

    for diploma in diplomas_of_person(person):
        text = person_name_form(person, WORDING[diploma.kind]["case"]).text
        if text != diploma.declined_name:
            Diploma.objects.filter(pk=diploma.pk).update(declined_name=text, pdf="")

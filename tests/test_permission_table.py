"""Every page and API route × every role: allowed, denied, or anonymous redirected (SPEC §0, X-1).

The table must name every route the project serves: a new route without an entry fails
``test_every_route_has_an_entry``. Each role below holds its assignment in championship A only;
"outsider" is the Directorate of another championship, "nobody" has an account and no role.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from profmaster.accounts.domain import create_api_token
from profmaster.accounts.models import Role
from profmaster.championships.models import (
    CompetencyDocument,
    InfrastructureItem,
    ProgrammeSlot,
    SkillSection,
)
from profmaster.organisations.models import ContactPerson

from .factories import (
    AgeCategoryFactory,
    BaseVenueFactory,
    ChampionshipFactory,
    CompetencyFactory,
    OrganisationFactory,
    StageFactory,
    UserFactory,
    VenueFactory,
    WorkplaceFactory,
    give_role,
)

ROLES = ("platform", "directorate", "chief", "expert", "expert_other", "mentor", "participant", "quality",
         "venue_admin", "outsider", "nobody")
EVERYONE = frozenset(ROLES)
IN_CHAMPIONSHIP = EVERYONE - {"outsider", "nobody"}
MANAGERS = frozenset({"platform", "directorate"})
ANY_DIRECTORATE = frozenset({"platform", "directorate", "outsider"})
AUDITORS = MANAGERS | {"quality"}
REGISTER = AUDITORS | {"chief"}
DOC_READERS = REGISTER | {"expert"}  # the expert is a required signer of the document
DOC_SIGNERS = frozenset({"chief", "expert"})
DOC_EDITORS = MANAGERS | {"chief"}


@dataclass
class World:
    users: dict[str, Any] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.objects[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


@pytest.fixture
def world(db) -> World:
    w = World()
    champ = ChampionshipFactory()
    other = ChampionshipFactory(name="Другой чемпионат")
    c1 = CompetencyFactory(championship=champ, name="Кондитерское дело")
    c2 = CompetencyFactory(championship=champ, name="Электроника")
    w.users = {role: UserFactory(email=f"{role}@example.ru") for role in ROLES}
    give_role(w.users["platform"], Role.DIRECTORATE, None)
    give_role(w.users["directorate"], Role.DIRECTORATE, champ)
    give_role(w.users["chief"], Role.CHIEF_EXPERT, champ, c1)
    give_role(w.users["expert"], Role.EXPERT, champ, c1)
    give_role(w.users["expert_other"], Role.EXPERT, champ, c2)
    give_role(w.users["mentor"], Role.MENTOR, champ)
    give_role(w.users["participant"], Role.PARTICIPANT, champ)
    give_role(w.users["quality"], Role.QUALITY_CONTROL, champ)
    give_role(w.users["venue_admin"], Role.VENUE_ADMIN, champ)
    give_role(w.users["outsider"], Role.DIRECTORATE, other)
    stage = StageFactory(championship=champ)
    base_venue = BaseVenueFactory(championship=champ, venue=VenueFactory())
    organisation = OrganisationFactory()
    w.objects = {
        "championship": champ, "competency": c1, "stage": stage, "base_venue": base_venue,
        "age_category": AgeCategoryFactory(championship=champ),
        "workplace": WorkplaceFactory(base_venue=base_venue, competency=c1),
        "skill_section": SkillSection.objects.create(competency=c1, number=1, title="Раздел"),
        "infrastructure": InfrastructureItem.objects.create(competency=c1, name="Миксер", quantity=Decimal(1)),
        "competency_document": _competency_document(c1, w.users["directorate"]),
        "programme_slot": ProgrammeSlot.objects.create(
            championship=champ, stage=stage, title="Поток 1", starts_at=timezone.now(),
            ends_at=timezone.now() + dt.timedelta(hours=2)),
        "organisation": organisation,
        "contact": ContactPerson.objects.create(organisation=organisation, full_name="Контактов К. К."),
        "venue": VenueFactory(),
        "document": _document(champ, c1, w.users),
    }
    for role, user in w.users.items():
        w.objects[f"token_{role}"] = create_api_token(user, name="таблица прав")[0]
    return w


def _competency_document(competency: Any, user: Any) -> CompetencyDocument:
    from django.core.files.base import ContentFile

    doc = CompetencyDocument(competency=competency, kind=CompetencyDocument.Kind.TASK, title="Задание",
                             uploaded_by=user)
    doc.file.save("task.pdf", ContentFile(b"%PDF-1.4 demo"), save=True)
    return doc


def _document(championship: Any, competency: Any, users: dict[str, Any]) -> Any:
    from profmaster.documents.domain import create_document
    from profmaster.documents.models import DocumentType

    return create_document(championship=championship, competency=competency, doc_type=DocumentType.JUDGING_ROLES,
                           title="Протокол распределения судейских ролей", data={"text": "Роли распределены."},
                           signers=[(users["chief"], "Главный эксперт"), (users["expert"], "Эксперт")],
                           by=users["chief"])


@dataclass(frozen=True)
class Page:
    allowed: frozenset[str]
    kwargs: Callable[[World], dict[str, Any]] = lambda w: {}
    method: str = "get"
    public: bool = False  # anonymous may open it too
    data: Callable[[World], dict[str, Any]] = lambda w: {}


def ch(w: World) -> dict[str, Any]:
    return {"pk": w.championship.pk}


def kind(name: str, obj: str | None = None) -> Callable[[World], dict[str, Any]]:
    def kwargs(w: World) -> dict[str, Any]:
        result = {"pk": w.championship.pk, "kind": name}
        if obj:
            result["object_pk"] = w.objects[obj].pk
        return result
    return kwargs


PAGES: dict[str, Page] = {
    "home": Page(EVERYONE, public=True),
    "cabinet": Page(EVERYONE),
    "set_language": Page(EVERYONE, method="post", public=True, data=lambda w: {"language": "ru", "next": "/"}),
    "accounts:login": Page(EVERYONE, public=True),
    "accounts:logout": Page(EVERYONE, method="post", public=True),
    "accounts:password_reset": Page(EVERYONE, public=True),
    "accounts:password_reset_done": Page(EVERYONE, public=True),
    "accounts:password_reset_confirm": Page(EVERYONE, public=True,
                                            kwargs=lambda w: {"uidb64": "MQ", "token": "set-password"}),
    "accounts:password_reset_complete": Page(EVERYONE, public=True),
    "accounts:profile": Page(EVERYONE),
    "accounts:revoke_token": Page(frozenset({"directorate"}), method="post",
                                  kwargs=lambda w: {"pk": w.token_directorate.pk}),
    "organisations:list": Page(ANY_DIRECTORATE),
    "organisations:create": Page(ANY_DIRECTORATE),
    "organisations:detail": Page(ANY_DIRECTORATE, kwargs=lambda w: {"pk": w.organisation.pk}),
    "organisations:edit": Page(ANY_DIRECTORATE, kwargs=lambda w: {"pk": w.organisation.pk}),
    "organisations:delete": Page(ANY_DIRECTORATE, kwargs=lambda w: {"pk": w.organisation.pk}),
    "organisations:contact_create": Page(ANY_DIRECTORATE, kwargs=lambda w: {"pk": w.organisation.pk}),
    "organisations:contact_edit": Page(ANY_DIRECTORATE,
                                       kwargs=lambda w: {"pk": w.organisation.pk, "contact_pk": w.contact.pk}),
    "organisations:contact_delete": Page(ANY_DIRECTORATE,
                                         kwargs=lambda w: {"pk": w.organisation.pk, "contact_pk": w.contact.pk}),
    "organisations:venue_create": Page(ANY_DIRECTORATE),
    "organisations:venue_edit": Page(ANY_DIRECTORATE, kwargs=lambda w: {"pk": w.venue.pk}),
    "championships:list": Page(EVERYONE),
    "championships:create": Page(frozenset({"platform"})),
    "championships:detail": Page(IN_CHAMPIONSHIP, kwargs=ch),
    "championships:edit": Page(MANAGERS, kwargs=ch),
    "championships:status": Page(MANAGERS, kwargs=ch, method="post"),
    "championships:stage_phase": Page(MANAGERS, method="post",
                                      kwargs=lambda w: {"pk": w.championship.pk, "stage_pk": w.stage.pk}),
    "championships:competency": Page(IN_CHAMPIONSHIP,
                                     kwargs=lambda w: {"pk": w.championship.pk, "competency_pk": w.competency.pk}),
    "championships:competency_document_download": Page(
        IN_CHAMPIONSHIP, kwargs=lambda w: {"pk": w.championship.pk, "document_pk": w.competency_document.pk}),
    "championships:roles": Page(MANAGERS, kwargs=ch),
    # a fresh assignment for every try, so one role's successful revoke does not hide the next one's
    "championships:role_revoke": Page(MANAGERS, method="post", kwargs=lambda w: {
        "pk": w.championship.pk, "assignment_pk": give_role(UserFactory(), Role.MENTOR, w.championship).pk}),
    "audit:log": Page(AUDITORS, kwargs=ch),
    "documents:register": Page(REGISTER, kwargs=lambda w: {"championship_pk": w.championship.pk}),
    "documents:create": Page(DOC_EDITORS, kwargs=lambda w: {"championship_pk": w.championship.pk}),
    "documents:detail": Page(DOC_READERS, kwargs=lambda w: {"pk": w.document.pk}),
    "documents:sign": Page(DOC_SIGNERS, method="post", kwargs=lambda w: {"pk": w.document.pk},
                           data=lambda w: {"password": "неверный"}),
    "documents:edit": Page(DOC_EDITORS, kwargs=lambda w: {"pk": w.document.pk}),
    "documents:pdf": Page(DOC_READERS, kwargs=lambda w: {"pk": w.document.pk}),
}
STRUCTURE_OBJECTS = {
    "stage": "stage", "age-category": "age_category", "competency": "competency", "skill-section": "skill_section",
    "infrastructure": "infrastructure", "competency-document": "competency_document", "base-venue": "base_venue",
    "workplace": "workplace", "programme-slot": "programme_slot",
}
for _kind, _obj in STRUCTURE_OBJECTS.items():
    PAGES[f"championships:structure_create[{_kind}]"] = Page(MANAGERS, kwargs=kind(_kind))
    PAGES[f"championships:structure_edit[{_kind}]"] = Page(MANAGERS, kwargs=kind(_kind, _obj))
    PAGES[f"championships:structure_delete[{_kind}]"] = Page(MANAGERS, kwargs=kind(_kind, _obj))

#: Django's admin is guarded by its own staff check; one entry stands for the whole namespace.
EXCLUDED_NAMESPACES = {"admin", "api"}


def _walk(patterns: list[Any], namespace: str = "") -> list[str]:
    names = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            names.extend(_walk(entry.url_patterns, full))
        elif isinstance(entry, URLPattern) and entry.name:
            names.append(f"{namespace}:{entry.name}" if namespace else entry.name)
    return names


def test_every_route_has_an_entry():
    """A new page without a line in PAGES fails here, so nobody forgets to decide who may open it."""
    from profmaster.championships.views import KINDS

    served = {name for name in _walk(get_resolver().url_patterns)
              if name.split(":")[0] not in EXCLUDED_NAMESPACES}
    covered = {name.split("[")[0] for name in PAGES}
    assert served - covered == set(), "routes without an entry in the permission table"
    assert covered - served == set(), "entries for routes that no longer exist"
    assert set(STRUCTURE_OBJECTS) == set(KINDS)


def _url(name: str, page: Page, w: World) -> str:
    return reverse(name.split("[")[0], kwargs=page.kwargs(w))


def _request(client: Client, page: Page, url: str, w: World) -> Any:
    if page.method == "post":
        return client.post(url, page.data(w))
    return client.get(url)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_permissions(name, world):
    """Every role gets exactly the access the table says; anonymous visitors are sent to log in."""
    page = PAGES[name]
    outcome = {}
    for role in ROLES:
        client = Client()
        client.force_login(world.users[role])
        response = _request(client, page, _url(name, page, world), world)
        sent_to_login = "/accounts/login/?next=" in response.get("Location", "")
        outcome[role] = response.status_code not in (403, 404) and not sent_to_login
    expected = {role: role in page.allowed for role in ROLES}
    assert outcome == expected

    anonymous = _request(Client(), page, _url(name, page, world), world)
    if page.public:
        assert anonymous.status_code in (200, 302)
        assert "/accounts/login/?next=" not in anonymous.get("Location", "")
    else:
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith("/accounts/login/?next=")


def test_admin_is_staff_only(world):
    for role in ROLES:
        client = Client()
        client.force_login(world.users[role])
        response = client.get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]

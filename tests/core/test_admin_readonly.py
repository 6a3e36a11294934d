"""The admin of disputes and appeals (AP-1…AP-4), «Лучший по профессии» (REG-1, RM-4, RM-7), video (RM-3),
support (RM-6), the regional commission (RM-5) and УПМ (UPM-1…UPM-7) is read-only: every state change goes
through a domain function, so nobody adds, changes or deletes a record there. Its lists answer with a number of
queries that does not grow with the rows, and it shows no secret and no personal data the pages protect (X-1).

The rows are made directly, field by field (:func:`make`): the admin reads whatever the database holds, and
every model of these apps gets rows without a fixture of its own."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.admin.sites import site
from django.db import connection, models
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from profmaster.accounts.models import User
from profmaster.championships.models import AgeCategory, BaseVenue, Championship, Competency, Stage
from profmaster.organisations.models import Organisation, Venue

from ..factories import (
    AgeCategoryFactory,
    BaseVenueFactory,
    ChampionshipFactory,
    CompetencyFactory,
    OrganisationFactory,
    StageFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

APPS = {"disputes", "appeals", "best_in_profession", "video", "support", "regional_commission", "upm"}
ADMINS = sorted(((m._meta.app_label, m._meta.model_name), m) for m in site._registry if m._meta.app_label in APPS)
MODELS = {key: model for key, model in ADMINS}
#: Configured in the admin on purpose (through ``video.domain.save_provider``; the secret is write-only).
WRITABLE = {("video", "videoprovider")}
#: Not in the admin on purpose: the closed hearing's notes and votes and the chair's ballots (AP-3, 003 §8.10),
#: contestants' personal data (RM-7); the rest are shown inline on their parent's page.
UNLISTED = {("appeals", "hearingnote"), ("appeals", "hearingvote"), ("appeals", "chairballot"),
            ("best_in_profession", "contestantprofile"), ("best_in_profession", "venuechecklistitem"),
            ("best_in_profession", "venuegroupmember"), ("support", "supportreply")}

FACTORIES: dict[type[models.Model], Any] = {
    User: UserFactory, Championship: ChampionshipFactory, Competency: CompetencyFactory,
    Organisation: OrganisationFactory, Venue: VenueFactory, Stage: StageFactory, AgeCategory: AgeCategoryFactory,
    BaseVenue: BaseVenueFactory,
}
#: What a row needs beyond its required fields to satisfy its model's check constraints.
EXTRA: dict[str, dict[str, Any]] = {
    "disputes.voteround": {"number": 1},
    "video.videoprovider": {"secret": "s3cr3t-shared"},
    "video.videosession": {"ends_at": timezone.now() + dt.timedelta(hours=1), "room": lambda n: f"pm-room-{n}"},
    "best_in_profession.venuegroup": {"ends_at": timezone.now() + dt.timedelta(hours=1)},
    "support.supportrequest": {"author_email": "asks@example.ru"},
    "upm.professionaltrial": {"source": "Профпроба 2024 года"},
    "registration.teammember": {"birth_date": dt.date(2000, 5, 17)},
}
_seq = itertools.count(1)


def _value(field: models.Field) -> Any:
    n = next(_seq)
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.EmailField):
        return f"row{n}@example.ru"
    if isinstance(field, models.URLField):
        return f"https://example.ru/{n}"
    if isinstance(field, models.FileField):
        return f"private/row-{n}.pdf"
    if isinstance(field, (models.CharField, models.TextField)):
        return f"Запись {n}"[: field.max_length or None]
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.DecimalField):
        return Decimal(1)
    if isinstance(field, (models.IntegerField, models.PositiveIntegerField)):
        return n if field.unique else 1
    if isinstance(field, models.DateTimeField):
        return timezone.now()
    if isinstance(field, models.DateField):
        return timezone.localdate()
    raise NotImplementedError(field)


def make(model: type[models.Model], **given: Any) -> Any:
    """One row of ``model`` with its required fields filled and every required relation a fresh row of its own
    (so that no unique constraint is hit and a list's related rows are all different); ``given`` fields as given."""
    if model in FACTORIES:
        return FACTORIES[model](**given)
    values: dict[str, Any] = {}
    extra = {**EXTRA.get(model._meta.label_lower, {}), **given}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in extra:
            continue
        if field.is_relation:
            if not field.null:
                values[field.name] = make(field.related_model)
            continue
        if field.null or field.has_default() or getattr(field, "auto_now", False) or getattr(
                field, "auto_now_add", False) or (field.blank and not isinstance(field, models.BooleanField)):
            continue
        values[field.name] = _value(field)
    values.update({name: value(next(_seq)) if callable(value) else value for name, value in extra.items()})
    return model.objects.create(**values)


@pytest.fixture
def admin_client() -> Client:
    root = User.objects.create_superuser("root@profmaster.local", "Masteryata-2023", last_name="Орёл",
                                         first_name="Пётр")
    client = Client()
    client.force_login(root)
    return client


def test_ap_rm_upm_every_model_is_in_the_admin_or_left_out_on_purpose():
    from django.apps import apps

    every = {(m._meta.app_label, m._meta.model_name) for label in APPS for m in apps.get_app_config(label).get_models()}
    assert every - set(MODELS) == UNLISTED
    assert len(MODELS) >= 35


@pytest.mark.parametrize("key", sorted(set(MODELS) - WRITABLE), ids="_".join)
def test_ap_rm_upm_admin_lists_and_shows_records_and_never_changes_them(admin_client, key):
    app, name = key
    row = make(MODELS[key])
    listed = admin_client.get(reverse(f"admin:{app}_{name}_changelist"))
    assert listed.status_code == 200
    assert listed.context["cl"].result_count == 1
    assert admin_client.get(reverse(f"admin:{app}_{name}_change", args=[row.pk])).status_code == 200
    assert admin_client.get(reverse(f"admin:{app}_{name}_add")).status_code == 403
    assert admin_client.post(reverse(f"admin:{app}_{name}_add"), {}).status_code == 403
    assert admin_client.post(reverse(f"admin:{app}_{name}_change", args=[row.pk]), {}).status_code == 403
    assert admin_client.post(reverse(f"admin:{app}_{name}_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    assert MODELS[key].objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("key", sorted(MODELS), ids="_".join)
def test_ap_rm_upm_admin_list_queries_do_not_grow_with_rows(admin_client, key):
    app, name = key
    url = reverse(f"admin:{app}_{name}_changelist")
    make(MODELS[key])
    admin_client.get(url)  # the session, content types and the like are read once
    with CaptureQueriesContext(connection) as one:
        assert admin_client.get(url).status_code == 200
    for _ in range(4):
        make(MODELS[key])
    with CaptureQueriesContext(connection) as five:
        response = admin_client.get(url)
    assert response.context["cl"].result_count == 5
    assert len(five) == len(one), [q["sql"] for q in five.captured_queries][len(one):]


def _pages(client: Client, row: models.Model) -> str:
    """The row's list, its own page and its history, as one text."""
    app, name = row._meta.app_label, row._meta.model_name
    pages = [client.get(reverse(f"admin:{app}_{name}_{page}", args=args))
             for page, args in (("changelist", []), ("change", [row.pk]), ("history", [row.pk]))]
    assert [page.status_code for page in pages] == [200, 200, 200]
    return "".join(page.content.decode() for page in pages)


def test_rm3_admin_shows_no_meeting_room_link_or_recording_file(admin_client):
    """A session's room and link and a recording's file, addresses and id on the service open the meeting or the
    recording without the platform's check: the admin shows none of them (a stored recording's page answers)."""
    from profmaster.video.models import Recording, RecordingView, VideoSession

    session = make(VideoSession, provider_kind="link", link_url="https://meet.example.ru/secret-room-link",
                   room="pm-6f1d2c3b4a5968778695a4b3c2d1e0f9")
    recording = make(Recording, session=session, state="stored", provider_record_id="rec-8c7b6a5948372615",
                     file="video-recordings/1/0a1b2c3d4e5f.mp4", source_url="https://bbb.example.ru/raw/rec-8c7b6a",
                     playback_url="https://bbb.example.ru/playback/rec-8c7b6a")
    view = make(RecordingView, recording=recording)
    text = _pages(admin_client, session) + _pages(admin_client, recording) + _pages(admin_client, view)
    assert session.title in text
    for secret in ("secret-room-link", session.room, "rec-8c7b6a", "0a1b2c3d4e5f"):
        assert secret not in text


def test_rm3_admin_never_shows_a_video_servers_secret(admin_client):
    from profmaster.video.models import VideoProvider

    provider = make(VideoProvider, secret="bbb-shared-secret-value")
    assert "bbb-shared-secret-value" not in _pages(admin_client, provider)


def test_ap2_admin_names_the_appeals_scan_but_neither_its_path_nor_the_case_file(admin_client):
    """AP-2, AP-3 (003 §8.10): the scanned form opens only from the appeal's page, and the case file (persons,
    respondent, claim) is the commission's; the admin shows the register."""
    from profmaster.appeals.models import Appeal

    appeal = make(Appeal, scan="appeal-scans/1/9f8e7d6c5b4a.pdf", scan_name="Апелляция-подписанная.pdf",
                  persons="Соколова Вероника Игоревна", respondent="Эксперт Кравцов", claim="Засчитать пункт Б2")
    text = _pages(admin_client, appeal)
    assert "Апелляция-подписанная.pdf" in text
    for hidden in ("9f8e7d6c5b4a", "Соколова", "Кравцов", "Засчитать пункт Б2"):
        assert hidden not in text


def test_ap1_admin_does_not_name_the_participant_a_dispute_was_raised_for(admin_client):
    from profmaster.disputes.models import Dispute
    from profmaster.registration.models import TeamMember

    child = make(TeamMember, last_name="Белоусова", first_name="Ульяна")
    dispute = make(Dispute, on_behalf_of=child)
    assert "Белоусова" not in _pages(admin_client, dispute)


def test_x1_upm_admin_never_names_a_pupil_or_their_parent(admin_client):
    """UPM-5, UPM-7 (X-1): pupils are minors; the admin names them and their parents by account number only."""
    from profmaster.upm.models import Attendance, Confirmation, FamilyLink, ProfessionalTrial

    pupil = UserFactory(last_name="Смородинова", first_name="Алиса")
    parent = UserFactory(last_name="Смородинов", first_name="Глеб")
    confirmation = make(Confirmation, pupil=pupil, parent=parent)
    rows = [confirmation, make(Attendance, confirmation=confirmation), make(FamilyLink, parent=parent, child=pupil),
            make(ProfessionalTrial, pupil=pupil)]
    text = "".join(_pages(admin_client, row) for row in rows)
    assert "Смородинов" not in text
    assert f">{pupil.pk}<" in text


def test_rm7_admin_shows_no_contestants_personal_data_nor_scan(admin_client):
    """RM-7 (X-1): the contestant's data is read on the pages that log the access; the admin lists scans by kind
    and retention, and the access log by the contestant's number."""
    from profmaster.best_in_profession.models import ContestantDocument, PersonalDataAccess
    from profmaster.registration.models import TeamMember

    member = make(TeamMember, last_name="Кузнецова", first_name="Дарья")
    document = make(ContestantDocument, profile=make_profile(member), file="contestant-scans/1/5d4c3b2a.pdf")
    access = make(PersonalDataAccess, member=member, subject_name="Кузнецова Дарья", what="Карточка участника")
    text = _pages(admin_client, document) + _pages(admin_client, access)
    assert "Карточка участника" in text
    for hidden in ("Кузнецова", "5d4c3b2a"):
        assert hidden not in text


def make_profile(member: Any) -> Any:
    from profmaster.best_in_profession.models import ContestantProfile

    return make(ContestantProfile, member=member, years_of_service=Decimal("7.5"))


def test_rm6_admin_does_not_show_a_requests_reply_address(admin_client):
    from profmaster.support.models import SupportRequest

    request = make(SupportRequest, author_email="zoya.reply@example.ru", subject="Не открывается экзамен")
    text = _pages(admin_client, request)
    assert "Не открывается экзамен" in text
    assert "zoya.reply" not in text

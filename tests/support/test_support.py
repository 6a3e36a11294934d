"""RM-6 (000 §13): the support desk of every event — requests from any page and from the public form, the duty
roster, answers by the on-duty staff only, the time to the first answer, the FAQ, and refusals of bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from profmaster.accounts.models import Role
from profmaster.core.errors import AccessDenied, DomainError, TransitionError
from profmaster.notifications.models import OutboundEmail
from profmaster.support import domain, metrics
from profmaster.support.models import DutyAssignment, FaqEntry, SupportReply, SupportRequest

from ..factories import ChampionshipFactory, UserFactory, give_role

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def duty(championship, directorate_user):
    staff = UserFactory(last_name="Дежурнова", first_name="Дарья", email="duty@example.ru")
    give_role(staff, Role.VENUE_ADMIN, championship)
    domain.set_duty(championship, staff, note="Онлайн-экзамен", by=directorate_user)
    return staff


@pytest.fixture
def contestant(championship):
    user = UserFactory(last_name="Пьеха", first_name="Эдита", email="pyekha@example.ru")
    give_role(user, Role.PARTICIPANT, championship)
    return user


# --- Pure arithmetic -----------------------------------------------------------------------------------------

T0 = dt.datetime(2023, 3, 1, 9, 0, tzinfo=dt.UTC)
MIN = dt.timedelta(minutes=1)


@pytest.mark.parametrize(("waits", "median"), [
    ([], None),
    ([None, None], None),
    ([5 * MIN], 5 * MIN),
    ([5 * MIN, None, 15 * MIN], 10 * MIN),
    ([MIN, 2 * MIN, 90 * MIN], 2 * MIN),
    ([dt.timedelta(seconds=1), dt.timedelta(seconds=2)], dt.timedelta(seconds=1)),  # 1.5 s → 1 s
    ([3 * MIN, MIN, 2 * MIN, 48 * 60 * MIN], dt.timedelta(seconds=150)),
])
def test_rm6_median_wait_table(waits, median):
    assert metrics.median_wait(waits) == median


@pytest.mark.parametrize(("seconds", "text"), [
    (None, "—"), (0, "0 с"), (45, "45 с"), (60, "1 мин"), (12 * 60 + 59, "12 мин"), (3600 + 5 * 60, "1 ч 05 мин"),
    (3 * 86400 + 4 * 3600, "3 дн 4 ч"),
])
def test_rm6_format_wait(seconds, text):
    assert metrics.format_wait(None if seconds is None else dt.timedelta(seconds=seconds)) == text


def test_rm6_wait_never_negative():
    assert metrics.first_answer_wait(T0, T0 - MIN) == dt.timedelta(0)
    assert metrics.first_answer_wait(T0, None) is None


# --- Domain --------------------------------------------------------------------------------------------------


def test_rm6_signed_in_request_answered_by_duty_with_times_and_emails(championship, duty, contestant):
    request = domain.open_request(championship, text="Не открывается экзамен\nОшибка 409", page_url="/attempts/7/",
                                  by=contestant)
    assert (request.number, request.subject, request.status, request.author_name, request.page_url) == (
        1, "Не открывается экзамен", "new", contestant.full_name, "/attempts/7/")
    staff_mail = OutboundEmail.objects.get(to="duty@example.ru")
    assert "Новое обращение: обращение № 1" in staff_mail.subject
    domain.answer_request(request, text="Обновите страницу: попытка освобождена.", by=duty)
    request.refresh_from_db()
    assert request.status == "answered" and request.assignee == duty and request.first_answer_at is not None
    author_mail = OutboundEmail.objects.get(to="pyekha@example.ru")
    assert "Обновите страницу: попытка освобождена." in author_mail.body_text
    assert f"/support/requests/{request.pk}/" in author_mail.body_text
    # a follow-up puts it back into work with its assignee, a second answer keeps the first answer's time
    first = request.first_answer_at
    domain.add_author_message(request, text="Не помогло", by=contestant)
    request.refresh_from_db()
    assert request.status == "in_work"
    domain.answer_request(request, text="Попробуйте другой браузер", by=duty)
    request.refresh_from_db()
    assert (request.status, request.first_answer_at) == ("answered", first)
    domain.close_request(request, by=contestant)
    request.refresh_from_db()
    assert request.status == "closed" and request.closed_at is not None
    with pytest.raises(TransitionError, match="закрыто"):
        domain.add_author_message(request, text="Ещё", by=contestant)


def test_rm6_reply_by_someone_not_on_duty_refused_nothing_changes(championship, duty, contestant, directorate_user):
    request = domain.open_request(championship, text="Не приходит письмо", by=contestant)
    with pytest.raises(AccessDenied, match="вас нет в графике дежурств"):
        domain.answer_request(request, text="Ответ", by=directorate_user)
    request.refresh_from_db()
    assert (request.status, request.first_answer_at, SupportReply.objects.count()) == ("new", None, 0)


def test_rm6_assignee_only_from_the_events_roster(championship, duty, contestant, directorate_user):
    request = domain.open_request(championship, text="Вопрос", by=contestant)
    elsewhere = ChampionshipFactory(name="Другой")
    stranger = UserFactory(last_name="Чужов")
    give_role(stranger, Role.DIRECTORATE, elsewhere)
    domain.set_duty(elsewhere, stranger, by=stranger)
    with pytest.raises(DomainError, match="только дежурного"):
        domain.assign_request(request, stranger, by=directorate_user)
    domain.assign_request(request, duty, by=directorate_user)
    request.refresh_from_db()
    assert (request.assignee, request.status) == (duty, "in_work")


def test_rm6_roster_only_people_of_the_event_and_no_orphans(championship, duty, contestant, directorate_user):
    outsider = UserFactory(last_name="Посторонний")
    with pytest.raises(DomainError, match="не работает на этом чемпионате"):
        domain.set_duty(championship, outsider, by=directorate_user)
    with pytest.raises(DomainError, match="уже в графике"):
        domain.set_duty(championship, duty, by=directorate_user)
    request = domain.open_request(championship, text="Вопрос", by=contestant)
    domain.answer_request(request, text="Ответ", by=duty)
    with pytest.raises(DomainError, match="незакрытые обращения"):
        domain.remove_duty(DutyAssignment.objects.get(user=duty), by=directorate_user)
    domain.close_request(request, by=duty)
    domain.remove_duty(DutyAssignment.objects.get(user=duty), by=directorate_user)
    assert not DutyAssignment.objects.exists()


def test_rm6_public_request_signed_link_and_forged_links(championship, duty):
    request = domain.open_request(championship, text="Не могу войти", name="Орёл Пётр", email="Orel@Example.ru",
                                  client_ip="203.0.113.5")
    assert request.author is None and request.channel == "public"
    token = domain.request_link_token(request)
    assert domain.request_from_token(token) == request
    mail = OutboundEmail.objects.get(to="Orel@Example.ru")
    assert reverse("support:public_detail", args=[token]) in mail.body_text
    other = domain.open_request(championship, text="Другое", name="Шевчук Юрий", email="shevchuk@example.ru",
                                client_ip="203.0.113.6")
    from django.core import signing

    forged = [token[:-1] + ("A" if token[-1] != "A" else "B"), "abc", "",
              # a validly signed link of the other request bound to this author's e-mail, a foreign salt
              signing.dumps({"r": other.pk, "e": "orel@example.ru"}, salt=domain.LINK_SALT),
              signing.dumps({"r": request.pk, "e": "orel@example.ru"}, salt="profmaster.other"),
              domain.request_link_token(other)[:10] + token[10:]]
    assert [domain.request_from_token(f) for f in forged] == [None] * len(forged)
    page = Client().get(reverse("support:public_detail", args=[forged[0]]))
    assert page.status_code == 404 and "Ссылка на обращение неверна или изменена" in page.content.decode()
    # through the link the author follows up; nothing for a forged one
    response = Client().post(reverse("support:public_detail", args=[forged[0]]), {"text": "Взлом"})
    assert response.status_code == 404 and SupportReply.objects.count() == 0
    Client().post(reverse("support:public_detail", args=[token]), {"action": "message", "text": "Пароль не подходит"})
    assert list(request.replies.values_list("text", "from_staff")) == [("Пароль не подходит", False)]


def test_rm6_public_flood_refused_429_nothing_created(championship, settings):
    settings.PROFMASTER = {**settings.PROFMASTER, "SUPPORT_LIMITS": {"ip": (3, 3600), "email": (2, 3600)}}
    client = Client(REMOTE_ADDR="198.51.100.7")
    url = reverse("support:public")

    def send(email: str):
        return client.post(url, {"name": "Ёлкин Ёжик", "email": email, "championship": championship.pk,
                                 "text": "Не открывается", "website": ""})

    assert [send("a@example.ru").status_code, send("a@example.ru").status_code] == [200, 200]
    flood = send("a@example.ru")  # the e-mail's limit
    assert flood.status_code == 429
    assert "Слишком много обращений подряд" in flood.content.decode()
    assert send("b@example.ru").status_code == 200
    assert send("c@example.ru").status_code == 429  # the address's limit
    assert SupportRequest.objects.count() == 3


def test_rm6_honeypot_refused_nothing_created(championship):
    response = Client().post(reverse("support:public"), {
        "name": "Бот", "email": "bot@example.ru", "championship": championship.pk, "text": "Купите", "website": "x"})
    assert response.status_code == 400
    assert "оставьте скрытое поле пустым" in response.content.decode()
    assert not SupportRequest.objects.exists()


def test_rm6_signed_in_flood_limited_per_person(championship, contestant, settings):
    settings.PROFMASTER = {**settings.PROFMASTER, "SUPPORT_LIMITS": {"user": (2, 3600)}}
    for _n in range(2):
        domain.open_request(championship, text="Вопрос", by=contestant)
    with pytest.raises(domain.Throttled):
        domain.open_request(championship, text="Вопрос", by=contestant)
    response = client_for(contestant).post(reverse("support:new"), {"championship": championship.pk, "text": "Ещё"})
    assert response.status_code == 429
    assert SupportRequest.objects.count() == 2


def test_rm6_bad_input_clear_messages(championship, contestant):
    with pytest.raises(DomainError, match="Описание проблемы"):
        domain.open_request(championship, text="   ", by=contestant)
    with pytest.raises(DomainError, match="e-mail"):
        domain.open_request(championship, text="Текст", name="Орёл", email="не адрес")
    archived = ChampionshipFactory(name="Прошлый", status="archived")
    with pytest.raises(DomainError, match="не принимает обращения"):
        domain.open_request(archived, text="Текст", name="Орёл", email="orel@example.ru")
    # another site's address is never kept as the page
    item = domain.open_request(championship, text="Текст", page_url="https://evil.example/x", by=contestant)
    assert item.page_url == ""
    assert domain.clean_page_url("//evil.example/x") == "" and domain.clean_page_url("/exams/?a=1") == "/exams/?a=1"
    response = client_for(contestant).post(reverse("support:new"), {"championship": 987654, "text": "Текст"})
    assert response.status_code == 400 and "Выберите мероприятие из списка" in response.content.decode()


# --- Pages ---------------------------------------------------------------------------------------------------


def test_rm6_every_page_links_support_with_page_and_event(championship, contestant, competency):
    page = client_for(contestant).get(reverse("championships:detail", args=[championship.pk])).content.decode()
    assert (f'id="support-link" href="/support/new/?page=%2Fchampionships%2F{championship.pk}%2F&amp;'
            f'championship={championship.pk}"') in page
    anonymous = Client().get(reverse("accounts:login")).content.decode()
    assert 'id="support-link" href="/support/public/?page=%2Faccounts%2Flogin%2F"' in anonymous
    form = client_for(contestant).get(reverse("support:new") + f"?page=/exams/1/&championship={championship.pk}")
    assert form.context["form"].initial == {"page": "/exams/1/", "championship": championship.pk}


def test_rm6_desk_shows_times_to_directorate_only(championship, duty, contestant, directorate_user):
    request = domain.open_request(championship, text="Вопрос", by=contestant)
    SupportRequest.objects.filter(pk=request.pk).update(created_at=timezone.now() - dt.timedelta(minutes=12))
    domain.answer_request(request, text="Ответ", by=duty)
    page = client_for(directorate_user).get(reverse("support:desk", args=[championship.pk]))
    html = page.content.decode()
    assert 'id="median-wait">12 мин<' in html and "по 1 обращению с ответом" in html
    staff = client_for(duty).get(reverse("support:desk", args=[championship.pk])).content.decode()
    assert "median-wait" not in staff and "Вопрос" in staff
    detail = client_for(directorate_user).get(reverse("support:detail", args=[request.pk])).content.decode()
    assert 'id="request-wait">12 мин<' in detail and 'id="not-on-duty"' in detail
    mine = client_for(contestant).get(reverse("support:mine")).content.decode()
    assert "Дан ответ" in mine


def test_rm6_reply_page_by_someone_not_on_duty_is_403(championship, duty, contestant, directorate_user):
    request = domain.open_request(championship, text="Вопрос", by=contestant)
    response = client_for(directorate_user).post(reverse("support:answer", args=[request.pk]), {"text": "Ответ"})
    assert response.status_code == 403
    assert SupportReply.objects.count() == 0


def test_rm6_faq_directorate_edits_everybody_reads(championship, directorate_user):
    client = client_for(directorate_user)
    client.post(reverse("support:faq_create", args=[championship.pk]),
                {"question": "Как войти на экзамен?", "answer": "Через личный кабинет.", "order": 1})
    duplicate = client.post(reverse("support:faq_create", args=[championship.pk]),
                            {"question": "Как войти на экзамен?", "answer": "Иначе", "order": 2})
    assert duplicate.status_code == 400 and "Такой вопрос уже есть" in duplicate.content.decode()
    public = Client().get(reverse("support:faq", args=[championship.pk])).content.decode()
    assert "Как войти на экзамен?" in public and "Через личный кабинет." in public
    entry = FaqEntry.objects.get()
    client.post(reverse("support:faq_edit", args=[championship.pk, entry.pk]), {"action": "delete"})
    assert not FaqEntry.objects.exists()


def test_rm6_cabinet_links_my_requests_and_duty(championship, duty, contestant):
    domain.open_request(championship, text="Вопрос", by=contestant)
    assert 'id="link-my-requests"' in client_for(contestant).get(reverse("cabinet")).content.decode()
    duty_cabinet = client_for(duty).get(reverse("cabinet")).content.decode()
    assert reverse("support:desk", args=[championship.pk]) in duty_cabinet and "ждёт ответа: 1" in duty_cabinet


def test_rm6_consultations_are_listed_with_the_faq_and_on_the_request_form(championship, directorate_user,
                                                                          contestant):
    """RM-6 (000 §13): the event's coming consultations (video sessions of that kind) appear on the FAQ page and
    next to the request form, in the championship's zone; the invited open theirs, others learn it is by invitation."""
    import datetime as dt

    from django.utils import timezone

    from profmaster.video import domain as video
    from profmaster.video.models import VideoSession

    starts = timezone.now() + dt.timedelta(days=1)
    session = video.schedule_session(championship, kind=VideoSession.Kind.CONSULTATION,
                                     title="Консультация: вход на онлайн-экзамен", starts_at=starts,
                                     ends_at=starts + dt.timedelta(hours=1), provider_kind="link",
                                     link_url="https://meet.example.ru/help", hosts=[directorate_user],
                                     by=directorate_user)
    anonymous = Client().get(reverse("support:faq", args=[championship.pk])).content.decode()
    assert "Консультация: вход на онлайн-экзамен" in anonymous and "по приглашению" in anonymous
    assert f'id="consultation-{session.pk}"' not in anonymous
    video.invite(session, [contestant], by=directorate_user)
    page = client_for(contestant).get(reverse("support:faq", args=[championship.pk])).content.decode()
    assert f'id="consultation-{session.pk}"' in page and reverse("video:detail", args=[session.pk]) in page
    form = client_for(contestant).get(reverse("support:new") + f"?championship={championship.pk}").content.decode()
    assert 'id="new-consultations"' in form and "Консультация: вход на онлайн-экзамен" in form

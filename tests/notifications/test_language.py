"""X-6 (issue 13 §6 «E-mail»): a person's preferred e-mail language (Russian by default, English on request)
is chosen on the profile page; ``queue_email`` writes each e-mail in its recipient's language when the caller
gives none — also when the recipient is given by address only — and the English e-mail comes out in English."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client

from profmaster.accounts import domain as accounts
from profmaster.accounts.models import User
from profmaster.audit.models import AuditEntry
from profmaster.core.errors import DomainError
from profmaster.notifications import domain
from profmaster.notifications.models import OutboundEmail

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def _queue(to, **kwargs):
    context = {"application": SimpleNamespace(label="Кондитерское дело — ГБОУ «Школа № 1»", pk=7),
               "path": "/registration/applications/7/"}
    return domain.queue_email("application_submitted", context, to, **kwargs)


def test_x6_users_language_is_russian_by_default_and_valid_in_the_database():
    user = UserFactory()
    assert User._meta.get_field("language").default == "ru" and user.language == "ru"
    with transaction.atomic(), pytest.raises(IntegrityError):
        User.objects.filter(pk=user.pk).update(language="de")


def test_x6_english_recipient_gets_the_email_in_english():
    english = UserFactory(email="smith@example.com", language="en")
    [email] = _queue(english)
    assert (email.language, email.subject) == ("en", "Application submitted")
    assert "The application has been submitted and is awaiting review by the" in email.body_text
    assert "Заявка" not in email.body_text and '<html lang="en">' in email.body_html


def test_x6_recipient_given_by_address_gets_their_language_case_insensitively():
    UserFactory(email="smith@example.com", language="en")
    UserFactory(email="ivanova@example.ru")
    emails = _queue(["  Smith@Example.COM ", "ivanova@example.ru", "stranger@example.ru"])
    assert [(e.to, e.language, e.subject) for e in emails] == [
        ("Smith@Example.COM", "en", "Application submitted"),
        ("ivanova@example.ru", "ru", "Заявка подана"),
        ("stranger@example.ru", "ru", "Заявка подана"),  # nobody we know: Russian
    ]


def test_x6_a_language_given_by_the_caller_wins():
    english = UserFactory(email="smith@example.com", language="en")
    assert [(e.language, e.subject) for e in _queue([english, "ivanova@example.ru"], language="ru")] == [
        ("ru", "Заявка подана"), ("ru", "Заявка подана")]
    assert _queue("ivanova@example.ru", language="en")[0].subject == "Application submitted"


def test_x6_a_real_notification_follows_the_mentors_language(django_capture_on_commit_callbacks):
    """REG-1's «submitted» e-mail to a mentor who chose English, through the registration domain."""
    from ..registration.conftest import Reg

    reg = Reg()
    accounts.set_language(reg.mentor_user, "en", by=reg.mentor_user)
    application = reg.valid_team()
    with django_capture_on_commit_callbacks(execute=True):
        from profmaster.registration import domain as registration

        registration.submit_application(application, by=reg.mentor_user)
    assert [(m.to, m.subject) for m in mail.outbox] == [(["mentor@example.ru"], "Application submitted")]
    assert OutboundEmail.objects.get().language == "en"


def test_x6_language_is_chosen_on_the_profile_page_and_audited():
    user = UserFactory(email="smith@example.com")
    client = Client()
    client.force_login(user)
    page = client.get("/accounts/profile/").content.decode()
    assert 'id="language-form"' in page and "Язык писем" in page
    assert '<option value="ru" selected>Русский</option>' in page

    response = client.post("/accounts/profile/", {"form": "language", "language": "en"}, follow=True)
    assert response.status_code == 200 and "Сохранено." in response.content.decode()
    user.refresh_from_db()
    assert user.language == "en"
    entry = AuditEntry.objects.get(object_type="accounts.User", object_id=str(user.pk))
    assert (entry.actor, entry.before, entry.after) == (user, {"language": "ru"}, {"language": "en"})
    assert '<option value="en" selected>English</option>' in client.get("/accounts/profile/").content.decode()


def test_x6_a_bad_language_is_refused_and_nothing_changes():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    response = client.post("/accounts/profile/", {"form": "language", "language": "klingon"}, follow=True)
    assert response.status_code == 200 and "Выберите язык писем из списка." in response.content.decode()
    with pytest.raises(DomainError) as exc:
        accounts.set_language(user, "de", by=user)
    assert exc.value.message == "Выберите язык писем из списка."
    user.refresh_from_db()
    assert user.language == "ru" and not AuditEntry.objects.filter(object_type="accounts.User").exists()

"""The helper every action button goes through (``core.actions.act``, used by the УПМ pages UPM-1…UPM-7 and the
appeals' pages AP-2, AP-3): a domain function's refusal is the page's error message and nothing else, its success
the page's success message, and the person goes back (or on to what was made)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import RequestFactory

from profmaster.core.actions import act, chosen
from profmaster.core.errors import DomainError, TransitionError


def _request():
    request = RequestFactory().post("/somewhere/")
    request._messages = CookieStorage(request)
    return request


def _said(request) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(request)]


def _refuse() -> None:
    raise DomainError("Урок уже отменён.")


def test_upm_act_refusal_is_the_error_message_and_goes_back():
    request = _request()
    response = act(request, _refuse, success="Готово.", back="/upm/lesson/7/", then=lambda result: "/elsewhere/")
    assert (response.status_code, response["Location"]) == (302, "/upm/lesson/7/")
    assert _said(request) == [("error", "Урок уже отменён.")]


def test_upm_act_success_message_from_the_result_and_on_to_what_was_made():
    request = _request()
    response = act(request, lambda: 3, success=lambda n: f"Отправлено: {n}.", back="/upm/venue/2/",
                   then=lambda n: f"/upm/lesson/{n}/")
    assert response["Location"] == "/upm/lesson/3/"
    assert _said(request) == [("success", "Отправлено: 3.")]


def test_upm_act_success_goes_back_by_default():
    request = _request()
    response = act(request, lambda: None, success="Решение записано.", back="/upm/venue/2/#agreements")
    assert response["Location"] == "/upm/venue/2/#agreements"
    assert _said(request) == [("success", "Решение записано.")]


def test_upm_act_refusal_may_render_the_page_again_with_its_status():
    request = _request()

    def fail() -> None:
        raise TransitionError("Доставка уже подтверждена.")

    response = act(request, fail, success="Готово.", back="/back/",
                   refused=lambda exc: HttpResponse(exc.message, status=exc.status_code))
    assert (response.status_code, response.content.decode()) == (409, "Доставка уже подтверждена.")
    assert _said(request) == []


def test_upm_act_lets_any_other_error_through():
    """Only the rules' refusals are the person's to read; a bug is not turned into a message."""
    def broken() -> None:
        raise KeyError("oops")

    with pytest.raises(KeyError):
        act(_request(), broken, success="Готово.", back="/back/")


def test_upm_chosen_refuses_nothing_chosen():
    assert chosen(5, "Выберите школу.") == 5
    with pytest.raises(DomainError) as refused:
        chosen(None, "Выберите школу.", field="school")
    assert (refused.value.message, refused.value.field) == ("Выберите школу.", "school")

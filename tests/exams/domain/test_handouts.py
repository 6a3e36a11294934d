"""RM-2: task hand-outs — first access recorded once, nothing before publication (exams.domain.handouts)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from profmaster.core.errors import AccessDenied, TransitionError
from profmaster.exams import domain
from profmaster.exams.models import TaskAccess, TaskHandout

from ...factories import UserFactory

pytestmark = pytest.mark.django_db


def test_rm2_first_access_recorded_once_and_never_before_publication(championship, competency, chief_expert,
                                                                      examinee):
    publish_at = timezone.now() + dt.timedelta(minutes=5)
    handout = TaskHandout(championship=championship, competency=competency, title="Модуль А",
                          text="Испеките эклеры", publish_at=publish_at)
    domain.save_handout(handout, recipients=[examinee], by=chief_expert)
    with pytest.raises(AccessDenied, match="ещё не опубликовано"):
        domain.open_handout(handout, examinee, now=publish_at - dt.timedelta(seconds=1))
    with pytest.raises(AccessDenied, match="не вам"):
        domain.open_handout(handout, UserFactory(), now=publish_at)
    first = domain.open_handout(handout, examinee, now=publish_at + dt.timedelta(seconds=3))
    second = domain.open_handout(handout, examinee, now=publish_at + dt.timedelta(minutes=9))
    assert first.pk == second.pk
    assert TaskAccess.objects.get().first_opened_at == publish_at + dt.timedelta(seconds=3)
    handout.text = "Другое"
    with pytest.raises(TransitionError, match="уже открывали"):
        domain.save_handout(handout, recipients=[examinee], by=chief_expert)


"""OP-3 timekeeping and OP-2 familiarisation: the domain functions, good and bad paths."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.cache import caches

from profmaster.audit.models import AuditEntry
from profmaster.core.errors import DomainError, TransitionError
from profmaster.documents.models import Document, DocumentType
from profmaster.timekeeping import domain
from profmaster.timekeeping.models import ExtraTime, FamiliarisationConfirmation, Timer, TimerEvent

from .conftest import FLOW_START

pytestmark = pytest.mark.django_db


def at(minutes: float) -> dt.datetime:
    return FLOW_START + dt.timedelta(minutes=minutes)


def module_timer(day, minutes=120):
    return domain.create_timer(day.flow, kind=Timer.Kind.MODULE, module=day.module, duration_minutes=minutes,
                               by=day.chief)


def test_op3_start_pause_resume_stop_recorded_and_replayed(day):
    timer = module_timer(day)
    assert timer.title == "Модуль A. Торт «Пьеха»"
    domain.start_timer(timer, by=day.chief, now=at(0))
    domain.pause_timer(timer, by=day.keeper, reason="Отключили электричество", now=at(30))
    domain.resume_timer(timer, by=day.keeper, now=at(40))
    domain.stop_timer(timer, by=day.chief, now=at(130))
    timer.refresh_from_db()
    assert timer.state == Timer.State.STOPPED
    assert list(timer.events.values_list("seq", "kind", "at", "by__email")) == [
        (1, "start", at(0), "chief@example.ru"), (2, "pause", at(30), "keeper@example.ru"),
        (3, "resume", at(40), "keeper@example.ru"), (4, "stop", at(130), "chief@example.ru")]
    state = domain.clock_of(timer, now=at(500))
    assert (state.worked, state.paused, state.remaining) == (
        dt.timedelta(minutes=120), dt.timedelta(minutes=10), dt.timedelta(0))
    assert AuditEntry.objects.filter(object_type="timekeeping.Timer", reason__startswith="Пауза: Отключили").exists()


@pytest.mark.parametrize(("history", "command", "message"), [
    ([], "pause", "Таймер «Модуль A. Торт «Пьеха»» ещё не запущен."),
    ([], "stop", "Таймер «Модуль A. Торт «Пьеха»» ещё не запущен."),
    (["start"], "resume", "Таймер «Модуль A. Торт «Пьеха»» не на паузе: продолжать нечего."),
    (["start"], "start", "Таймер «Модуль A. Торт «Пьеха»» уже идёт."),
    (["start", "pause"], "pause", "Таймер «Модуль A. Торт «Пьеха»» уже на паузе."),
    (["start", "stop"], "stop", "Таймер «Модуль A. Торт «Пьеха»» уже остановлен."),
    (["start", "stop"], "start", "Таймер «Модуль A. Торт «Пьеха»» уже остановлен."),
])
def test_op3_out_of_order_command_refused_and_nothing_changes(day, history, command, message):
    timer = module_timer(day)
    for minute, kind in enumerate(history):
        domain.command_timer(timer, kind, by=day.chief, now=at(minute))
    timer.refresh_from_db()
    before = (timer.state, list(timer.events.values_list("seq", "kind")), AuditEntry.objects.count())
    with pytest.raises(TransitionError) as refused:
        domain.command_timer(timer, command, by=day.chief, now=at(10))
    assert refused.value.message == message
    timer.refresh_from_db()
    assert (timer.state, list(timer.events.values_list("seq", "kind")), AuditEntry.objects.count()) == before


def test_op3_unknown_command_refused(day):
    with pytest.raises(DomainError, match="Неизвестная команда"):
        domain.command_timer(module_timer(day), "explode", by=day.chief)


def test_op3_extra_time_by_panel_decision_moves_only_that_teams_end(day):
    timer = module_timer(day, minutes=60)
    domain.start_timer(timer, by=day.chief, now=at(0))
    team, other = day.teams
    grant = domain.grant_extra_time(team, 15, "Решение жюри: участнице стало плохо, 15 минут", day.chief, now=at(20))
    assert (grant.minutes, grant.timer_id, grant.decided_by_id) == (15, timer.pk, day.chief.pk)
    assert TimerEvent.objects.get(extra_time=grant).kind == "extra"
    state = domain.clock_of(timer, now=at(30))
    assert state.ends_at == at(60)
    assert {t: c.ends_at for t, c in state.teams.items()} == {team.pk: at(75)}
    assert other.pk not in state.teams


@pytest.mark.parametrize(("minutes", "reason", "field"), [
    (15, "  ", "reason"), (0, "Болезнь", "minutes"), (241, "Болезнь", "minutes"), (True, "Болезнь", "minutes"),
])
def test_op3_extra_time_bad_input_refused(day, minutes, reason, field):
    timer = module_timer(day)
    domain.start_timer(timer, by=day.chief)
    with pytest.raises(DomainError) as refused:
        domain.grant_extra_time(day.teams[0], minutes, reason, day.chief)
    assert refused.value.field == field
    assert not ExtraTime.objects.exists()


def test_op3_extra_time_only_by_chief_and_not_after_stop(day):
    timer = module_timer(day)
    domain.start_timer(timer, by=day.chief)
    with pytest.raises(DomainError, match="Главный эксперт"):
        domain.grant_extra_time(day.teams[0], 10, "Болезнь", day.keeper)
    domain.stop_timer(timer, by=day.chief)
    with pytest.raises(DomainError, match="Укажите таймер"):
        domain.grant_extra_time(day.teams[0], 10, "Болезнь", day.chief)
    with pytest.raises(TransitionError, match="уже остановлен"):
        domain.grant_extra_time(day.teams[0], 10, "Болезнь", day.chief, timer=timer)
    assert not ExtraTime.objects.exists()


@pytest.mark.parametrize(("kind", "minutes", "message"), [
    ("task", 10, "не меньше 15 минут"),
    ("workplace", 31, "не больше 30 минут"),
    ("module", 60, "Выберите модуль"),
    ("module", 0, "от 1 минуты"),
    ("lunch", 30, "Выберите этап"),
])
def test_op2_familiarisation_limits(day, kind, minutes, message):
    with pytest.raises(DomainError, match=message):
        domain.create_timer(day.flow, kind=kind, duration_minutes=minutes, by=day.chief)
    assert not Timer.objects.exists()


def test_op2_workplace_familiarisation_setting_and_exception_signed_by_all_experts(day):
    domain.save_settings(day.championship, workplace_familiarisation_minutes=20, by=day.chief)
    with pytest.raises(DomainError, match="не больше 20 минут"):
        domain.create_timer(day.flow, kind="workplace", duration_minutes=25, by=day.chief)
    document = domain.familiarisation_exception_protocol(day.flow, minutes=40, reason="Новое оборудование",
                                                         by=day.chief)
    assert set(document.required_signers.values_list("user__email", flat=True)) == {
        "chief@example.ru", "keeper@example.ru", "expert@example.ru"}
    timer = domain.create_timer(day.flow, kind="workplace", duration_minutes=40, exception_document=document,
                                by=day.chief)
    with pytest.raises(DomainError, match="не подписан всеми экспертами"):
        domain.start_timer(timer, by=day.chief)
    assert timer.events.count() == 0


def test_op2_duplicate_steps_refused(day):
    module_timer(day)
    domain.create_timer(day.flow, kind="task", duration_minutes=15, by=day.chief)
    with pytest.raises(DomainError, match="уже есть таймер этого модуля"):
        module_timer(day)
    with pytest.raises(DomainError, match="уже есть такой этап"):
        domain.create_timer(day.flow, kind="task", duration_minutes=20, by=day.chief)


def _finish_familiarisation(day):
    for kind, minutes in (("workplace", 30), ("task", 15)):
        step = domain.create_timer(day.flow, kind=kind, duration_minutes=minutes, by=day.chief)
        domain.start_timer(step, by=day.chief)
        domain.stop_timer(step, by=day.chief)


def test_op2_confirmations_on_venue_device_and_own_device(day):
    member = day.teams[0].members.get(kind="participant")
    with pytest.raises(DomainError, match="нет этапов ознакомления"):
        domain.confirm_familiarisation(day.flow, member, by=day.chief, device="venue")
    _finish_familiarisation(day)
    domain.confirm_familiarisation(day.flow, member, by=day.chief, device="venue")
    with pytest.raises(DomainError, match="уже подтвердил"):
        domain.confirm_familiarisation(day.flow, member, by=day.chief, device="venue")
    mentor = day.teams[1].members.get(kind="mentor")
    with pytest.raises(DomainError, match="только сам"):
        domain.confirm_familiarisation(day.flow, mentor, by=day.pupils[0], device="own")
    domain.confirm_familiarisation(day.flow, mentor, by=day.mentors[1], device="own")
    assert sorted(FamiliarisationConfirmation.objects.values_list("member__last_name", "device")) == [
        ("Лёвин", "own"), ("Пьеха", "venue")]


def test_op2_familiarisation_protocol_signed_by_participants_and_mentors(day):
    _finish_familiarisation(day)
    document = domain.familiarisation_protocol(day.flow, by=day.chief)
    assert document.doc_type == DocumentType.FAMILIARISATION
    assert list(document.required_signers.order_by("order").values_list("user__email", flat=True)) == [
        "chief@example.ru", "pupil0@example.ru", "mentor0@example.ru", "pupil1@example.ru", "mentor1@example.ru"]
    assert [row["ФИО"] for row in document.data["Ознакомлены"]] == [
        "Пьеха Ёжик", "Семёнов Пётр", "Орёл Ёжик", "Лёвин Пётр"]
    assert {"Рабочие места", "Документация", "Охрана труда и техника безопасности", "Жюри", "Жеребьёвка"} \
        <= set(document.data)


def test_op3_timekeeping_protocol_from_events_in_moscow_time(day):
    timer = module_timer(day, minutes=60)
    domain.start_timer(timer, by=day.chief, now=at(0))
    domain.pause_timer(timer, by=day.keeper, reason="Сбой", now=at(10))
    domain.resume_timer(timer, by=day.keeper, now=at(15))
    domain.grant_extra_time(day.teams[0], 5, "Решение жюри: травма", day.chief, now=at(20))
    domain.stop_timer(timer, by=day.chief, now=at(70))
    document = domain.timekeeping_protocol(day.flow, by=day.chief)
    assert document.doc_type == DocumentType.TIMEKEEPING and document.generator == "timekeeping.timekeeping"
    assert "Москва, UTC+3" in document.data["text"]
    assert [(e["Событие"], e["Время"]) for e in document.data["События"]] == [
        ("Старт", "21.04.2023 10:00:00"), ("Пауза", "21.04.2023 10:10:00"), ("Продолжение", "21.04.2023 10:15:00"),
        ("Дополнительное время", "21.04.2023 10:20:00"), ("Стоп", "21.04.2023 11:10:00")]
    assert document.data["Этапы"][0]["Чистое время"] == "1:05:00"
    assert document.data["Дополнительное время"][0]["Минут"] == 5
    assert list(document.required_signers.values_list("user__email", flat=True)) == [
        "chief@example.ru", "keeper@example.ru"]
    from profmaster.documents.generators import generator_for

    generate = generator_for(document.generator)
    assert generate is not None and generate(document, day.chief) == (document.title, document.data)


def test_op3_timekeeping_protocol_needs_timers(day):
    with pytest.raises(DomainError, match="нет таймеров"):
        domain.timekeeping_protocol(day.flow, by=day.chief)
    assert not Document.objects.exists()


def test_op3_flow_version_moves_on_every_command(day, django_capture_on_commit_callbacks):
    caches["shared"].clear()
    timer = module_timer(day)
    first = domain.flow_version(day.flow.pk)
    assert domain.flow_version(day.flow.pk) == first
    with django_capture_on_commit_callbacks(execute=True):
        domain.start_timer(timer, by=day.chief)
    second = domain.flow_version(day.flow.pk)
    assert second != first
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionError):
        domain.start_timer(timer, by=day.chief)
    assert domain.flow_version(day.flow.pk) == second


def test_op3_a_command_stores_the_new_state_before_its_version_is_seen(day, django_capture_on_commit_callbacks):
    """OP-3 at 500 screens: the first poll that sees the new version finds its state in the shared cache already,
    so no screen's poll after a change has to compute it (the burst that made some screens see it late)."""
    from profmaster.timekeeping.selectors import cached_flow_state

    caches["shared"].clear()
    timer = module_timer(day)
    domain.flow_version(day.flow.pk)
    seen: list[object] = []
    real_set = caches["shared"].set

    def watch(key: str, value: object, *args: object, **kwargs: object) -> None:
        if key.startswith("timekeeping:flow:"):  # the moment the new version is published
            seen.append(cached_flow_state_for(value))
        real_set(key, value, *args, **kwargs)

    def cached_flow_state_for(version: object) -> object:
        state = caches["shared"].get(f"timekeeping:state:{day.flow.pk}:{version}")
        return state and state["v"]

    # the patch outlives the capture: the callbacks run when the capture's block ends
    with mock.patch.object(caches["shared"], "set", watch), django_capture_on_commit_callbacks(execute=True):
        domain.start_timer(timer, by=day.chief)
    version = domain.flow_version(day.flow.pk)
    assert seen == [version]
    state = cached_flow_state(day.flow.pk)
    assert state is not None and state["v"] == version
    assert [t["state"] for t in state["timers"]] == ["running"]


def test_op3_timers_only_for_flows(day):
    day.flow.kind = "ceremony"
    with pytest.raises(DomainError, match="только у потоков"):
        module_timer(day)

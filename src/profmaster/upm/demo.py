"""The demo festival of professions (UPM-1…UPM-5), loaded by ``manage.py load_demo`` into the demo championship.

Every УПМ demo user gets real work: the operator (upm.operator@) a board with a venue that is behind; the venue
(upm.venue@) two schools — one 20 minutes away, one 45 minutes away and so refused «Кондитерское дело», which needs
its equipment delivered — and two lessons with their links; the coordinator (coordinator@, Школа № 2097) agreed
competencies, a proposal waiting for them and their school's families; the parent (parent@) three children linked
to their account: Семён (pupil@) who may be confirmed, Алиса who has not passed the online diagnostic yet and Фёдор
who has already taken a professional trial — so every rule of seed 001 can be seen on the confirmation page.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from profmaster.accounts import domain as accounts_domain
from profmaster.accounts.models import Role, User
from profmaster.championships import timezones
from profmaster.championships.models import Championship, Competency
from profmaster.exams import domain as exams_domain
from profmaster.exams.domain import OptionData
from profmaster.exams.models import Attempt, Exam, ExamSection, Question, QuestionBank, QuestionCategory
from profmaster.organisations.models import Organisation, Venue

from . import domain
from .models import ProfessionalTrial

PASSWORD = "Masteryata-2023"


def _diagnostic(championship: Championship, by: Any) -> Exam:
    """A short published online diagnostic («Мои профессиональные интересы»), pass mark 1 of 2."""
    bank = QuestionBank.objects.create(championship=championship, name="Онлайн-диагностика «Билет в будущее»")
    category = QuestionCategory.objects.create(bank=bank, name="Интересы")
    for name, text, options in (
            ("Кондитер", "Что нужно, чтобы бисквит поднялся?",
             [OptionData("Взбить яйца с сахаром", Decimal(1)), OptionData("Добавить соль"),
              OptionData("Положить в холодильник")]),
            ("Дизайнер", "Какая программа нужна графическому дизайнеру?",
             [OptionData("Графический редактор", Decimal(1)), OptionData("Калькулятор"), OptionData("Будильник")])):
        exams_domain.save_question(Question(bank=bank, category=category, kind="single", name=name, text=text,
                                            points=Decimal(1)), options=options, by=by)
    exam = Exam(championship=championship, bank=bank, title="Онлайн-диагностика: мои профессиональные интересы",
                instructions="Ответьте на два вопроса — это займёт пару минут.", pass_mark=Decimal(1),
                max_attempts=3, time_limit_minutes=15, shuffle_questions=False)
    exams_domain.save_exam(exam, by=by)
    ExamSection.objects.create(exam=exam, category=category, count=0)
    exams_domain.change_exam_status(exam, to=Exam.Status.PUBLISHED, by=by)
    return exam


def _passed(exam: Exam, pupil: User) -> None:
    """A finished, graded attempt meeting the pass mark (recorded as the exam would leave it)."""
    now = timezone.now() - dt.timedelta(days=3)
    Attempt.all_objects.create(exam=exam, user=pupil, number=1, status=Attempt.Status.FINISHED, seed=2023,
                               started_at=now, finished_at=now + dt.timedelta(minutes=4), finished_by="examinee",
                               score=Decimal(2), max_score=Decimal(2), passed=True)


def _child(championship: Championship, school: Organisation, email: str, last: str, first: str, patronymic: str,
           by: Any) -> User:
    user = User.objects.filter(email=email).first() or accounts_domain.create_user(
        email=email, last_name=last, first_name=first, patronymic=patronymic, by=by, championship=championship)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    accounts_domain.assign_role(user=user, role=Role.PUPIL, championship=championship, organisation=school, by=by)
    return user


def load(championship: Championship, *, by: Any) -> None:
    people = {u.email: u for u in User.objects.filter(email__in=[
        "upm.operator@profmaster.local", "upm.venue@profmaster.local", "coordinator@profmaster.local",
        "parent@profmaster.local", "pupil@profmaster.local"])}
    operator, venue_person = people["upm.operator@profmaster.local"], people["upm.venue@profmaster.local"]
    coordinator, parent = people["coordinator@profmaster.local"], people["parent@profmaster.local"]
    pupil = people["pupil@profmaster.local"]
    today = timezones.local_date(timezone.now(), championship)
    deadline = dt.date(today.year, 10, 31)
    festival = domain.create_festival(championship, name="Фестиваль профессий «Билет в будущее» — Москва",
                                      region="Москва", stages_deadline=deadline, by=operator)
    competencies = {c.name: c for c in Competency.objects.filter(championship=championship)}
    konditer = domain.add_competency(festival, competencies["Кондитерское дело"], by=operator)  # infrastructure list
    design = domain.add_competency(festival, competencies["Графический дизайн"], by=operator)
    floristry = domain.add_competency(festival, competencies["Флористика"], by=operator)
    venues = list(Venue.objects.order_by("pk")[:2])
    main = domain.add_venue(festival, venues[0], competencies=[konditer, design, floristry], by=operator)
    domain.add_venue_person(main, venue_person, by=operator)
    if len(venues) > 1:  # a second venue without schools yet: the operator's board shows it behind
        domain.add_venue(festival, venues[1], competencies=[design], by=operator)
    schools = {o.short_name: o for o in Organisation.objects.filter(
        short_name__in=["Школа № 2097", "Школа № 1520", "Школа № 1788"])}
    school = schools["Школа № 2097"]
    near = domain.add_venue_school(main, school, travel_minutes=20, travel_source="entered",
                                   travel_note="по данным площадки", by=operator)
    far = domain.add_venue_school(main, schools["Школа № 1520"], travel_minutes=45, travel_source="estimated",
                                  travel_note="Яндекс Карты, будний день 8:30", by=operator)
    third = domain.add_venue_school(main, schools["Школа № 1788"], travel_minutes=25, travel_source="estimated",
                                    travel_note="Яндекс Карты, будний день 8:30", by=operator)
    for competency in (konditer, design):
        agreement = domain.propose_competency(near, competency, side="venue", by=venue_person)
        domain.decide_agreement(agreement, accept=True, side="school", by=coordinator)
    domain.propose_competency(near, floristry, side="venue", by=venue_person)  # waits for the coordinator
    for link in (far, third):  # schools without a coordinator on the platform yet: behind on the board
        domain.propose_competency(link, design, side="venue", by=venue_person)
    domain.post_message(main, text="Коллеги, добрый день! Уроки проводим по вторникам и четвергам в 10:00. "
                                   "Ссылки для родителей пришлю за неделю.", by=venue_person)
    domain.post_message(main, text="Спасибо! Класс на кондитерское дело собираем — 20 человек.", by=coordinator)
    zone = timezones.zone_of(championship)
    first = dt.datetime.combine(today + dt.timedelta(days=12), dt.time(10, 0), tzinfo=zone)
    domain.create_lesson(main, competency=konditer, starts_at=first, capacity=20, format="in_person",
                         video_link="https://meet.profmaster.local/upm-konditer", by=venue_person)
    domain.create_lesson(main, competency=design, starts_at=first + dt.timedelta(days=9), capacity=30,
                         format="online", video_link="https://meet.profmaster.local/upm-design", by=venue_person)
    exam = _diagnostic(championship, by)
    festival.diagnostic_exams.add(exam)
    alisa = _child(championship, school, "alisa.pupil@profmaster.local", "Школьникова", "Алиса", "Романовна", by)
    fedor = _child(championship, school, "fedor.pupil@profmaster.local", "Школьников", "Фёдор", "Романович", by)
    for child in (pupil, alisa, fedor):
        domain.create_family_link(parent, child, by=coordinator)
    _passed(exam, pupil)
    _passed(exam, fedor)
    ProfessionalTrial.objects.create(pupil=fedor, taken_on=dt.date(today.year - 1, 11, 17), recorded_by=operator,
                                     source="«Билет в будущее», профпроба «Повар» в колледже сферы услуг № 32")

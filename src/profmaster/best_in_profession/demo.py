"""The demo regional stage of «Лучший по профессии» (issue 16 §8): called at the end of ``load_demo``.

A Sverdlovsk region stage in Yekaterinburg time (not Moscow): two nominations with their admission conditions,
two employers with their representatives, contestants with accounts (two approved, one awaiting the
Directorate's decision), a published theory exam with questions, a practical task handed out to the approved
contestants, two venues with equipment checklists (one confirmed, one still missing items) and a small group,
the expert group of «Сварочные технологии» and the regional commission. Idempotent. Other helpers' demo code
attaches its sessions and support requests to :func:`lpp_championship`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from profmaster.accounts import domain as accounts_domain
from profmaster.accounts.models import Role, RoleAssignment, User
from profmaster.championships import domain as ch_domain
from profmaster.championships.models import (
    BaseVenue,
    Championship,
    Competency,
    InfrastructureItem,
    Stage,
    Workplace,
)
from profmaster.exams import domain as exams_domain
from profmaster.exams.models import Exam, ExamSection, Question, QuestionBank, QuestionCategory, TaskHandout
from profmaster.organisations.domain import save_organisation_object
from profmaster.organisations.models import Organisation, Venue
from profmaster.registration import domain as registration

from . import domain
from .models import Education, ProfessionNomination, VenueChecklist

SLUG = "lpp-demo"
ZONE = "Asia/Yekaterinburg"
PASSWORD = "Masteryata-2023"

WELDING = "Сварочные технологии"
COOKING = "Поварское дело"


@dataclass(frozen=True)
class DemoUser:
    email: str
    last_name: str
    first_name: str
    patronymic: str
    label: str


USERS = [
    DemoUser("lpp.directorate@profmaster.local", "Уральцева", "Наталья", "Игоревна",
             "Дирекция — «Лучший по профессии» (Свердловская область)"),
    DemoUser("lpp.employer1@profmaster.local", "Шевчук", "Дмитрий", "Олегович",
             "Ответственное лицо работодателя — АО «Уралтяжмаш»"),
    DemoUser("lpp.employer2@profmaster.local", "Пьеха", "Марина", "Андреевна",
             "Ответственное лицо работодателя — ООО «Комбинат питания „Исеть“»"),
    DemoUser("lpp.welder1@profmaster.local", "Орёл", "Семён", "Петрович", "Участник — «Лучший сварщик» (одобрен)"),
    DemoUser("lpp.welder2@profmaster.local", "Ёлкин", "Артём", "Фёдорович",
             "Участник — «Лучший сварщик» (заявка на рассмотрении)"),
    DemoUser("lpp.cook1@profmaster.local", "Щёголева", "Алёна", "Викторовна", "Участник — «Лучший повар» (одобрена)"),
    DemoUser("lpp.chief@profmaster.local", "Жаров", "Виктор", "Степанович", "Главный эксперт — Сварочные технологии"),
    DemoUser("lpp.expert1@profmaster.local", "Искрова", "Полина", "Сергеевна", "Эксперт — Сварочные технологии"),
    DemoUser("lpp.expert2@profmaster.local", "Дугин", "Михаил", "Ильич", "Эксперт — Сварочные технологии"),
    DemoUser("lpp.expert3@profmaster.local", "Шовкопляс", "Ирина", "Юрьевна", "Эксперт — Сварочные технологии"),
    DemoUser("lpp.commission1@profmaster.local", "Комиссарова", "Елена", "Борисовна",
             "Региональная конкурсная комиссия (председатель)"),
    DemoUser("lpp.commission2@profmaster.local", "Соловьёв", "Пётр", "Алексеевич", "Региональная конкурсная комиссия"),
    DemoUser("lpp.commission3@profmaster.local", "Гуляева", "Татьяна", "Николаевна", "Региональная конкурсная комиссия"),
    DemoUser("lpp.venue1@profmaster.local", "Станков", "Олег", "Романович",
             "Технический администратор площадки — учебный центр «Уралтяжмаш»"),
    DemoUser("lpp.venue2@profmaster.local", "Печникова", "Вера", "Андреевна",
             "Технический администратор площадки — Колледж сервиса"),
]


def credentials() -> list[tuple[str, str, str]]:
    return [(u.email, PASSWORD, u.label) for u in USERS]


def lpp_championship() -> Championship | None:
    """The demo's «Лучший по профессии» regional stage (None before ``load_demo``)."""
    return Championship.objects.filter(slug=SLUG).first()


def load(*, by: Any) -> Championship:
    """Create the demo stage; returns the existing one when it is already loaded."""
    existing = lpp_championship()
    if existing is not None:
        return existing
    today = timezone.localdate(timezone=_zone())

    def org(**kwargs: Any) -> Organisation:
        found = Organisation.objects.filter(name=kwargs["name"]).first()
        if found:
            return found
        organisation = Organisation(region="Свердловская область", **kwargs)
        save_organisation_object(organisation, by=by)
        return organisation

    ministry = org(kind=Organisation.Kind.OTHER, short_name="Минтруд Свердловской области",
                   name="Министерство социальной политики Свердловской области")
    employer1 = org(kind=Organisation.Kind.EMPLOYER, short_name="АО «Уралтяжмаш»",
                    name="АО «Уральский завод тяжёлого машиностроения»", address="Екатеринбург")
    employer2 = org(kind=Organisation.Kind.EMPLOYER, short_name="ООО «Комбинат питания „Исеть“»",
                    name="ООО «Комбинат питания „Исеть“»", address="Екатеринбург")
    college = org(kind=Organisation.Kind.COLLEGE, short_name="Колледж сервиса",
                  name="ГАПОУ СО «Екатеринбургский колледж сервиса и технологий»", address="Екатеринбург")

    championship = Championship(
        name="Региональный этап конкурса «Лучший по профессии» — Свердловская область", slug=SLUG,
        season=str(today.year), organiser=ministry, rules_profile=Championship.RulesProfile.BEST_IN_PROFESSION,
        starts_on=today - dt.timedelta(days=10), ends_on=today + dt.timedelta(days=60), time_zone=ZONE,
        registration_deadline=None,
        description="Дистанционный региональный этап (письмо Минтруда России): электронные заявки работодателей, "
                    "онлайн-экзамен, электронная выдача заданий, практика на площадках малыми группами.")
    ch_domain.save_championship(championship, by=by)
    ch_domain.change_championship_status(championship, to=Championship.Status.ACTIVE, by=by)
    theory = Stage(championship=championship, name="Теоретический этап", kind=Stage.Kind.REMOTE,
                   form=Stage.Form.THEORY, order=1, starts_on=today - dt.timedelta(days=1),
                   ends_on=today + dt.timedelta(days=14))
    practice = Stage(championship=championship, name="Практический этап", kind=Stage.Kind.REMOTE,
                     form=Stage.Form.PRACTICAL, order=2, starts_on=today + dt.timedelta(days=15),
                     ends_on=today + dt.timedelta(days=21))
    for stage in (theory, practice):
        ch_domain.save_structure_object(stage, by=by)

    welding = Competency(championship=championship, name=WELDING, code="welding", expert_count=None,  # type: ignore[misc]
                         mark_entry_mode=Competency.MarkEntryMode.REMOTE)
    cooking = Competency(championship=championship, name=COOKING, code="cooking", expert_count=None,  # type: ignore[misc]
                         mark_entry_mode=Competency.MarkEntryMode.REMOTE)
    for competency in (welding, cooking):
        ch_domain.save_competency(competency, by=by)
    for competency, name, qty, per, photo in (
            (welding, "Сварочный инвертор (MMA/TIG)", "1", InfrastructureItem.Per.WORKPLACE, True),
            (welding, "Сварочная кабина с вытяжкой", "1", InfrastructureItem.Per.WORKPLACE, True),
            (welding, "Маска сварщика с автозатемнением", "1", InfrastructureItem.Per.WORKPLACE, False),
            (welding, "Камера для видеотрансляции рабочего места", "1", InfrastructureItem.Per.WORKPLACE, True),
            (cooking, "Плита индукционная", "1", InfrastructureItem.Per.WORKPLACE, True),
            (cooking, "Пароконвектомат", "1", InfrastructureItem.Per.VENUE, True),
            (cooking, "Камера для видеотрансляции рабочего места", "1", InfrastructureItem.Per.WORKPLACE, False)):
        ch_domain.save_structure_object(InfrastructureItem(competency=competency, name=name, quantity=Decimal(qty),
                                                           per=per, photo_required=photo), by=by)

    welder = domain.save_nomination(ProfessionNomination(
        championship=championship, competency=welding, name="Лучший сварщик", profession="Электросварщик",
        min_age=18, min_years_of_service=Decimal(3), min_education=Education.SECONDARY_VOCATIONAL,
        conditions_note="Действующее удостоверение НАКС"), by=by)
    cook = domain.save_nomination(ProfessionNomination(
        championship=championship, competency=cooking, name="Лучший повар", profession="Повар",
        min_age=18, min_years_of_service=Decimal(2), min_education=Education.VOCATIONAL_TRAINING), by=by)

    people: dict[str, User] = {}
    for spec in USERS:
        user = User.objects.filter(email=spec.email).first() or accounts_domain.create_user(
            email=spec.email, last_name=spec.last_name, first_name=spec.first_name, patronymic=spec.patronymic,
            by=by, championship=championship)
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        people[spec.email] = user

    def role(email: str, role: str, competency: Any = None, organisation: Any = None) -> None:
        if not RoleAssignment.objects.filter(user=people[email], role=role, championship=championship,
                                             competency=competency).exists():
            accounts_domain.assign_role(user=people[email], role=role, championship=championship,
                                        competency=competency, organisation=organisation, by=by)

    role("lpp.directorate@profmaster.local", Role.DIRECTORATE)
    role("lpp.employer1@profmaster.local", Role.ORG_REPRESENTATIVE, organisation=employer1)
    role("lpp.employer2@profmaster.local", Role.ORG_REPRESENTATIVE, organisation=employer2)
    role("lpp.chief@profmaster.local", Role.CHIEF_EXPERT, welding)
    for n in (1, 2, 3):
        role(f"lpp.expert{n}@profmaster.local", Role.EXPERT, welding)
        role(f"lpp.commission{n}@profmaster.local", Role.REGIONAL_COMMISSION)
    role("lpp.venue1@profmaster.local", Role.VENUE_ADMIN)
    role("lpp.venue2@profmaster.local", Role.VENUE_ADMIN)
    directorate = people["lpp.directorate@profmaster.local"]

    registration.publish_consent_version(
        championship=championship, kind="personal_data", title="Согласие на обработку персональных данных",
        text="Я даю согласие на обработку моих персональных данных для участия в конкурсе «Лучший по профессии».",
        by=by)
    entries = [("lpp.employer1@profmaster.local", employer1, welder, "lpp.welder1@profmaster.local",
                dt.date(1990, 5, 14), "Электросварщик ручной сварки 5 разряда", "8", Education.SECONDARY_VOCATIONAL,
                True),
               ("lpp.employer1@profmaster.local", employer1, welder, "lpp.welder2@profmaster.local",
                dt.date(1996, 11, 2), "Электрогазосварщик 4 разряда", "4.5", Education.SECONDARY_VOCATIONAL, False),
               ("lpp.employer2@profmaster.local", employer2, cook, "lpp.cook1@profmaster.local",
                dt.date(1993, 3, 8), "Повар 5 разряда", "6", Education.SECONDARY_VOCATIONAL, True)]
    approved = []
    for rep, employer, nomination, email, born, position, years, education, approve in entries:
        spec = next(u for u in USERS if u.email == email)
        application = domain.enter_contestant(
            championship, nomination=nomination, organisation=employer, by=people[rep], consent_given=True,
            data=domain.ContestantData(last_name=spec.last_name, first_name=spec.first_name,
                                       patronymic=spec.patronymic, birth_date=born, position=position,
                                       years_of_service=Decimal(years), education=education, email=email,
                                       phone="+7 343 000-00-00", conditions_confirmed=True))
        if approve:
            registration.approve_application(application, by=directorate)
            approved.append(application)

    _theory_exam(championship, welding, theory, people["lpp.chief@profmaster.local"])
    now = timezone.now()
    handout = TaskHandout(championship=championship, competency=welding, title="Практическое задание: стыковое "
                          "соединение пластин", publish_at=now - dt.timedelta(minutes=5),
                          text="Выполните стыковое соединение двух пластин 10 мм в нижнем положении. Рабочее место "
                               "должно быть видно на видеотрансляции; время выполнения — 2 часа.")
    exams_domain.save_handout(handout, recipients=[people["lpp.welder1@profmaster.local"],
                                                   people["lpp.welder2@profmaster.local"]], by=by)
    _venues(championship, practice, welding, cooking, employer1, college, people, approved, by)
    return championship


def _zone() -> Any:
    from profmaster.championships import timezones

    return timezones.zone(ZONE)


def _theory_exam(championship: Championship, competency: Competency, stage: Stage, chief: User) -> None:
    bank = QuestionBank.objects.create(championship=championship, competency=competency, name="Теория сварщика")
    category = QuestionCategory.objects.create(bank=bank, name="Технология сварки")
    for name, text, options in (
            ("Полярность", "Какая полярность называется обратной при сварке постоянным током?",
             [("Электрод — плюс, изделие — минус", Decimal(1)), ("Электрод — минус, изделие — плюс", Decimal(0))]),
            ("Прихватки", "Для чего ставят прихватки перед сваркой?",
             [("Чтобы зафиксировать взаимное положение деталей", Decimal(1)), ("Чтобы увеличить катет шва", Decimal(0)),
              ("Чтобы снизить ток сварки", Decimal(0))]),
            ("Средства защиты", "Какой светофильтр нужен при ручной дуговой сварке током 150 А?",
             [("С-9 … С-11 (DIN 10–11)", Decimal(1)), ("Солнцезащитные очки", Decimal(0))])):
        question = Question(bank=bank, category=category, kind=Question.Kind.SINGLE, name=name, text=text,
                            points=Decimal(1))
        exams_domain.save_question(question, options=[exams_domain.OptionData(t, f) for t, f in options], by=chief)
    now = timezone.now()
    exam = Exam(championship=championship, stage=stage, competency=competency, bank=bank,
                title="Теоретический этап: сварочные технологии", time_limit_minutes=30,
                opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(days=14), pass_mark=Decimal(2))
    exams_domain.save_exam(exam, by=chief)
    ExamSection.objects.create(exam=exam, category=category, count=0)
    exams_domain.change_exam_status(exam, to=Exam.Status.PUBLISHED, by=chief)


def _venues(championship: Championship, stage: Stage, welding: Competency, cooking: Competency,
            employer: Organisation, college: Organisation, people: dict[str, User], approved: list[Any],
            by: Any) -> None:
    bases = []
    for organisation, address, admin, competencies in (
            (employer, "Екатеринбург, ул. Фронтовых бригад, д. 18", "lpp.venue1@profmaster.local", [welding]),
            (college, "Екатеринбург, ул. Июльская, д. 39", "lpp.venue2@profmaster.local", [welding, cooking])):
        venue = Venue.objects.filter(name=str(organisation)).first() or Venue(
            name=str(organisation), address=address, organisation=organisation)
        if venue.pk is None:
            save_organisation_object(venue, by=by)
        base = BaseVenue(championship=championship, venue=venue, technical_administrator=people[admin])
        ch_domain.save_structure_object(base, by=by, m2m={"competencies": competencies})
        for competency in competencies:
            for number in (1, 2):
                ch_domain.save_structure_object(Workplace(base_venue=base, competency=competency, number=number),
                                                by=by)
        bases.append(base)
    domain.open_checklists(stage, by=by)
    ready = VenueChecklist.objects.get(stage=stage, base_venue=bases[0], competency=welding)
    admin = people["lpp.venue1@profmaster.local"]
    for line in ready.items.select_related("item"):
        photo = ContentFile(_PNG, name="photo.png") if line.item.photo_required else None
        domain.record_checklist_item(line, available_quantity=line.required_quantity, photo=photo, by=admin)
    domain.confirm_checklist(ready, by=admin)
    # The college has recorded only part of its welding equipment: the Directorate sees what is missing.
    partial = VenueChecklist.objects.get(stage=stage, base_venue=bases[1], competency=welding)
    first = partial.items.select_related("item").order_by("item__name").first()
    if first is not None:
        domain.record_checklist_item(first, available_quantity=Decimal(1), by=people["lpp.venue2@profmaster.local"])
    start = dt.datetime.combine(stage.starts_on, dt.time(9, 0), tzinfo=_zone())
    group = domain.save_group(ready, name="Группа 1", starts_at=start, ends_at=start + dt.timedelta(hours=3),
                              capacity=2, by=by)
    for application in approved:
        if application.competency_id == welding.pk:
            domain.assign_to_group(group, application, by=by)


#: A 1×1 PNG: the demo's «photos» of the equipment.
_PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
        b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")

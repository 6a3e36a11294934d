"""The demo championship: a «Мастерята» season that looks like the real one (003).

Built only through domain functions, so the demo has the same audit trail as real data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from profmaster.accounts import domain as accounts_domain
from profmaster.accounts.models import Role, RoleAssignment, User
from profmaster.championships import domain as ch_domain
from profmaster.championships import timezones
from profmaster.championships.models import (
    BaseVenue,
    Championship,
    Competency,
    InfrastructureItem,
    ProgrammeSlot,
    SkillSection,
    Stage,
    Workplace,
)
from profmaster.organisations.domain import save_organisation_object
from profmaster.organisations.models import ContactPerson, Organisation, Venue

DEMO_SLUG = "masteryata-2023"
DEMO_PASSWORD = "Masteryata-2023"


@dataclass(frozen=True)
class DemoUser:
    email: str
    last_name: str
    first_name: str
    patronymic: str
    role: str | None
    competency: str | None = None
    organisation: str | None = None


COMPETENCIES = [
    # name, code, evaluation mode (003 §6.4), toolbox
    ("Кондитерское дело", "konditer", Competency.EvaluationMode.AFTER_COMPLETION, False),
    ("Электроника", "electronics", Competency.EvaluationMode.AFTER_COMPLETION, True),
    ("Мобильная робототехника", "mobile-robotics", Competency.EvaluationMode.FIVE_WORKPLACES, True),
    ("Графический дизайн", "graphic-design", Competency.EvaluationMode.AFTER_COMPLETION, False),
    ("Столярное дело", "joinery", Competency.EvaluationMode.AFTER_COMPLETION, True),
    ("Флористика", "floristry", Competency.EvaluationMode.AFTER_COMPLETION, False),
    ("Поварское дело", "cooking", Competency.EvaluationMode.DURING, False),
]

SCHOOLS = [
    ("ГБОУ «Школа № 1520 имени Капцовых»", "Школа № 1520", "7704012345"),
    ("ГБОУ «Школа № 2097»", "Школа № 2097", "7720123456"),
    ("ГБОУ «Школа № 1788»", "Школа № 1788", "7720234567"),
    ("ГБОУ «Школа № 548 „Царицыно“»", "Школа № 548", "7724012345"),
    ("ГБОУ «Школа № 1409»", "Школа № 1409", "7722012345"),
    ("ГБОУ «Школа „Покровский квартал“»", "Покровский квартал", "7701012345"),
]

USERS = [
    DemoUser("admin@profmaster.local", "Администраторов", "Платон", "Платонович", None),
    DemoUser("directorate@profmaster.local", "Дирекцияева", "Дарья", "Дмитриевна", Role.DIRECTORATE,
             organisation="МЦРПО"),
    DemoUser("commission@profmaster.local", "Комиссаров", "Константин", "Кириллович", Role.REGIONAL_COMMISSION),
    DemoUser("chief.konditer@profmaster.local", "Сладкова", "Елена", "Сергеевна", Role.CHIEF_EXPERT,
             "Кондитерское дело"),
    DemoUser("expert1.konditer@profmaster.local", "Пирожкова", "Анна", "Петровна", Role.EXPERT, "Кондитерское дело"),
    DemoUser("expert2.konditer@profmaster.local", "Булочкин", "Борис", "Борисович", Role.EXPERT, "Кондитерское дело"),
    DemoUser("expert3.konditer@profmaster.local", "Тортова", "Тамара", "Тимуровна", Role.EXPERT, "Кондитерское дело"),
    DemoUser("chief.robotics@profmaster.local", "Роботов", "Роман", "Русланович", Role.CHIEF_EXPERT,
             "Мобильная робототехника"),
    DemoUser("venue@profmaster.local", "Площадкин", "Виктор", "Васильевич", Role.VENUE_ADMIN),
    DemoUser("mentor@profmaster.local", "Наставникова", "Мария", "Михайловна", Role.MENTOR,
             organisation="Школа № 1520"),
    DemoUser("participant@profmaster.local", "Учеников", "Пётр", "Павлович", Role.PARTICIPANT,
             organisation="Школа № 1520"),
    DemoUser("relative@profmaster.local", "Ученикова", "Ольга", "Николаевна", Role.RELATIVE),
    DemoUser("orgrep@profmaster.local", "Ответственный", "Олег", "Олегович", Role.ORG_REPRESENTATIVE,
             organisation="Школа № 1520"),
    DemoUser("appeal@profmaster.local", "Апелляционная", "Алла", "Андреевна", Role.APPEAL_MEMBER),
    DemoUser("appeal.chair@profmaster.local", "Председателев", "Пётр", "Петрович", Role.APPEAL_CHAIR),
    DemoUser("quality@profmaster.local", "Контролёва", "Ксения", "Константиновна", Role.QUALITY_CONTROL),
    DemoUser("upm.operator@profmaster.local", "Операторов", "Олег", "Игоревич", Role.UPM_OPERATOR),
    DemoUser("upm.venue@profmaster.local", "Площадкина", "Валерия", "Викторовна", Role.UPM_VENUE),
    DemoUser("coordinator@profmaster.local", "Координаторова", "Светлана", "Сергеевна", Role.SCHOOL_COORDINATOR,
             organisation="Школа № 2097"),
    DemoUser("parent@profmaster.local", "Родителев", "Роман", "Романович", Role.PARENT),
    DemoUser("pupil@profmaster.local", "Школьников", "Семён", "Романович", Role.PUPIL,
             organisation="Школа № 2097"),
]


#: The mentors of «Мобильная робототехника»'s six teams (the first leads two of them).
ROBOTICS_MENTOR_EMAIL = "robotics.mentor{number}@profmaster.local"


def credentials() -> list[tuple[str, str, str]]:
    """(e-mail, password, role label) of every demo user, for README and `make run`."""
    rows = []
    for user in USERS:
        label = str(Role(user.role).label) if user.role else "Дирекция (вся платформа) и администратор"
        if user.competency:
            label += f" — {user.competency}"
        rows.append((user.email, DEMO_PASSWORD, label))
    for number in range(1, 6):
        rows.append((ROBOTICS_MENTOR_EMAIL.format(number=number), DEMO_PASSWORD,
                     "Наставник — Мобильная робототехника" + (" (две команды)" if number == 1 else "")))
    from profmaster.best_in_profession import demo as contest_demo

    return rows + contest_demo.credentials()


def demo_exists() -> bool:
    return Championship.objects.filter(slug=DEMO_SLUG).exists()


@transaction.atomic
def load_demo() -> Championship:
    """Create the demo championship and its people. Idempotent: returns the existing one if loaded."""
    existing = Championship.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        return existing

    admin = User.objects.filter(email=USERS[0].email).first()
    if admin is None:
        admin = User.objects.create_superuser(USERS[0].email, DEMO_PASSWORD, last_name=USERS[0].last_name,
                                              first_name=USERS[0].first_name, patronymic=USERS[0].patronymic)
    if not RoleAssignment.objects.filter(user=admin, role=Role.DIRECTORATE, championship__isnull=True).exists():
        RoleAssignment.objects.create(user=admin, role=Role.DIRECTORATE, championship=None)
    by = admin

    def org(**kwargs: Any) -> Organisation:
        found = Organisation.objects.filter(name=kwargs["name"], region=kwargs.get("region", "Москва")).first()
        if found:
            return found
        organisation = Organisation(**kwargs)
        save_organisation_object(organisation, by=by)
        return organisation

    mcrpo = org(kind=Organisation.Kind.SUPPLEMENTARY, short_name="МЦРПО", inn="7701234567",
                name="ГАОУ ДПО «Московский центр развития профессионального образования»",
                address="Москва, ул. Петровка, д. 1", email="kid@mcrpo.ru")
    schools = {short: org(kind=Organisation.Kind.SCHOOL, name=name, short_name=short, inn=inn,
                          address="Москва") for name, short, inn in SCHOOLS}
    org(kind=Organisation.Kind.SCHOOL, name="МБОУ «Гимназия № 3», г. Тверь", short_name="Гимназия № 3 (Тверь)",
        region="Тверская область")
    employer = org(kind=Organisation.Kind.EMPLOYER, name="АО «Кондитерская фабрика „Красный Октябрь“»",
                   short_name="«Красный Октябрь»")
    save_organisation_object(ContactPerson(organisation=employer, full_name="Шоколадова Вера Ивановна",
                                           position="HR-директор", phone="+7 495 000-00-01"), by=by)
    for school in list(schools.values())[:3]:
        save_organisation_object(ContactPerson(organisation=school, full_name="Завучева Галина Петровна",
                                               position="Заместитель директора", email=f"zavuch.{school.inn}@edu.mos.ru"),
                                 by=by)
    college_a = org(kind=Organisation.Kind.COLLEGE, name="ГБПОУ «Колледж сферы услуг № 32»", short_name="КСУ № 32")
    college_b = org(kind=Organisation.Kind.COLLEGE, name="ГБПОУ «Политехнический колледж имени Н. Н. Годовикова»",
                    short_name="Колледж Годовикова")
    venues = []
    for college, address in ((college_a, "Москва, ул. Бестужевых, д. 29"),
                             (college_b, "Москва, ул. Малахитовая, д. 16")):
        venue = Venue(name=str(college), address=address, organisation=college)
        save_organisation_object(venue, by=by)
        venues.append(venue)

    championship = Championship(
        name="Московский детский чемпионат «Мастерята»", slug=DEMO_SLUG, season="2022/2023", organiser=mcrpo,
        rules_profile=Championship.RulesProfile.MASTERYATA, starts_on=dt.date(2023, 1, 16),
        ends_on=dt.date(2023, 4, 30), time_zone="Europe/Moscow",  # every time of the demo is Moscow time
        registration_deadline=None,  # left open so the demo's mentors can try applying
        description="Чемпионат профессионального мастерства для школьников 1–8 классов и их семей.",
    )
    ch_domain.save_championship(championship, by=by)
    ch_domain.change_championship_status(championship, to=Championship.Status.ACTIVE, by=by)
    categories = list(championship.age_categories.all())

    remote = Stage(championship=championship, name="Дистанционный этап", kind=Stage.Kind.REMOTE,
                   order=1, starts_on=dt.date(2023, 2, 20), ends_on=dt.date(2023, 3, 10))
    final = Stage(championship=championship, name="Финал", kind=Stage.Kind.FINAL, order=2,
                  starts_on=dt.date(2023, 4, 10), ends_on=dt.date(2023, 4, 21))
    for stage in (remote, final):
        ch_domain.save_structure_object(stage, by=by)
    ch_domain.move_stage_phase(remote, to=Stage.Phase.REGISTRATION, by=by)

    competencies: dict[str, Competency] = {}
    for name, code, mode, toolbox in COMPETENCIES:
        competency = Competency(championship=championship, name=name, code=code, evaluation_mode=mode,
                                toolbox_allowed=toolbox, expert_count=None)  # type: ignore[misc]
        ch_domain.save_competency(competency, by=by, age_categories=categories)
        competencies[name] = competency

    konditer = competencies["Кондитерское дело"]
    for number, title, share in ((1, "Организация работы и техника безопасности", "10"),
                                 (2, "Приготовление теста и выпечка", "40"),
                                 (3, "Оформление изделия", "35"),
                                 (4, "Презентация работы", "15")):
        ch_domain.save_structure_object(SkillSection(competency=konditer, number=number, title=title,
                                                     importance_percent=Decimal(share)), by=by)
    for name, qty, per, consumable in (("Миксер планетарный", "1", InfrastructureItem.Per.WORKPLACE, False),
                                       ("Духовой шкаф электрический", "1", InfrastructureItem.Per.WORKPLACE, False),
                                       ("Мука пшеничная высшего сорта, кг", "2", InfrastructureItem.Per.TEAM, True),
                                       ("Фартук и колпак детские", "2", InfrastructureItem.Per.TEAM, True)):
        ch_domain.save_structure_object(InfrastructureItem(competency=konditer, name=name, quantity=Decimal(qty),
                                                           per=per, is_consumable=consumable), by=by)

    people: dict[str, User] = {}
    for spec in USERS[1:]:
        user = User.objects.filter(email=spec.email).first() or accounts_domain.create_user(
            email=spec.email, last_name=spec.last_name, first_name=spec.first_name, patronymic=spec.patronymic,
            by=by, championship=championship)
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        people[spec.email] = user
        organisation = None
        if spec.organisation == "МЦРПО":
            organisation = mcrpo
        elif spec.organisation:
            organisation = schools[spec.organisation]
        accounts_domain.assign_role(user=user, role=str(spec.role), championship=championship,
                                    competency=competencies.get(spec.competency or ""),
                                    organisation=organisation, by=by)

    venue_admin = people["venue@profmaster.local"]
    split = (["Кондитерское дело", "Флористика", "Графический дизайн", "Поварское дело"],
             ["Электроника", "Мобильная робототехника", "Столярное дело"])
    for venue, names, admin_user in ((venues[0], split[0], venue_admin), (venues[1], split[1], None)):
        base = BaseVenue(championship=championship, venue=venue, technical_administrator=admin_user)
        ch_domain.save_structure_object(base, by=by, m2m={"competencies": [competencies[n] for n in names]})
        for name in names:
            places = 5 if name == "Мобильная робототехника" else 4
            for number in range(1, places + 1):
                ch_domain.save_structure_object(Workplace(base_venue=base, competency=competencies[name],
                                                          number=number), by=by)
        for flow, day in enumerate((dt.date(2023, 4, 11), dt.date(2023, 4, 12)), start=1):
            for name in names:  # OP-1: every competency's flows, so each can hold its draw
                starts = dt.datetime.combine(day, dt.time(10, 0), tzinfo=timezones.zone_of(championship))
                ch_domain.save_structure_object(ProgrammeSlot(
                    championship=championship, stage=final, competency=competencies[name], base_venue=base,
                    kind=ProgrammeSlot.Kind.FLOW, title=f"Поток {flow}", starts_at=starts,
                    ends_at=starts + dt.timedelta(hours=3)), by=by)
    ceremony = dt.datetime(2023, 4, 21, 15, 0, tzinfo=timezones.zone_of(championship))
    ch_domain.save_structure_object(ProgrammeSlot(
        championship=championship, stage=final, kind=ProgrammeSlot.Kind.CEREMONY,
        title="Церемония закрытия и награждения", starts_at=ceremony,
        ends_at=ceremony + dt.timedelta(hours=2)), by=by)
    _demo_documents(championship, konditer, people, by)
    _demo_scheme(konditer, final, people["chief.konditer@profmaster.local"])
    _demo_consents(championship, by)
    _demo_application(championship, konditer, schools["Школа № 1520"], people)
    _demo_marks(championship, competencies["Флористика"], remote, list(schools.values()), people)
    _demo_results(championship, competencies["Флористика"], by)
    _demo_venue(championship, competencies["Поварское дело"], schools["Школа № 2097"], by)
    _demo_draw_teams(championship, competencies["Мобильная робототехника"], list(schools.values()), by)
    from profmaster.upm import demo as upm_demo  # UPM-1…UPM-5: the festival of professions

    upm_demo.load(championship, by=by)
    from profmaster.appeals import demo as appeals_demo  # AP-3: the appeal commission of five with its chair

    appeals_demo.load(championship, by=by, password=DEMO_PASSWORD)
    from profmaster.video import demo as video_demo  # RM-3: an instruction by plain link and a consultation

    video_demo.load(championship, competency=konditer, by=by)
    from profmaster.best_in_profession import demo as contest_demo  # issue 16: the «Лучший по профессии» stage

    lpp = contest_demo.load(by=by)
    from profmaster.regional_commission import demo as commission_demo  # RM-5: a protocol passed to the commission
    from profmaster.support import demo as support_demo  # RM-6: duty roster, FAQ, an answered request

    commission_demo.load(championship, password=DEMO_PASSWORD)
    support_demo.load(championship)
    # the «Лучший по профессии» stage gets its own video sessions (RM-3) and support desk (RM-6)
    video_demo.load(lpp, competency=lpp.competencies.order_by("pk").first(), by=by)
    support_demo.load(lpp, duty=("lpp.directorate@profmaster.local", "lpp.venue1@profmaster.local"),
                      author="lpp.welder1@profmaster.local")
    from profmaster.disputes import demo as disputes_demo  # AP-1: an open vote of the Кондитерское дело panel
    disputes_demo.load(championship)
    from profmaster.upm import demo_day  # UPM-6, UPM-7: a taken lesson with its delivery, checklist and attendance

    demo_day.load_for_demo(championship, by=by)
    return championship


def _demo_draw_teams(championship: Championship, competency: Competency, schools: list[Organisation],
                     by: User) -> None:
    """OP-1 in the demo: «Мобильная робототехника» has six approved teams for its two final flows of five
    workplaces, one mentor leading two teams of the same school (REG-11: they are drawn into different flows),
    so its chief expert (chief.robotics@…) can hold the flow and workplace draws."""
    from profmaster.registration.models import Application, TeamMember

    category = championship.age_categories.get(code="3-4")
    mentors = [("Орлова", "Алёна", "Викторовна"), ("Ёлкин", "Пётр", "Семёнович"), ("Щукина", "Дарья", "Олеговна"),
               ("Соколов", "Илья", "Андреевич"), ("Пьеха", "Эдита", "Станиславовна")]
    pupils = [("Белкин", "Артём"), ("Зайцева", "Мила"), ("Ершов", "Фёдор"), ("Лисицына", "Варвара"),
              ("Медведев", "Лев"), ("Синицына", "Ульяна")]
    for index, (school, (last, first)) in enumerate(zip([schools[0], *schools[:5]], pupils, strict=True)):
        team = Application.objects.create(championship=championship, competency=competency, age_category=category,
                                          organisation=school, status=Application.Status.APPROVED, created_by=by)
        number = max(0, index - 1) + 1  # the first two teams (one school) share their mentor
        mentor = mentors[number - 1]
        email = ROBOTICS_MENTOR_EMAIL.format(number=number)
        user = User.objects.filter(email=email).first()
        if user is None:  # OP-1: the mentors present at the draw sign in to add their entropy and sign
            user = accounts_domain.create_user(email=email, last_name=mentor[0], first_name=mentor[1],
                                               patronymic=mentor[2], by=by, championship=championship)
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            accounts_domain.assign_role(user=user, role=Role.MENTOR, championship=championship,
                                        organisation=school, by=by)
        TeamMember.objects.create(application=team, kind=TeamMember.Kind.MENTOR, last_name=mentor[0],
                                  first_name=mentor[1], patronymic=mentor[2], organisation=school,
                                  email=email, user=user)
        TeamMember.objects.create(application=team, kind=TeamMember.Kind.PARTICIPANT, last_name=last, first_name=first,
                                  organisation=school, birth_date=dt.date(2013, 3, 1 + index), grade=3)


def _demo_consents(championship: Championship, by: User) -> None:
    """The three consent forms of 003 §3.5.1, published by the Directorate (REG-6)."""
    from profmaster.registration.domain import publish_consent_version

    for kind, title in (("participation", "Согласие на участие в чемпионате"),
                        ("personal_data", "Согласие на обработку и передачу персональных данных"),
                        ("photo_video", "Согласие на фото- и видеосъёмку и публикацию материалов")):
        publish_consent_version(championship=championship, kind=kind, title=title, by=by,
                                text=f"{title}. Я, законный представитель участника, даю согласие в соответствии с "
                                     "методикой проведения чемпионата (п. 3.5.1).")


def _demo_results(championship: Championship, competency: Competency, by: User) -> None:
    """Results (AW-1…AW-7) of the one demo competency, only when marking left locked totals for it.

    Award rules with the seed's defaults always; when ``marking.TeamResult`` rows exist and the rule
    decides every place and the lock protocols are signed, the competency's results are published as
    version 1. Otherwise nothing.
    """
    from profmaster.marking.models import TeamResult
    from profmaster.results import computation as results_computation
    from profmaster.results import domain as results_domain

    results_computation.rules_for(championship)
    if not TeamResult.objects.filter(scheme__competency=competency).exists():
        return
    if results_domain.latest_version(competency) is not None:
        return
    current = results_computation.competency_results(competency)
    if current["pending"] or results_domain.unsigned_lock_protocols(competency):
        return  # SC-7: publication waits for the decisions and the signed lock protocols
    results_domain.publish_results(championship, competency=competency, by=by)


def _demo_application(championship: Championship, competency: Competency, school: Organisation,
                      people: dict[str, User]) -> None:
    """A submitted application of the demo mentor, waiting for the Directorate's review."""
    from profmaster.registration.domain import (
        ConsentEntry,
        create_application,
        current_consent_versions,
        record_consents,
        save_member,
        submit_application,
    )
    from profmaster.registration.models import TeamMember

    mentor = people["mentor@profmaster.local"]
    category = championship.age_categories.get(code="1-2")
    application = create_application(championship=championship, competency=competency, age_category=category,
                                     organisation=school, by=mentor)
    participant = people["participant@profmaster.local"]
    for last, first, patronymic, born, grade, user in (
            (participant.last_name, participant.first_name, participant.patronymic, dt.date(2015, 3, 14), 2,
             participant),
            ("Конфеткина", "Алиса", "Игоревна", dt.date(2016, 7, 2), 1, None)):
        save_member(TeamMember(application=application, kind=TeamMember.Kind.PARTICIPANT, last_name=last,
                               first_name=first, patronymic=patronymic, organisation=school, birth_date=born,
                               grade=grade, clothing_size="128", user=user), by=mentor)
    save_member(TeamMember(application=application, kind=TeamMember.Kind.MENTOR, last_name=mentor.last_name,
                           first_name=mentor.first_name, patronymic=mentor.patronymic, organisation=school,
                           position="Учитель технологии", phone="+7 495 000-15-20", email=mentor.email,
                           clothing_size="M", user=mentor), by=mentor)
    entries = [ConsentEntry(member=member, versions=current_consent_versions(championship),
                            given_by="self" if member.kind == TeamMember.Kind.MENTOR else "mentor",
                            given_by_name=mentor.full_name)
               for member in application.members.all()]  # REG-6: submission needs every person's consents
    record_consents(application, entries, by=mentor)
    submit_application(application, by=mentor)


def _demo_scheme(competency: Competency, stage: Stage, chief: User) -> None:
    """A draft marking scheme of the final for «Кондитерское дело», ready for the chief expert to lock."""
    from profmaster.marking.domain import replace_scheme_content, save_scheme_part
    from profmaster.marking.models import MarkingScheme
    from profmaster.marking.scheme_rules import AspectDraft, CriterionDraft, SubCriterionDraft

    meaning = ("Не выполнено", "Ниже ожиданий", "Соответствует ожиданиям", "Превосходит ожидания")
    scheme = MarkingScheme(competency=competency, stage=stage, title="Схема оценки финала — Кондитерское дело")
    save_scheme_part(scheme, by=chief)
    criteria = [
        CriterionDraft("A", "Организация работы и безопасность", [SubCriterionDraft("A1", "Рабочее место", [
            AspectDraft("A1.1", "binary", Decimal("1.00"), "Рабочее место убрано после работы"),
            AspectDraft("A1.2", "binary", Decimal("1.00"), "Соблюдены правила гигиены")])], (1,)),
        CriterionDraft("B", "Приготовление теста и выпечка", [SubCriterionDraft("B1", "Тесто", [
            AspectDraft("B1.1", "discrete", Decimal("2.00"), "Масса изделия по заданию",
                        levels=(("отклонение > 10 %", Decimal("0")), ("до 10 %", Decimal("1")),
                                ("точно", Decimal("2")))),
            AspectDraft("B1.2", "judgement", Decimal("2.00"), "Равномерность выпечки", meaning)])], (2,)),
        CriterionDraft("C", "Оформление и презентация", [SubCriterionDraft("C1", "Оформление", [
            AspectDraft("C1.1", "judgement", Decimal("2.00"), "Общее впечатление", meaning),
            AspectDraft("C1.2", "judgement", Decimal("1.50"), "Презентация работы командой", meaning)])], (3, 4)),
    ]
    replace_scheme_content(scheme, criteria, by=chief)


def _demo_documents(championship: Championship, competency: Competency, people: dict[str, User], by: User) -> None:
    """A protocol awaiting the panel's signatures, so the cabinet shows work to do."""
    try:
        from profmaster.documents.domain import create_generated_document
        from profmaster.documents.models import DocumentType
    except ImportError:  # the documents app is optional for the structure demo
        return
    chief = people["chief.konditer@profmaster.local"]
    experts = [people[f"expert{i}.konditer@profmaster.local"] for i in (1, 2, 3)]
    create_generated_document(
        championship=championship, competency=competency, doc_type=DocumentType.JUDGING_ROLES,
        generator="demo", title="Протокол распределения судейских ролей — Кондитерское дело",
        data={"text": "Главный эксперт распределил судейские роли между экспертами компетенции.",
              "Распределение ролей": [{"Эксперт": e.full_name, "Роль": "Оценка субкритериев B, C"} for e in experts]},
        signers=[(chief, "Главный эксперт")] + [(e, "Эксперт") for e in experts],
        by=chief,
    )


def _demo_marks(championship: Championship, competency: Competency, stage: Stage, schools: list[Organisation],
                people: dict[str, User]) -> None:
    """SC-1…SC-7 in the demo: «Флористика», remote stage — a locked scheme, a panel, three approved teams
    (one mentored by the demo mentor), complete sheets and locked marks, so TeamResult rows exist."""
    from profmaster.marking import marks as marking
    from profmaster.marking.domain import lock_scheme, replace_scheme_content, save_scheme_part
    from profmaster.marking.models import MarkingScheme, SubCriterion
    from profmaster.marking.scheme_rules import AspectDraft, CriterionDraft, SubCriterionDraft
    from profmaster.registration.models import Application, TeamMember

    by = User.objects.get(email=USERS[0].email)
    panel = []
    for index, (last, first) in enumerate((("Цветкова", "Розалия"), ("Букетов", "Лев"), ("Ромашкина", "Вера"),
                                           ("Лилиев", "Глеб"), ("Незабудкина", "Ия"))):
        email = "chief.floristika@profmaster.local" if index == 0 else f"expert{index}.floristika@profmaster.local"
        user = User.objects.filter(email=email).first() or accounts_domain.create_user(
            email=email, last_name=last, first_name=first, by=by, championship=championship)
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        accounts_domain.assign_role(user=user, role=Role.CHIEF_EXPERT if index == 0 else Role.EXPERT,
                                    championship=championship, competency=competency, by=by)
        panel.append(user)
    chief, experts = panel[0], panel[1:]
    for number, title in ((1, "Композиция"), (2, "Техника"), (3, "Презентация")):
        ch_domain.save_structure_object(SkillSection(competency=competency, number=number, title=title), by=by)
    meaning = ("Не выполнено", "Ниже ожиданий", "Соответствует ожиданиям", "Превосходит ожидания")
    scheme = MarkingScheme(competency=competency, stage=stage, title="Схема оценки дистанционного этапа — Флористика")
    save_scheme_part(scheme, by=chief)
    replace_scheme_content(scheme, [
        CriterionDraft("A", "Композиция букета", [SubCriterionDraft("A1", "Композиция", [
            AspectDraft("A1.1", "judgement", Decimal("2.00"), "Гармония цвета", meaning),
            AspectDraft("A1.2", "binary", Decimal("1.00"), "Размер по заданию")])], (1,)),
        CriterionDraft("B", "Техника", [SubCriterionDraft("B1", "Крепление", [
            AspectDraft("B1.1", "judgement", Decimal("2.00"), "Устойчивость конструкции", meaning),
            AspectDraft("B1.2", "discrete", Decimal("1.50"), "Срок свежести",
                        levels=(("менее суток", Decimal("0")), ("сутки", Decimal("0.75")),
                                ("более суток", Decimal("1.50"))))])], (2,)),
        CriterionDraft("C", "Презентация", [SubCriterionDraft("C1", "Презентация", [
            AspectDraft("C1.1", "judgement", Decimal("1.50"), "Рассказ о работе", meaning)])], (3,)),
    ], by=chief)
    lock_scheme(scheme, by=chief)
    scheme.refresh_from_db()
    mentor = people["mentor@profmaster.local"]
    category = championship.age_categories.get(code="3-4")
    teams = []
    for index, school in enumerate(schools[:3]):
        # competed on a day of the remote stage, so the demo mentor's final-stage application №1 (another
        # competency, the final's flows) does not overlap it (REG-11) and can be approved
        team = Application.objects.create(championship=championship, competency=competency, age_category=category,
                                          organisation=school, status=Application.Status.APPROVED, created_by=by,
                                          competition_date=stage.starts_on + dt.timedelta(days=index))
        if index == 0:
            TeamMember.objects.create(application=team, kind=TeamMember.Kind.MENTOR, last_name=mentor.last_name,
                                      first_name=mentor.first_name, email=mentor.email, organisation=school,
                                      user=mentor)
        teams.append(team)
    for index, team in enumerate(teams):
        for aspect in marking.aspects_of(scheme):
            if aspect.kind == "judgement":
                for number, expert in enumerate(marking.judging_experts(scheme, team)):
                    marking.save_mark(scheme, aspect, team, (index + number + aspect.order) % 2 + 2, expert=expert,
                                      by=chief)
            else:
                marking.save_mark(scheme, aspect, team, (index + aspect.order) % 2 + (aspect.kind == "discrete"),
                                  by=chief)
        for sub in SubCriterion.objects.filter(criterion__scheme=scheme):
            marking.complete_sheet(scheme, team, sub, by=chief)
    assert experts  # the panel signs the lock-acceptance form
    marking.lock_marks(scheme, by=chief)


def _demo_venue(championship: Championship, competency: Competency, school: Organisation, by: User) -> None:
    """OP-7 in the demo: an approved «Поварское дело» team competing on the day the demo is loaded, everyone
    of the registration protocol accredited, a volunteer briefed and a press reporter not yet briefed — so the
    venue's technical administrator (venue@profmaster.local) can check people in and see each refusal."""
    from profmaster.checkin import domain as checkin
    from profmaster.registration.models import Application, TeamMember

    today = checkin.today(championship)
    category = championship.age_categories.get(code="1-2")
    team = Application.objects.create(championship=championship, competency=competency, age_category=category,
                                      organisation=school, status=Application.Status.APPROVED, created_by=by,
                                      competition_date=today)
    for last, first, patronymic, born in (("Орлов", "Семён", "Андреевич", dt.date(2015, 9, 3)),
                                          ("Ёлкина", "Алёна", "Дмитриевна", dt.date(2016, 1, 17))):
        TeamMember.objects.create(application=team, kind=TeamMember.Kind.PARTICIPANT, last_name=last,
                                  first_name=first, patronymic=patronymic, organisation=school, birth_date=born,
                                  grade=1, clothing_size="128")
    TeamMember.objects.create(application=team, kind=TeamMember.Kind.MENTOR, last_name="Пряникова",
                              first_name="Ольга", patronymic="Сергеевна", organisation=school,
                              position="Учитель технологии", email="pryanikova@school2097.example.ru")
    checkin.issue_accreditations(competency, by=by)
    until = today + dt.timedelta(days=30)
    volunteer = checkin.admit_individually(competency, kind="volunteer", full_name="Волонтёрова Вера Павловна",
                                           organisation="Волонтёры МЦРПО", valid_from=today, valid_to=until, by=by)
    checkin.record_briefing(volunteer, note="Инструктаж по ОТ и ТБ", by=by)
    checkin.admit_individually(competency, kind="press", full_name="Корреспондентов Кирилл Ильич",
                               organisation="«Московский образовательный»", valid_from=today, valid_to=until, by=by)

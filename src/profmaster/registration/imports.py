"""Import by the Directorate from xlsx: organisations, experts and applications (REG-1, centrally registered
contests). Row by row: every problem of every row is reported with its row number; any problem → nothing
is saved (one transaction). Templates with the expected columns are downloadable.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from profmaster.accounts.domain import assign_role, create_user
from profmaster.accounts.models import Role, User
from profmaster.championships.models import AgeCategory, Championship, Competency
from profmaster.core.errors import DomainError
from profmaster.organisations.domain import save_organisation_object
from profmaster.organisations.models import Organisation

from . import domain
from .models import Application, TeamMember

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

TEMPLATES: dict[str, Any] = {
    "organisations": (gettext_lazy("Организации"), ["Полное наименование", "Краткое наименование", "ИНН", "Регион",
                                                   "Адрес", "E-mail", "Телефон"]),
    "experts": (gettext_lazy("Эксперты"), ["Фамилия", "Имя", "Отчество", "E-mail", "Телефон", "Компетенция",
                                          "Главный эксперт (да/нет)", "Организация"]),
    "applications": (gettext_lazy("Заявки"), ["Номер заявки в файле", "Организация", "Компетенция", "Категория",
                                             "Роль (участник/наставник/родственник)", "Фамилия", "Имя", "Отчество",
                                             "Дата рождения (ДД.ММ.ГГГГ)", "Класс", "Должность", "Телефон", "E-mail",
                                             "Родство", "Размер одежды"]),
}
KINDS = {"участник": TeamMember.Kind.PARTICIPANT, "наставник": TeamMember.Kind.MENTOR,
         "родственник": TeamMember.Kind.RELATIVE}


class ImportFailed(DomainError):
    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__(_("Файл не загружен: ошибок %(n)s. Ничего не сохранено.") % {"n": len(errors)},
                         field="file")


def template(kind: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(TEMPLATES[kind][0])[:31]
    sheet.append(TEMPLATES[kind][1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.date().strftime("%d.%m.%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value).replace("\x00", "").strip()


def read_rows(upload: Any, kind: str) -> list[tuple[int, list[str]]]:
    """(row number, cells as text) of the data rows; a file that is not the template is refused."""
    if getattr(upload, "size", 0) > MAX_BYTES:
        raise ImportFailed([_("Файл больше 5 МБ.")])
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportFailed([_("Это не файл xlsx. Скачайте шаблон и заполните его.")]) from None
    sheet = workbook.worksheets[0]
    columns = TEMPLATES[kind][1]
    rows = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_text(v) for v in values][:len(columns)]
        cells += [""] * (len(columns) - len(cells))
        if number == 1:
            if [c.casefold() for c in cells] != [c.casefold() for c in columns]:
                raise ImportFailed([_("Первая строка должна содержать заголовки шаблона: %(cols)s.")
                                    % {"cols": ", ".join(columns)}])
            continue
        if not any(cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFailed([_("Строк больше %(n)s: разделите файл.") % {"n": MAX_ROWS}])
        rows.append((number, cells))
    workbook.close()
    if not rows:
        raise ImportFailed([_("В файле нет строк с данными.")])
    return rows


def run(championship: Championship, kind: str, upload: Any, *, by: Any) -> int:
    """Import all rows or none; returns how many records were created."""
    if kind == "applications" and not domain.rules_for(championship).central_registration:
        raise ImportFailed([_("Заявки загружаются только для конкурса с централизованной регистрацией: включите её "
                              "в правилах регистрации чемпионата.")])
    rows = read_rows(upload, kind)
    errors: list[str] = []
    with transaction.atomic():
        count = {"organisations": _organisations, "experts": _experts, "applications": _applications}[kind](
            championship, rows, by, errors)
        if errors:
            transaction.set_rollback(True)
            raise ImportFailed(errors)
    return count


def _row_error(errors: list[str], number: int, message: str) -> None:
    errors.append(_("Строка %(n)s: %(message)s") % {"n": number, "message": message})


def _attempt(errors: list[str], number: int, call: Any) -> Any:
    """Run one row's domain call in a savepoint; a refusal becomes that row's error."""
    try:
        with transaction.atomic():
            return call()
    except DomainError as exc:
        _row_error(errors, number, exc.message)
    except ValidationError as exc:
        _row_error(errors, number, "; ".join(exc.messages))
    return None


def _organisations(championship: Championship, rows: list[tuple[int, list[str]]], by: Any, errors: list[str]) -> int:
    count = 0
    for number, (name, short, inn, region, address, email, phone) in rows:
        if not name:
            _row_error(errors, number, _("не указано полное наименование."))
            continue
        if inn and (not inn.isdigit() or len(inn) not in (10, 12)):
            _row_error(errors, number, _("ИНН — 10 или 12 цифр, указано «%(inn)s».") % {"inn": inn})
            continue
        if Organisation.objects.filter(name__iexact=name).exists():
            _row_error(errors, number, _("организация «%(name)s» уже есть.") % {"name": name})
            continue
        default_region = Organisation._meta.get_field("region").default
        organisation = Organisation(name=name[:500], short_name=short[:200], inn=inn, region=region[:100] or default_region,
                                    address=address[:500], email=email[:254], phone=phone[:32])

        def save(o: Organisation = organisation) -> Any:
            o.full_clean()
            return save_organisation_object(o, by=by)
        if _attempt(errors, number, save) is not None:
            count += 1
    return count


def _competency(championship: Championship, name: str) -> Competency | None:
    return Competency.objects.filter(championship=championship, name__iexact=name.strip()).first()


def _organisation(name: str) -> Organisation | None:
    return (Organisation.objects.filter(short_name__iexact=name).first()
            or Organisation.objects.filter(name__iexact=name).first()) if name else None


def _experts(championship: Championship, rows: list[tuple[int, list[str]]], by: Any, errors: list[str]) -> int:
    count = 0
    for number, (last, first, patronymic, email, phone, competency_name, chief, org_name) in rows:
        problems = []
        if not last or not first:
            problems.append(_("укажите фамилию и имя"))
        try:
            validate_email(email)
        except ValidationError:
            problems.append(_("e-mail «%(email)s» указан неверно") % {"email": email})
        competency = _competency(championship, competency_name)
        if competency is None:
            problems.append(_("нет компетенции «%(name)s» в этом чемпионате") % {"name": competency_name})
        organisation = _organisation(org_name)
        if org_name and organisation is None:
            problems.append(_("нет организации «%(name)s»") % {"name": org_name})
        if chief.casefold() not in ("", "да", "нет"):
            problems.append(_("в графе «Главный эксперт» — «да» или «нет»"))
        if problems:
            _row_error(errors, number, "; ".join(problems) + ".")
            continue

        def save(last: str = last, first: str = first, patronymic: str = patronymic, email: str = email,
                 phone: str = phone, competency: Any = competency, chief: str = chief,
                 organisation: Any = organisation) -> Any:
            user = User.objects.filter(email__iexact=email).first() or create_user(
                email=email, last_name=last, first_name=first, patronymic=patronymic, phone=phone, by=by,
                championship=championship)
            role = Role.CHIEF_EXPERT if chief.casefold() == "да" else Role.EXPERT
            return assign_role(user=user, role=role, championship=championship, competency=competency,
                               organisation=organisation, by=by, reason=_("Загрузка из xlsx"))
        if _attempt(errors, number, save) is not None:
            count += 1
    return count


def _date(value: str) -> dt.date | None:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _applications(championship: Championship, rows: list[tuple[int, list[str]]], by: Any, errors: list[str]) -> int:
    """One row per person; rows with the same «Номер заявки в файле» make one application (a draft)."""
    created: dict[str, Application] = {}
    for number, cells in rows:
        (key, org_name, competency_name, category_name, kind_name, last, first, patronymic, birth, grade, position,
         phone, email, relation, size) = cells
        problems = []
        organisation = _organisation(org_name)
        if organisation is None:
            problems.append(_("нет организации «%(name)s»") % {"name": org_name})
        competency = _competency(championship, competency_name)
        if competency is None:
            problems.append(_("нет компетенции «%(name)s» в этом чемпионате") % {"name": competency_name})
        category = (AgeCategory.objects.filter(championship=championship, name__iexact=category_name).first()
                    or AgeCategory.objects.filter(championship=championship, code__iexact=category_name).first())
        if category is None:
            problems.append(_("нет категории «%(name)s»") % {"name": category_name})
        kind = KINDS.get(kind_name.casefold())
        if kind is None:
            problems.append(_("роль — «участник», «наставник» или «родственник», указано «%(v)s»") % {"v": kind_name})
        birth_date = _date(birth) if birth else None
        if birth and birth_date is None:
            problems.append(_("дата рождения «%(v)s» — не дата ДД.ММ.ГГГГ") % {"v": birth})
        grade_value = None
        if grade:
            if not grade.isdigit() or not 1 <= int(grade) <= 11:
                problems.append(_("класс — число от 1 до 11, указано «%(v)s»") % {"v": grade})
            else:
                grade_value = int(grade)
        if not key:
            problems.append(_("не указан номер заявки в файле"))
        if problems:
            _row_error(errors, number, "; ".join(problems) + ".")
            continue
        application = created.get(key)
        if application is None:
            application = _attempt(errors, number, lambda o=organisation, c=competency, a=category: (
                domain.create_application(championship=championship, competency=c, age_category=a, organisation=o,
                                          by=by)))
            if application is None:
                continue
            created[key] = application
        elif (application.organisation_id, application.competency_id, application.age_category_id) != (
                organisation.pk, competency.pk, category.pk):  # type: ignore[union-attr]
            _row_error(errors, number, _("заявка %(key)s в других строках — другой организации, компетенции или "
                                         "категории.") % {"key": key})
            continue
        member = TeamMember(application=application, kind=kind, last_name=last[:150], first_name=first[:150],
                            patronymic=patronymic[:150], birth_date=birth_date, grade=grade_value,
                            position=position[:200], phone=phone[:32], email=email[:254], relation=relation[:32],
                            clothing_size=size[:8],
                            organisation=organisation if kind != TeamMember.Kind.RELATIVE else None)

        def save(m: TeamMember = member) -> Any:
            m.full_clean(exclude=["application", "user"])
            return domain.save_member(m, by=by)
        _attempt(errors, number, save)
    return len(created)

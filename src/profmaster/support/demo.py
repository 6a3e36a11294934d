"""Demo data of technical support (RM-6): a duty roster, a short FAQ and one answered request of a championship.

``load(championship)`` is idempotent (a second call changes nothing) and goes through the domain functions, so
the demo shows what real use leaves behind: audit entries and queued e-mails included.
"""

from __future__ import annotations

from typing import Any

from profmaster.accounts.models import User

from . import domain
from .models import DutyAssignment, FaqEntry, SupportRequest

FAQ = (
    ("Не могу войти в личный кабинет", "Нажмите «Войти» → «Забыли пароль?» и укажите e-mail, на который пришло "
     "приглашение. Если письма нет, проверьте «Спам» или напишите в поддержку через открытую форму — без входа."),
    ("Экзамен пишет «Попытка открыта в другой вкладке»", "Закройте другие вкладки с экзаменом и обновите страницу. "
     "Ответы сохраняются автоматически, время не останавливается."),
    ("Как связаться с поддержкой во время экзамена?", "Кнопка «Поддержка» есть в верхней панели экзамена: она "
     "открывает форму в новой вкладке, экзамен остаётся открытым."),
)


def load(championship: Any, *, duty: tuple[str, ...] = ("directorate@profmaster.local", "venue@profmaster.local"),
         author: str = "participant@profmaster.local", by: Any = None) -> None:
    """Put ``duty`` (e-mails of demo users holding a role in the championship) on the support roster, write the
    FAQ, and one request of ``author`` answered by the first person on duty."""
    people = {u.email: u for u in User.objects.filter(email__in=[*duty, author])}
    by = by or people.get(duty[0])
    if by is None:
        return
    staff = [people[e] for e in duty if e in people]
    for person in staff:
        if not DutyAssignment.objects.filter(championship=championship, user=person).exists():
            domain.set_duty(championship, person, note="Онлайн-экзамен и вход на платформу", by=by)
    for order, (question, answer) in enumerate(FAQ, start=1):
        if not FaqEntry.objects.filter(championship=championship, question=question).exists():
            domain.save_faq(FaqEntry(championship=championship), question=question, answer=answer, order=order, by=by)
    contestant = people.get(author)
    if contestant is None or SupportRequest.objects.filter(championship=championship, author=contestant).exists():
        return
    request = domain.open_request(championship, subject="Не загружается картинка в вопросе",
                                  text="В вопросе 3 теоретического экзамена вместо картинки пустое место.",
                                  page_url="/exams/", by=contestant)
    domain.answer_request(request, text="Обновите страницу (Ctrl+F5): картинка загружается после ответа сервера. "
                                        "Ваши ответы сохранены.", by=staff[-1])

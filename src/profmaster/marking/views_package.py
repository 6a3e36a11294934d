"""Pages of the document package (SC-10): a competency's package, the receipt of paper originals, the xlsx of
the package and the Directorate's overview of every competency. The data comes from :mod:`.package`."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from profmaster.championships.models import Championship
from profmaster.core.errors import DomainError
from profmaster.core.spreadsheets import safe_row
from profmaster.permissions import has_perm, require

from . import package as packages
from .views_marks import _competency


@require_GET
@login_required
def package_page(request: HttpRequest, pk: int, competency_pk: int) -> HttpResponse:
    """SC-10: what the Directorate must receive for the competency, and what is still missing."""
    competency = _competency(request, pk, competency_pk, "marking.view_package")
    package = packages.document_package(competency)
    championship = competency.championship
    crumbs = [(championship.name, reverse("championships:detail", args=[championship.pk])),
              (competency.name, reverse("championships:competency", args=[championship.pk, competency.pk]))]
    if has_perm(request.user, "marking.view_packages", championship):
        crumbs.append((_("Пакеты документов"), reverse("marking:packages", args=[championship.pk])))
    return render(request, "marking/package.html", {
        "competency": competency, "package": package,
        "can_receive": has_perm(request.user, "marking.receive_documents", competency),
        "breadcrumbs": crumbs + [(_("Пакет документов"), None)],
    })


@login_required
@require_POST
def receive(request: HttpRequest, pk: int, competency_pk: int) -> HttpResponse:
    """SC-10: the Directorate records the paper originals of one sheet or of all sheets of a team."""
    competency = _competency(request, pk, competency_pk, "marking.receive_documents")
    try:
        created = packages.receive_sheets(competency, scheme=request.POST.get("scheme", ""),
                                          team=request.POST.get("team", ""),
                                          sub_criterion=request.POST.get("sub_criterion") or None,
                                          comment=request.POST.get("comment", "")[:2000], by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if created:
            messages.success(request, _("Получение оригиналов отмечено: ведомостей — %(count)s.")
                             % {"count": len(created)})
        else:
            messages.info(request, _("Эти ведомости уже отмечены как полученные."))
    return redirect("marking:package", pk=pk, competency_pk=competency_pk)


@require_GET
@login_required
def package_export(request: HttpRequest, pk: int, competency_pk: int) -> HttpResponse:
    """SC-10: the package as an xlsx sheet, one row per document (the same data as the page)."""
    competency = _competency(request, pk, competency_pk, "marking.view_package")
    package = packages.document_package(competency)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Пакет документов")[:31]
    sheet.append(safe_row([_("Компетенция"), competency.name]))
    sheet.append([_("Срок сдачи в Дирекцию"), package.deadline.strftime("%d.%m.%Y")])
    sheet.append([_("Не хватает"), package.missing_count, _("из"), package.total])
    sheet.append([])
    sheet.append([_("Документ"), _("Номер"), _("Состояние"), _("Кто не подписал"), _("Перенесена в систему"),
                  _("Получено"), _("Принял"), _("Комментарий")])
    for cell in sheet[5]:
        cell.font = Font(bold=True)
    missing_fill = PatternFill("solid", fgColor="FCE4E4")
    for item in package.items:
        sheet.append(safe_row([
            item.title, item.document_number or "", item.status_label, ", ".join(item.missing_signers),
            (_("да") if item.entered else _("нет")) if item.kind == "handwritten_sheet" else "",
            item.received_at.strftime("%d.%m.%Y %H:%M") if item.received_at else "", item.received_by,
            item.comment]))
        if not item.done:
            for cell in sheet[sheet.max_row]:
                cell.fill = missing_fill
    for column, width in zip("ABCDEFGH", (70, 8, 20, 40, 12, 18, 28, 40), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="package-{competency.pk}.xlsx"'
    return response


@require_GET
@login_required
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    """SC-10 for the Directorate: every competency's package with the count of what is missing."""
    championship = get_object_or_404(Championship, pk=pk)
    require(request.user, "marking.view_packages", championship)
    return render(request, "marking/packages.html", {
        "championship": championship, "packages": packages.championship_overview(championship),
        "deadline": packages.deadline_of(championship),
        "breadcrumbs": [(championship.name, reverse("championships:detail", args=[championship.pk])),
                        (_("Пакеты документов"), None)],
    })

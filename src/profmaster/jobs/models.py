"""Background jobs with progress (X-5: anything that can take more than a few seconds): one row per job,
written by the worker as it goes and read by the job's page and the API. See :mod:`profmaster.jobs.domain`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("В очереди")
        RUNNING = "running", _("Выполняется")
        DONE = "done", _("Готово")
        FAILED = "failed", _("Не выполнено")

    #: What the job does, e.g. ``exams.import_questions``: names its report template and filters lists.
    kind = models.CharField(_("вид"), max_length=60)
    title = models.CharField(_("задание"), max_length=300)
    #: Dotted path of the function ``run(job, progress) -> report`` (set by code, never from input).
    runner = models.CharField(max_length=200)
    championship = models.ForeignKey("championships.Championship", on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="jobs", verbose_name=_("чемпионат"))
    competency = models.ForeignKey("championships.Competency", on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="jobs", verbose_name=_("компетенция"))
    #: Besides the creator, who may follow the job: holders of this permission on the job's scope.
    view_permission = models.CharField(max_length=60, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="jobs", verbose_name=_("запустил"))
    status = models.CharField(_("состояние"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("сделано"), default=0)
    total = models.PositiveIntegerField(_("всего"), default=0)
    message = models.CharField(_("сообщение"), max_length=500, blank=True)
    #: The arguments of the job (ids, options), JSON.
    payload = models.JSONField(default=dict, blank=True)
    #: What the job produced, JSON; shown by ``jobs/reports/<kind>.html``.
    report = models.JSONField(default=dict, blank=True)
    #: The uploaded file the job works on; kept after a failure so that nothing is lost and the job can rerun.
    upload = models.FileField(upload_to="job-uploads/%Y/", blank=True)
    upload_name = models.CharField(_("файл"), max_length=255, blank=True)
    #: Where the person goes when the job is done (the bank, the batch…).
    result_url = models.CharField(max_length=500, blank=True)
    result_label = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    started_at = models.DateTimeField(_("начато"), null=True, blank=True)
    finished_at = models.DateTimeField(_("завершено"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("фоновое задание")
        verbose_name_plural = _("фоновые задания")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(done__lte=F("total")), name="job_done_within_total",
                                   violation_error_message=_("Сделано не может быть больше, чем всего.")),
            models.CheckConstraint(condition=Q(status__in=["queued", "running", "done", "failed"]),
                                   name="job_status_valid"),
            models.CheckConstraint(condition=Q(status__in=["queued", "running"], finished_at__isnull=True)
                                   | Q(status__in=["done", "failed"], finished_at__isnull=False),
                                   name="job_finished_iff_over"),
            models.CheckConstraint(condition=Q(status="queued") | Q(started_at__isnull=False), name="job_started_has_time"),
        ]
        indexes = [models.Index(fields=["kind", "created_at"], name="job_kind_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_over(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return self.done * 100 // self.total if self.total else 0

"""State changes of online exams (RM-1) and task hand-outs (RM-2).

One function per state change; pages, the API, the admin, the background job and the benchmark call
these and nothing else writes exam data. Who may *reach* a function (``exams.take_exam``,
``exams.manage_exam``…) is checked by the caller through :mod:`profmaster.permissions`; what follows
from the attempt itself (only its examinee saves, only from the browser holding it, only before the
deadline) is checked here, because it must hold on every channel.

Timing comes from :func:`profmaster.exams.timing.compute_timing`; the attempt stores its result
(``deadline``, ``accept_until``) and it is recomputed whenever an input changes (an override given
mid-exam), so the hot save path compares one stored time with the clock.

Every state change records an audit entry, except the autosave itself: each save is recorded in the
attempt's own append-only event log instead (an audit row per keystroke would double the write load
of the busiest path and drown the championship's audit log).

The functions live in modules along the lines of what they change — :mod:`.banks` (questions),
:mod:`.exams` (the exam's settings, overrides and timing), :mod:`.papers` (the pool and the draw),
:mod:`.attempts` (admission, start, lock), :mod:`.precreation` (papers drawn in advance),
:mod:`.autosave` (the save path), :mod:`.grading` (finish and scoring), :mod:`.protocols` (lists and
protocols), :mod:`.handouts` (RM-2) and :mod:`.import_export` (bank files) — and are all importable from
here, the one name the interfaces use. Imports flow one way: :mod:`.common` ← banks/exams/papers ←
grading ← autosave ← attempts, precreation; nothing here imports the interfaces or the background jobs.
"""

from profmaster.core.errors import AccessDenied, DomainError, TransitionError

from .attempts import (
    admit,
    claim_attempt,
    log_focus,
    paper_still_drawable,
    start_attempt,
    try_start_prepared,
    unlock_attempt,
)
from .autosave import _KEYS as _KEYS
from .autosave import _PAPERS as _PAPERS
from .autosave import PAPER_CACHE_SIZE, SaveAck, save_answer, try_save_answer
from .autosave import _paper_of as _paper_of
from .autosave import _remember_paper as _remember_paper
from .autosave import _save_sql as _save_sql
from .banks import OptionData, check_question, key_for, save_question
from .common import EVENT_RESPONSE_CHARS, MAX_RESPONSE_CHARS, AttemptClosed, AttemptLocked
from .common import _event as _event
from .common import _same as _same
from .exams import _store_timing as _store_timing
from .exams import (
    attempts_left,
    change_exam_status,
    discard_prepared,
    examinee_ids,
    ip_allowed,
    override_for,
    parse_networks,
    save_exam,
    save_override,
    save_section,
    timing_of,
)
from .grading import (
    RegradeChange,
    Scored,
    finish_attempt,
    finish_if_overdue,
    finish_overdue_attempts,
    grade_answer,
    regrade_exam,
    score_attempt,
)
from .handouts import open_handout, save_handout
from .import_export import ImportResult, ImportRow, export_questions, import_questions, parse_questions, store_questions
from .papers import POOL_CACHE_SECONDS, exam_pool
from .papers import _build_paper as _build_paper
from .papers import _max_score as _max_score
from .precreation import Precreated, check_precreation, precreate_attempts, prepared_count
from .protocols import (
    create_participant_list,
    create_results_protocol,
    participant_list_content,
    participant_rows,
    results_protocol_content,
    results_rows,
)

__all__ = [
    "EVENT_RESPONSE_CHARS",
    "MAX_RESPONSE_CHARS",
    "PAPER_CACHE_SIZE",
    "POOL_CACHE_SECONDS",
    "AccessDenied",
    "AttemptClosed",
    "AttemptLocked",
    "DomainError",
    "ImportResult",
    "ImportRow",
    "OptionData",
    "Precreated",
    "RegradeChange",
    "SaveAck",
    "Scored",
    "TransitionError",
    "admit",
    "attempts_left",
    "change_exam_status",
    "check_precreation",
    "check_question",
    "claim_attempt",
    "create_participant_list",
    "create_results_protocol",
    "discard_prepared",
    "exam_pool",
    "examinee_ids",
    "export_questions",
    "finish_attempt",
    "finish_if_overdue",
    "finish_overdue_attempts",
    "grade_answer",
    "import_questions",
    "ip_allowed",
    "key_for",
    "log_focus",
    "open_handout",
    "override_for",
    "paper_still_drawable",
    "parse_networks",
    "parse_questions",
    "participant_list_content",
    "participant_rows",
    "precreate_attempts",
    "prepared_count",
    "regrade_exam",
    "results_protocol_content",
    "results_rows",
    "save_answer",
    "save_exam",
    "save_handout",
    "save_override",
    "save_question",
    "save_section",
    "score_attempt",
    "start_attempt",
    "store_questions",
    "timing_of",
    "try_save_answer",
    "try_start_prepared",
    "unlock_attempt",
]

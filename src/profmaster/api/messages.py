"""Russian wording of input validation errors (pydantic reports them in English).

The API answers people and integrators in the platform's language; each pydantic error type we can
meet in our schemas gets a short phrase. Unknown types fall back to pydantic's own message.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import ngettext_lazy

from profmaster.core.numbers import format_number

_MESSAGES: dict[str, str] = {
    "missing": "обязательное поле",
    "extra_forbidden": "лишнее поле",
    "string_type": "ожидается строка",
    "string_unicode": "строка содержит недопустимые символы",
    "string_pattern_mismatch": "значение не соответствует формату",
    "int_type": "ожидается целое число",
    "int_parsing": "ожидается целое число",
    "int_parsing_size": "слишком большое число",
    "int_from_float": "ожидается целое число",
    "float_type": "ожидается число",
    "float_parsing": "ожидается число",
    "decimal_type": "ожидается число",
    "decimal_parsing": "ожидается число",
    "finite_number": "ожидается конечное число",
    "greater_than": "должно быть больше {gt}",
    "greater_than_equal": "должно быть не меньше {ge}",
    "less_than": "должно быть меньше {lt}",
    "less_than_equal": "должно быть не больше {le}",
    "bool_type": "ожидается true или false",
    "bool_parsing": "ожидается true или false",
    "date_type": "ожидается дата ГГГГ-ММ-ДД",
    "date_parsing": "ожидается дата ГГГГ-ММ-ДД",
    "date_from_datetime_parsing": "ожидается дата ГГГГ-ММ-ДД",
    "date_from_datetime_inexact": "ожидается дата без времени",
    "datetime_type": "ожидается дата и время ISO 8601",
    "datetime_parsing": "ожидается дата и время ISO 8601",
    "datetime_from_date_parsing": "ожидается дата и время ISO 8601",
    "datetime_object_invalid": "ожидается дата и время ISO 8601",
    "list_type": "ожидается список",
    "set_type": "ожидается список",
    "dict_type": "ожидается объект JSON",
    "model_type": "ожидается объект JSON",
    "model_attributes_type": "ожидается объект JSON",
    "json_invalid": "некорректный JSON",
    "literal_error": "допустимые значения: {expected}",
    "enum": "допустимые значения: {expected}",
}

#: Errors that carry a count: the noun agrees with it (issue 13 §3) — error type → (phrase, the ctx key).
_COUNTED: dict[str, tuple[Any, str]] = {
    "string_too_long": (ngettext_lazy("не длиннее %(n)s символа", "не длиннее %(n)s символов", "n"), "max_length"),
    "string_too_short": (ngettext_lazy("не короче %(n)s символа", "не короче %(n)s символов", "n"), "min_length"),
    "decimal_max_digits": (ngettext_lazy("не более %(n)s цифры", "не более %(n)s цифр", "n"), "max_digits"),
    "decimal_max_places": (ngettext_lazy("не более %(n)s знака после запятой", "не более %(n)s знаков после запятой",
                                         "n"), "decimal_places"),
    "decimal_whole_digits": (ngettext_lazy("не более %(n)s цифры до запятой", "не более %(n)s цифр до запятой", "n"),
                             "whole_digits"),
    "too_long": (ngettext_lazy("не более %(n)s элемента", "не более %(n)s элементов", "n"), "max_length"),
    "too_short": (ngettext_lazy("не менее %(n)s элемента", "не менее %(n)s элементов", "n"), "min_length"),
}
#: Bounds shown with the locale's decimal comma.
_NUMBERS = ("gt", "ge", "lt", "le")


def error_message(error: dict[str, Any]) -> str:
    """One pydantic error (as in ``ValidationError.errors()``) in Russian."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        # Our own validators already speak Russian; pydantic prefixes them with "Value error, ".
        message = str(error.get("msg", ""))
        return message.removeprefix("Value error, ")
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return "не может быть пустым"
    if kind in _COUNTED:
        phrase, key = _COUNTED[kind]
        try:
            return str(phrase % {"n": int(ctx[key])})
        except (KeyError, TypeError, ValueError):
            return str(error.get("msg", ""))
    template = _MESSAGES.get(kind)
    if template is None:
        return str(error.get("msg", ""))
    try:
        return template.format(**{k: format_number(v) if k in _NUMBERS else v for k, v in ctx.items()})
    except (KeyError, IndexError, ValueError):
        return str(error.get("msg", ""))


def error_field(error: dict[str, Any]) -> str:
    """Where the error is, as a dotted path without ninja's wrapping (``body.payload``)."""
    loc = [str(part) for part in error.get("loc", ())]
    if loc[:1] == ["body"]:
        loc = loc[1:]
        if loc[:1] == ["payload"]:
            loc = loc[1:]
    return ".".join(loc)

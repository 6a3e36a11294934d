"""Schemas shared by every router: the error body and the sets of documented error responses."""

from __future__ import annotations

from ninja import Field, Schema


class FieldErrorOut(Schema):
    field: str = Field(description="Поле с ошибкой (через точку для вложенных); пусто — ошибка всего объекта.")
    message: str


class ErrorOut(Schema):
    """Every error of the API: ``detail`` is a sentence a person can read (in Russian)."""

    detail: str
    code: str | None = Field(None, description="Машинный код отказа предметной области, например «transition».")
    field: str | None = Field(None, description="Поле, к которому относится отказ.")
    errors: list[FieldErrorOut] | None = Field(None, description="Ошибки по полям при неверных данных.")


#: Error responses of routes that only read (authenticated, object-scoped).
READ_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
#: Error responses of routes that change something.
WRITE_ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut,
}

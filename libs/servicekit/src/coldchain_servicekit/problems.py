"""RFC 9457 problem details for every HTTP error, never a stack trace.

Validation errors list each bad field as a JSON pointer into the request
(`/body/fixes/3/latitude`) with the reason, so a client knows what to fix.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from coldchain_servicekit.logging import get_logger

PROBLEM_JSON = "application/problem+json"
log = get_logger(__name__)


def problem(
    status: int, title: str, detail: str = "", type_: str = "about:blank", **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


class ProblemError(Exception):
    """Raise to answer with a problem: status, title, optional detail, headers and extension
    members (e.g. OAuth2's `error`)."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str = "",
        *,
        type_: str = "about:blank",
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.detail = detail
        self.type_ = type_
        self.headers = headers or {}
        self.extra = extra

    def response(self, instance: str) -> JSONResponse:
        response = problem(self.status, self.title, self.detail, self.type_, instance=instance, **self.extra)
        for name, value in self.headers.items():
            response.headers[name] = value
        return response


def _pointer(loc: tuple[int | str, ...]) -> str:
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in loc)


def validation_problem(errors: list[dict[str, Any]], instance: str) -> JSONResponse:
    invalid = [
        {
            "pointer": _pointer(tuple(e.get("loc", ()))),
            "field": ".".join(map(str, e.get("loc", ())[1:])),
            "reason": e.get("msg", ""),
        }
        for e in errors
    ]
    first = invalid[0] if invalid else {"field": "", "reason": ""}
    return problem(
        422,
        "Request validation failed",
        f"{first['field'] or 'request'}: {first['reason']}",
        type_="https://coldchain.dev/problems/validation",
        instance=instance,
        errors=invalid,
    )


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_problem(list(exc.errors()), request.url.path)

    @app.exception_handler(ProblemError)
    async def on_problem(request: Request, exc: ProblemError) -> JSONResponse:
        return exc.response(request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = exc.detail if isinstance(exc.detail, str) else "HTTP error"
        response = problem(exc.status_code, title, instance=request.url.path)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def on_unhandled(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", path=request.url.path)
        return unhandled_problem(request.url.path)


def unhandled_problem(instance: str) -> JSONResponse:
    return problem(500, "Internal server error", "The error was logged.", instance=instance)

"""Every error the API returns is JSON with a message a person can act on; none is a 500."""

import logging
import re
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import InterfaceError, MapperDeserialisationError, OperationalError
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_429_TOO_MANY_REQUESTS,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)

from domain.errors import Conflict, DomainError, InvalidValue, NotFound
from playbooks.library import UnknownPlaybook
from playbooks.problems import PlaybookInvalid
from service.access.permissions import Forbidden
from service.accounts.refusals import SignInFailed, SignInLocked
from service.bootstrap import UNREADABLE_STORE, StoreUnavailable
from service.store.outage import OutcomeUnknown
from service.store.retrying import RETRY_AFTER_SECONDS, TooBusy
from web.access.auth import NotSignedIn
from web.rendering import error_page, to_signin, unavailable_page

log = logging.getLogger(__name__)
MISSING_FIELD = re.compile(r"missing required field `([^`]+)`")
MISSING_PARAMETER = re.compile(r"^Missing required (\w+) parameter '([^']+)'")
# What a 503 for an unreachable store tells the client to wait: the pool tries to reconnect
# every second, so a store that is back is used again within about that.
RETRY_AFTER = 5
READS = ("GET", "HEAD", "OPTIONS")
UNREACHABLE_READ = "Steady cannot reach its record of incidents right now, so it cannot show this."


class BadInput(Exception):
    """Malformed input found by the web layer; names the field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class UnknownInput(BadInput):
    """Well-formed input that names something there is none of (an account, an organisation, a
    school): a 404 naming the field, as an unknown incident in the path is."""


class RefusedInput(BadInput):
    """Well-formed input that the rules refuse (someone who may not join a case team): a 422
    naming the field."""


class SteadyRequest(Request):
    """Every request's JSON body is decoded here (Litestar's body parameters call json()):
    msgspec refuses a body nested deeper than Python's stack allows with a RecursionError,
    which is the sender's malformed input, not our failure."""

    async def json(self) -> Any:
        try:
            return await super().json()
        except RecursionError:
            raise BadInput(
                "the JSON body is nested too deeply to read; send the details as one JSON "
                "object whose fields are text, numbers or short lists"
            ) from None


@dataclass
class ApiError:
    """The body of every error the API returns: what error_response builds."""

    status: int
    error: str  # what went wrong, for a person, and what to do about it
    field: str | None = None  # the input at fault, when one is (absent otherwise)


WHY = {
    HTTP_400_BAD_REQUEST: "Malformed input: a parameter or body field is missing, of the wrong "
    "type or unreadable; `field` names it",
    HTTP_401_UNAUTHORIZED: "Not signed in: no session or API token, or one that is unknown, "
    "expired or revoked",
    HTTP_403_FORBIDDEN: "The signed-in account's role may not do this",
    HTTP_404_NOT_FOUND: "No such incident, task, note, playbook or account; or an incident "
    "not shared with a partner's organisation",
    HTTP_409_CONFLICT: "The incident changed since the version the request was based on, or "
    "it already holds what the request would add",
    HTTP_422_UNPROCESSABLE_ENTITY: "Well-formed, but refused by the rules: e.g. an unknown kind, "
    "phase or status, or a version beyond the incident's history",
    HTTP_503_SERVICE_UNAVAILABLE: "The event store cannot be reached or read; try again after "
    "the seconds in the Retry-After header. A command was not saved, unless the message says "
    "it may have been: then send it again with the same Idempotency-Key",
}


def error_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """The OpenAPI description of the errors a route may answer with, for its `responses=`."""
    return {
        # No generated examples: they would be random, and change the document on every start.
        status: ResponseSpec(
            data_container=ApiError, description=WHY[status], generate_examples=False
        )
        for status in statuses
    }


# What routes answer besides success. Every signed-in route may answer 400 (parameters), 401, 403
# and 503; one about an incident (or a playbook, an account) also 404 and 422; a command also 409.
READ_ERRORS = error_responses(400, 401, 403, 503)
ITEM_ERRORS = error_responses(400, 401, 403, 404, 422, 503)
COMMAND_ERRORS = error_responses(400, 401, 403, 404, 409, 422, 503)


def error_response(
    status: int,
    message: str,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    body: dict[str, Any] = {"status": status, "error": message}
    if field:
        body["field"] = field
    return Response(body, status_code=status, headers=headers)


def for_pages(request: Request) -> bool:
    """A page (not the API): errors there are pages too."""
    return not request.url.path.startswith("/api/")


def on_not_signed_in(request: Request, error: NotSignedIn) -> Response[Any]:
    if for_pages(request):
        return to_signin(request)
    return error_response(HTTP_401_UNAUTHORIZED, str(error))


def on_sign_in_failed(request: Request, error: SignInFailed) -> Response[Any]:
    if isinstance(error, SignInLocked):
        return error_response(HTTP_429_TOO_MANY_REQUESTS, str(error))
    return error_response(HTTP_401_UNAUTHORIZED, str(error))


def on_forbidden(request: Request, error: Forbidden) -> Response[Any]:
    if for_pages(request):
        return error_page(request, HTTP_403_FORBIDDEN, "Not for your role", f"{error}.")
    return error_response(HTTP_403_FORBIDDEN, str(error))


def on_domain_error(request: Request, error: DomainError) -> Response[Any]:
    if isinstance(error, Forbidden):
        return on_forbidden(request, error)
    if isinstance(error, NotFound):
        if for_pages(request):
            return error_page(request, HTTP_404_NOT_FOUND, "Not found", str(error))
        return error_response(HTTP_404_NOT_FOUND, str(error))
    if isinstance(error, Conflict):
        return error_response(HTTP_409_CONFLICT, str(error))
    if isinstance(error, InvalidValue):
        return error_response(HTTP_400_BAD_REQUEST, str(error), error.field)
    return error_response(HTTP_422_UNPROCESSABLE_ENTITY, str(error))


def on_bad_input(_: Request, error: BadInput) -> Response[Any]:
    if isinstance(error, UnknownInput):
        return error_response(HTTP_404_NOT_FOUND, str(error), error.field)
    if isinstance(error, RefusedInput):
        return error_response(HTTP_422_UNPROCESSABLE_ENTITY, str(error), error.field)
    return error_response(HTTP_400_BAD_REQUEST, str(error), error.field)


def on_unknown_playbook(_: Request, error: UnknownPlaybook) -> Response[Any]:
    return error_response(HTTP_404_NOT_FOUND, error.args[0] if error.args else str(error))


def on_invalid_playbook(_: Request, error: PlaybookInvalid) -> Response[Any]:
    return error_response(HTTP_422_UNPROCESSABLE_ENTITY, f"this playbook was refused: {error}")


def on_validation(_: Request, error: ValidationException) -> Response[Any]:
    """Litestar's own checks of bodies and parameters: name the field and what was wrong."""
    extra = error.extra if isinstance(error.extra, list) else []
    if extra and isinstance(extra[0], dict):
        first = extra[0]
        field = str(first.get("key") or "") or None
        message = str(first.get("message") or error.detail)
        missing = MISSING_FIELD.search(message)
        if missing:
            field, message = missing.group(1), "this field is required"
        if field == "data" and message == "'data'":  # Litestar's word for "no body at all"
            return error_response(HTTP_400_BAD_REQUEST, "send the details as a JSON object")
        message = message.replace("`int`", "a whole number").replace("`str`", "text")
        message = message.replace("`array`", "a list").replace("`object`", "a JSON object")
        where = f"{field}: " if field else ""
        return error_response(HTTP_400_BAD_REQUEST, f"{where}{message}", field)
    missing = MISSING_PARAMETER.match(str(error.detail))
    if missing:  # Litestar names the parameter only in its words
        kind, name = missing.groups()
        return error_response(
            HTTP_400_BAD_REQUEST, f"{name}: give the {kind} parameter {name}", name
        )
    return error_response(HTTP_400_BAD_REQUEST, str(error.detail))


def on_http_error(_: Request, error: HTTPException) -> Response[Any]:
    # Keeps the exception's headers: a 405 must say which methods are allowed (RFC 9110).
    return error_response(error.status_code, str(error.detail), headers=error.headers)


def on_store_unavailable(_: Request, error: StoreUnavailable) -> Response[Any]:
    return error_response(HTTP_503_SERVICE_UNAVAILABLE, str(error))


def on_too_busy(request: Request, error: TooBusy) -> Response[Any] | Any:
    """Other writers kept saving first (service/store/retrying.py): the server's state, not a
    fault in the request, so 503 with Retry-After, never a 422."""
    advice = "Nothing was saved: send it again in a moment."
    if for_pages(request):
        return unavailable_page(
            request, "Too many changes at once", f"{error}.", retry_after=RETRY_AFTER_SECONDS,
            advice=advice,
        )  # fmt: skip
    return error_response(
        HTTP_503_SERVICE_UNAVAILABLE,
        f"{error} (nothing was saved; send it again in a moment)",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def on_store_unreachable(
    request: Request, error: OperationalError | InterfaceError
) -> Response[Any] | Any:
    """The store did not answer in time (service/store/outage.py): 503 with Retry-After, saying
    whether anything was saved. Only OutcomeUnknown leaves that open: every other failure
    reaching the web is a read, or a save whose statement never reached the store."""
    log.info("503 for %s %s: %s", request.method, request.url.path, error)
    wait = f"Try again in {RETRY_AFTER} seconds."
    if isinstance(error, OutcomeUnknown):
        title = "This may have been saved"
        message = (
            "Steady lost touch with its record while saving this, so it cannot tell whether it "
            "was saved."
        )
        keyed = "idempotency-key" in request.headers
        advice = (
            f"{wait} Sending it again with the same Idempotency-Key is safe: it is applied once."
            if keyed
            else f"{wait} Look first at whether it is there, so that it is not made twice."
        )
    elif request.method in READS:
        title = "Steady can't reach its record right now"
        message = UNREACHABLE_READ
        advice = f"Nothing was changed. {wait}"
    else:
        title = "Nothing was saved"
        message = "Steady cannot reach its record of incidents right now, so nothing was saved."
        advice = f"{wait} What you sent was not applied: send it again then."
    if for_pages(request):
        return unavailable_page(request, title, message, retry_after=RETRY_AFTER, advice=advice)
    return error_response(
        HTTP_503_SERVICE_UNAVAILABLE,
        f"{message} {advice}",
        headers={"Retry-After": str(RETRY_AFTER)},
    )


def on_unreadable_store(_: Request, error: MapperDeserialisationError) -> Response[Any]:
    log.error("stored events cannot be decrypted or decoded: %s", type(error).__name__)
    return error_response(HTTP_503_SERVICE_UNAVAILABLE, UNREADABLE_STORE)


def on_unexpected(request: Request, error: Exception) -> Response[Any]:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "something went wrong on our side. Reload to see what was saved before you try again, "
        "and tell the district's Steady administrator if it keeps happening.",
    )


EXCEPTION_HANDLERS = {
    NotSignedIn: on_not_signed_in,
    SignInFailed: on_sign_in_failed,
    Forbidden: on_forbidden,  # a DomainError: before the generic 422
    DomainError: on_domain_error,
    BadInput: on_bad_input,
    UnknownPlaybook: on_unknown_playbook,
    PlaybookInvalid: on_invalid_playbook,
    ValidationException: on_validation,
    HTTPException: on_http_error,
    StoreUnavailable: on_store_unavailable,
    TooBusy: on_too_busy,
    OperationalError: on_store_unreachable,  # StoreUnreachable and OutcomeUnknown among them
    InterfaceError: on_store_unreachable,
    MapperDeserialisationError: on_unreadable_store,
    Exception: on_unexpected,
}

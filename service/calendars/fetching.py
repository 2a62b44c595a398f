"""Fetching a calendar's text from the https address a district publishes it at: a time limit,
a size limit, and a message saying what went wrong when it cannot be had."""

import httpx

from domain.school_calendar import CalendarInvalid
from service.calendars.ics import MAX_BYTES

TIMEOUT = 10.0  # seconds, for connecting and for each read
MAX_REDIRECTS = 3


class CalendarUnreachable(CalendarInvalid):
    """The address gave no calendar: the message says why, and what to do."""


def fetch_calendar(url: str, *, transport: httpx.BaseTransport | None = None) -> str:
    """The text at an https address; refused before any request for another scheme."""
    url = url.strip()
    if not url.lower().startswith("https://"):
        raise CalendarUnreachable(
            f"{url[:200]!r} is not an https address: give the calendar's https:// link (its "
            "iCalendar or .ics address), or download the file and import it"
        )
    try:
        with (
            httpx.Client(
                timeout=TIMEOUT,
                follow_redirects=True,
                max_redirects=MAX_REDIRECTS,
                transport=transport,
                headers={"Accept": "text/calendar, */*;q=0.5"},
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise CalendarUnreachable(
                    f"{url} answered {response.status_code} {response.reason_phrase}: check "
                    "the address, or download the file and import it"
                )
            if response.url.scheme != "https":
                raise CalendarUnreachable(
                    f"{url} redirected to an address that is not https: give the final https "
                    "address"
                )
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_BYTES:
                    raise CalendarUnreachable(
                        f"{url} sends more than {MAX_BYTES // 1_000_000} MB: a school "
                        "calendar is far smaller; check the address"
                    )
            encoding = response.encoding or "utf-8"
    except httpx.TimeoutException:
        raise CalendarUnreachable(
            f"{url} did not answer within {TIMEOUT:.0f} seconds: try again later, or download "
            "the file and import it"
        ) from None
    except httpx.HTTPError as error:
        raise CalendarUnreachable(
            f"cannot fetch {url}: {error or type(error).__name__}; check the address, or "
            "download the file and import it"
        ) from None
    return bytes(body).decode(encoding, errors="replace")

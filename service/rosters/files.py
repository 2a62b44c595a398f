"""Reading an export's CSV files from a directory (the command line) or from uploaded files
(the admin page) into names and texts, as service.rosters.oneroster reads them."""

from pathlib import Path

from domain.errors import DomainError

MAX_FILE = 50 * 1024 * 1024  # a district's users.csv is some megabytes; refuse what is not


class RosterFilesUnreadable(DomainError):
    """The directory or a file in it cannot be read as text."""


def decode(name: str, data: bytes) -> str:
    if len(data) > MAX_FILE:
        raise RosterFilesUnreadable(f"{name} is over {MAX_FILE // (1024 * 1024)} MB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterFilesUnreadable(
            f"{name} is not UTF-8 text: export the roster as OneRoster 1.1 CSV in UTF-8"
        ) from None


def read_directory(directory: Path) -> dict[str, str]:
    if not directory.is_dir():
        raise RosterFilesUnreadable(
            f"there is no directory {directory}: give the directory of the export's CSV files"
        )
    try:
        return {p.name: decode(p.name, p.read_bytes()) for p in sorted(directory.glob("*.csv"))}
    except OSError as error:
        raise RosterFilesUnreadable(f"cannot read {directory}: {error.strerror}") from None

"""Why a sign-in is refused: said the same whatever was wrong, and when it may be tried again."""

from datetime import datetime


class SignInFailed(Exception):
    """Sign-in refused. The message never says whether the username or the password was wrong."""

    PASSWORD = "sign-in failed: wrong username or password, or the account is disabled"
    TOKEN = "sign-in failed: the API token is not valid (mistyped, revoked, or account disabled)"


class SignInLocked(SignInFailed):
    """Too many failed sign-ins for this account or from this address, for now."""

    def __init__(self, retry_at: datetime) -> None:
        self.retry_at = retry_at
        super().__init__(
            "too many failed sign-ins for this account or from this address; "
            f"try again after {retry_at:%Y-%m-%d %H:%M:%S} UTC"
        )

"""An account's email address over JSON, for admins (the person sets their own at
/api/v1/me/email, web.accounts.my_account)."""

from typing import Any

from litestar import Controller, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from domain.people import Actor
from service.accounts.service import Accounts, account_view
from web.access.guards import requires
from web.accounts import commands as commands
from web.accounts.api import ADMIN, COMMAND, MANAGE, UsernamePath
from web.accounts.my_account import EmailBody


class AccountEmailApi(Controller):
    path = "/api/v1/accounts"
    tags = ["accounts"]
    guards = [requires(MANAGE)]
    dependencies = ADMIN

    @put("/{username:str}/email", **COMMAND)
    def set_email(
        self,
        accounts: NamedDependency[Accounts],
        admin: NamedDependency[Actor],
        username: UsernamePath,
        data: JSONBody[EmailBody],
    ) -> dict[str, Any]:
        """Set where Steady emails the person (urgent tasks, the morning digest); an empty
        address: nowhere."""
        return account_view(commands.set_email(accounts, admin, username, data.email))


EMAIL_API_HANDLERS = [AccountEmailApi]

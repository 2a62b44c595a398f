"""Who may decide a stopped reunification case: crisis leads anywhere, and a school
administrator (a responder whose position is principal or assistant principal) of the
incident's school, which the route's need-to-know check has already found them to be. Other
responders of the school run the stations (run_reunification) but call a lead."""

from domain.account import Account
from service.access.permissions import Forbidden, Scope, require

SCHOOL_ADMINISTRATORS = frozenset({"principal", "assistant-principal"})
NOT_A_LEAD = (
    "{user} may not decide a stopped case: a crisis lead or the school's principal decides "
    "(call one to the station)"
)


def may_decide(account: Account) -> bool:
    try:
        found = require(account, "decide_reunification")
    except Forbidden:
        return False
    return Scope.ALL in found or bool(SCHOOL_ADMINISTRATORS & set(account.positions))


def require_decide(account: Account) -> Account:
    if not may_decide(account):
        raise Forbidden(NOT_A_LEAD.format(user=account.username))
    return account

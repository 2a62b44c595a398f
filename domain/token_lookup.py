"""Finding an API token's account from the token's public id."""

from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.utils import register_topic

from domain.ids import STEADY_NAMESPACE


class TokenLookup(Aggregate):
    """Finds the account of an API token from the token's public id, which is random and says
    nothing about its owner. Saved with the account's TokenIssued event."""

    class Registered(Aggregate.Created):
        account_id: UUID

    @staticmethod
    def id_for(token_id: str) -> UUID:
        return uuid5(STEADY_NAMESPACE, f"api-token/{token_id}")

    @classmethod
    def register(cls, token_id: str, account_id: UUID, *, at: datetime) -> "TokenLookup":
        return cls._create(
            cls.Registered, id=cls.id_for(token_id), timestamp=at, account_id=account_id
        )

    def __init__(self, account_id: UUID) -> None:
        self.account_id = account_id


# Stored before the aggregate had a module of its own (domain/account.py): that topic, and its
# events' (domain.account:TokenLookup.Registered), must still resolve, for ever.
register_topic("domain.account:TokenLookup", TokenLookup)

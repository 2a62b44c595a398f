"""What may happen to an affected person's identity, as their record says it: recorded, viewed
(every view), shared with the partner they are referred to, the sharing ended, erased. Mixed into
AffectedPerson (domain/affected_person.py), whose events these methods record; the identity
itself is never in them."""

from collections.abc import Callable
from datetime import datetime

from domain.errors import DomainError
from domain.people import Actor
from domain.referral import Referral, ReferralStatus, check_text


class IdentityRecord:
    # Given by AffectedPerson.
    reference: str
    has_identity: bool
    shared_with: set[str]
    erased: tuple[Actor, str, datetime] | None
    IdentityRecorded: type
    IdentityViewed: type
    IdentityShared: type
    IdentityShareRevoked: type
    IdentityErased: type
    _record: Callable[..., None]
    referred_to_partner: Callable[[str], list[Referral]]

    def _identity_kept(self) -> None:
        if self.erased is not None:
            raise DomainError(
                f"the identity of {self.reference} was erased: it cannot be recorded, seen or "
                "shared again"
            )

    def identity_recorded(self, *, actor: Actor, at: datetime) -> None:
        self._identity_kept()
        self._record(self.IdentityRecorded, actor, at)

    def identity_viewed(self, surface: str, *, actor: Actor, at: datetime) -> None:
        self._identity_kept()
        if not self.has_identity:
            raise DomainError(f"no identity is recorded for {self.reference}")
        self._record(self.IdentityViewed, actor, at, surface=surface)

    def share_identity(self, organisation: str, *, actor: Actor, at: datetime) -> None:
        self._identity_kept()
        if not self.has_identity:
            raise DomainError(f"no identity is recorded for {self.reference}: nothing to share")
        open_referrals = [
            r
            for r in self.referred_to_partner(organisation)
            if r.status is not ReferralStatus.CLOSED
        ]
        if not open_referrals:
            raise DomainError(
                f"{self.reference} has no open referral to {organisation}: refer them first; "
                "an identity is shared only with a partner the person is referred to"
            )
        if organisation in self.shared_with:
            raise DomainError(
                f"the identity of {self.reference} is already shared with {organisation}"
            )
        self._record(self.IdentityShared, actor, at, organisation=organisation)

    def revoke_share(self, organisation: str, reason: str, *, actor: Actor, at: datetime) -> None:
        if organisation not in self.shared_with:
            raise DomainError(f"the identity of {self.reference} is not shared with {organisation}")
        said = check_text("why the sharing ends", reason, "referral closed")
        self._record(self.IdentityShareRevoked, actor, at, organisation=organisation, reason=said)

    def erase_identity(self, reason: str, *, actor: Actor, at: datetime) -> None:
        self._identity_kept()
        if not self.has_identity:
            raise DomainError(f"no identity is recorded for {self.reference}: nothing to erase")
        said = check_text("why the identity is erased", reason, "the family asked for erasure")
        self._record(self.IdentityErased, actor, at, reason=said)

"""Help request events as the live feed carries them: the request's H- reference and what
happened (its event's name), nothing else. Never what the reporter wrote, the desk's messages,
the contact or who on the desk acted: a page that hears of a change fetches what its reader may
see through the pages' own checks. Only those who may see the help desk's queue receive them
(web/live/audiences.py)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.help_requests.queue import TOPICS as HELP_TOPICS

__all__ = ["HELP_TOPICS", "HelpFeedEvent"]


@dataclass(frozen=True)
class HelpFeedEvent:
    position: int
    reference: str
    version: int
    type: str
    at: datetime
    life_safety: bool  # so a page may say "someone is in danger" at once

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "help_request": {"reference": self.reference, "life_safety": self.life_safety},
            "version": self.version,
            "type": self.type,
            "at": self.at.isoformat(),
        }

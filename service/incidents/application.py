"""The application the outside world uses (the CLI and the web): Steady, made of its commands
(service.incidents.commands), the way they run (service.incidents.execution) and its queries
(service.incidents.queries), over one event store."""

import hashlib
import hmac
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

from eventsourcing.application import Application
from eventsourcing.utils import Environment

from domain.ids import STEADY_NAMESPACE
from playbooks.library import Library
from service.calendars.in_force import CalendarsInForce
from service.config import Settings
from service.drills.commands import DrillCommands
from service.incidents.board import Board
from service.incidents.commands import IncidentCommands
from service.incidents.execution import CommandExecution
from service.incidents.held import HeldIncidents
from service.incidents.need_to_know_commands import NeedToKnowCommands
from service.incidents.queries import IncidentQueries
from service.incidents.recounting import DueRecounting
from service.incidents.snapshots import snapshot_if_due
from service.incidents.writers import IncidentWriters
from service.store.folding import fold
from service.store.keys import id_key

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Steady(
    IncidentCommands,
    NeedToKnowCommands,
    DrillCommands,
    DueRecounting,
    IncidentQueries,
    CommandExecution,
    Application[UUID],
):
    name = "Steady"
    env: ClassVar[dict[str, str]] = {
        # Decoding is most of the cost of replaying a long incident; this reads the same format.
        "TRANSCODER_TOPIC": "service.store.transcoder:FastJSONTranscoder",
        # Long incidents load from their latest snapshot (service.incidents.snapshots). The
        # library's own aggregate cache stays off: incidents are held by HeldIncidents.
        "IS_SNAPSHOTTING_ENABLED": "y",
    }

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        playbooks: Library | None = None,
        clock: Clock = utc_now,
        zone: ZoneInfo | None = None,
    ) -> None:
        super().__init__(env)
        self.playbooks = playbooks if playbooks is not None else Library.load()
        self.clock = clock
        # The district's time zone (Settings.zone()): due dates are counted on its clocks.
        self.zone = zone or ZoneInfo(Settings.timezone)
        self._references: dict[UUID, str] = {}
        self._drills: dict[UUID, bool] = {}
        self.board = Board(self.events_after)
        # The school calendars imported (service.calendars): every count of school days asks.
        self.calendars_in_force = CalendarsInForce(self.repository)
        # The incidents lately used, and the one writer per incident that decides on them.
        self.held = HeldIncidents(
            lambda incident_id: self.repository.get(incident_id, projector_func=fold),
            lambda incident_id, version: self.events.get(incident_id, gt=version),
        )
        self.writers = IncidentWriters(
            self.held,
            self.save,
            after_save=lambda incident, before: snapshot_if_due(self.snapshots, incident, before),
        )
        self._id_key = id_key(self.env.get("CIPHER_KEY") or "")
        # Called after every save in this process, e.g. to wake the live feed at once.
        self.after_save: list[Callable[[], None]] = []

    def private_id(self, purpose: str, *parts: str) -> UUID:
        """An id for a stream named after something personal (a username, say), derived with
        the store's key: stable across processes sharing the store, meaningless without it."""
        text = "\n".join(parts)
        digest = hmac.new(self._id_key, f"{purpose}\n{text}".encode(), hashlib.sha256)
        return uuid5(STEADY_NAMESPACE, f"{purpose}/{digest.hexdigest()}")

    def id_secret(self, purpose: str) -> bytes:
        """A secret, derived from the store's key, for ids made by the domain (views)."""
        return hmac.new(self._id_key, f"{purpose}\n".encode(), hashlib.sha256).digest()

    def construct_env(self, name: str, env: Mapping[str, str] | None = None) -> Environment:
        """Only what Steady's settings give: the library would also read the process
        environment, where its app-scoped names (STEADY_CIPHER_KEY among them) would
        silently override what the settings chose."""
        return Environment(name, {**type(self).env, **(env or {})})

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        recordings = super().save(*objs, **kwargs)
        for hook in self.after_save:
            hook()
        return recordings

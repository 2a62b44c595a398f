"""When an incident is snapshotted: every SNAPSHOT_INTERVAL events, from the incident its writer
has just saved (no replay), after the commands of that save are acknowledged.

A snapshot is derived state: one that fails to be stored only means a longer replay on the
next cold load, so a failure is logged and the command it followed stands. Replay at a past
version or moment never reads snapshots (service.incidents.queries): auditors see what the
events alone say.
"""

import logging

from eventsourcing.persistence import EventStore

from domain.incident import Incident
from domain.incident_state import IncidentSnapshot

log = logging.getLogger(__name__)

SNAPSHOT_INTERVAL = 100


def snapshot_if_due(snapshots: EventStore | None, incident: Incident, version_before: int) -> None:
    """Stores a snapshot of the incident if its last save crossed a multiple of the interval."""
    if snapshots is None:
        return
    if incident.version // SNAPSHOT_INTERVAL == version_before // SNAPSHOT_INTERVAL:
        return
    try:
        snapshots.put([IncidentSnapshot.take(incident)])
    except Exception:  # another instance may have stored this very version first
        log.warning(
            "could not store a snapshot of %s at version %s",
            incident.reference,
            incident.version,
            exc_info=True,
        )

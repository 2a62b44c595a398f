"""service.store.folding.fold gives what eventsourcing's project_aggregate gives."""

from eventsourcing.application import project_aggregate

from service.incidents.application import Steady
from service.store.folding import fold
from tests.builders import LEAD


def test_fold_builds_the_same_incident_as_the_library_projector():
    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    ref = app.open_incident(
        title="Storm damage", kind="severe-weather", severity=3, schools=["Lincoln"], actor=LEAD
    ).reference
    app.apply_playbook(ref, "evacuation-or-shelter", actor=LEAD)
    app.change_task_status(ref, "T1", "done", note="All out", actor=LEAD)
    app.add_note(ref, "Buses at the north gate", actor=LEAD)
    events = list(app.events.get(app.find(ref)))

    folded = fold(None, events)
    projected = project_aggregate(None, events)
    assert folded is not None and projected is not None
    assert vars(folded) == vars(projected)
    assert folded.version == len(events) == 4
    assert vars(app.repository.get(app.find(ref), projector_func=fold)) == vars(projected)


def test_fold_of_nothing_is_what_it_started_with():
    assert fold(None, []) is None

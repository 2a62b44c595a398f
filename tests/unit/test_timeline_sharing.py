"""Sharing with a partner organisation is told in the timeline in plain language."""

from service.incidents.application import Steady
from service.timelines.reading import Timelines
from tests.builders import COUNSELOR, LEAD, ZONE
from tests.unit.test_timeline import texts

RIVERSIDE = ("riverside", "Riverside Family Services")


def test_sharing_the_incident_and_a_note_and_ending_the_share_are_told():
    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    ref = app.open_incident(
        title="Death of a student", kind="death", severity=2, schools=["Lincoln Elementary"],
        actor=LEAD,
    ).reference  # fmt: skip
    app.share_incident(ref, *RIVERSIDE, actor=LEAD)
    call = app.add_task(ref, title="Call the family", owner_role="counselor", actor=LEAD)
    task = call.detail["task_id"]
    note = app.add_note(ref, "Family asks for a home visit", task_id=task, actor=COUNSELOR)
    app.share_note(ref, note.detail["note_id"], "riverside", actor=COUNSELOR)
    app.end_share(ref, "riverside", reason="Family moved out of the district", actor=LEAD)

    entries = Timelines(app).timeline(ref, zone=ZONE)
    assert texts(entries)[1] == (
        "m.alvarez (crisis-lead) shared the incident with Riverside Family Services"
    )
    assert texts(entries)[-2:] == [
        "k.okafor (counselor) shared note N1 with Riverside Family Services",
        "m.alvarez (crisis-lead) ended the share with Riverside Family Services: "
        "Family moved out of the district",
    ]
    # Sharing a note about a task belongs to that task, as the note does.
    assert entries[-2]["task_id"] == task
    assert [e["type"] for e in Timelines(app).timeline(ref, zone=ZONE, task=task)] == [
        "task_added",
        "note_added",
        "note_shared",
    ]
    kinds = {e["type"] for e in entries}
    assert {"incident_shared", "note_shared", "incident_share_ended"} <= kinds
    assert Timelines(app).timeline(ref, zone=ZONE, kind="incident_share_ended")[0]["version"] == 6

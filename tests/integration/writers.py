"""Work done in separate processes by the concurrency tests (importable under 'spawn')."""

from domain.people import Actor
from service.bootstrap import open_steady
from service.config import Settings


def complete_tasks(database_url: str, reference: str, task_ids: list[str], start) -> int:
    app = open_steady(Settings(database_url=database_url))
    start.wait()
    for task_id in task_ids:
        app.change_task_status(reference, task_id, "done", actor=Actor("writer", "counselor"))
    app.close()
    return len(task_ids)


def open_incidents(database_url: str, count: int, start) -> list[str]:
    app = open_steady(Settings(database_url=database_url))
    start.wait()
    references = [
        app.open_incident(
            title="Severe weather shelter",
            kind="severe-weather",
            severity=3,
            schools=["Lincoln Elementary"],
            actor=Actor("writer", "crisis-lead"),
        ).reference
        for _ in range(count)
    ]
    app.close()
    return references

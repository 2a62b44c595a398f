"""Durability, shown on a real server: kill it with SIGKILL in the middle of concurrent writers
and start it again. Every command that was answered 2xx is in the record, and sending every
request again with its Idempotency-Key leaves each change in the record exactly once."""

import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

WRITERS = 8
KILL_AFTER = 64  # answered commands, all writers together, before the server is killed
MOST_PER_WRITER = 200  # a bound, should the server never be killed
# Each writer moves its own task round this cycle; every step is allowed from the one before.
CYCLE = ("in_progress", "blocked", "done", "todo")
Answer = tuple[int, dict[str, Any]]  # status code and body


@dataclass(frozen=True)
class Sent:
    key: str  # its Idempotency-Key
    path: str
    body: dict[str, Any]

    @property
    def text(self) -> str:
        """What makes this request's change its own: a note's text, a status change's reason."""
        return self.body.get("text") or self.body["reason"]


@dataclass
class Writer:
    """One client adding notes and moving its own task on, one request after another."""

    number: int
    task_id: str
    sent: list[Sent] = field(default_factory=list)
    answers: dict[str, Answer] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)

    def requests(self, ref: str) -> list[Sent]:
        made = []
        for step in range(MOST_PER_WRITER):
            key, label = str(uuid.uuid4()), f"writer {self.number} step {step}"
            if step % 2 == 0:
                made.append(Sent(key, f"/api/v1/incidents/{ref}/notes", {"text": label}))
            else:
                status = CYCLE[(step // 2) % len(CYCLE)]
                path = f"/api/v1/incidents/{ref}/tasks/{self.task_id}/status"
                made.append(Sent(key, path, {"status": status, "reason": label}))
        return made

    def run(self, server, ref: str, answered: threading.Semaphore) -> None:
        """Sends until the server stops answering (it is killed)."""
        with client_of(server) as client:
            for request in self.requests(ref):
                self.sent.append(request)
                try:
                    response = send(client, request)
                except httpx.TransportError:
                    return  # in flight when the server died, or sent after: no answer
                if not response.is_success:
                    self.refused.append(f"{response.status_code} {response.text}")
                    return
                self.answers[request.key] = (response.status_code, response.json())
                answered.release()

    def last_status(self) -> str | None:
        statuses = [r.body["status"] for r in self.sent if "status" in r.body]
        return statuses[-1] if statuses else None


def client_of(server) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers=server.auth(), timeout=10)


def send(client: httpx.Client, request: Sent) -> httpx.Response:
    return client.post(request.path, json=request.body, headers={"Idempotency-Key": request.key})


def lockdown_with_tasks(server, count: int) -> tuple[str, list[str]]:
    with client_of(server) as lead:

        def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
            response = lead.post(path, json=body)
            assert response.status_code == 201, response.text
            return response.json()

        ref = post(
            "/api/v1/incidents",
            {
                "title": "Lockdown",
                "kind": "lockdown",
                "severity": 1,
                "schools": ["Lincoln Elementary"],
            },
        )["reference"]
        tasks = f"/api/v1/incidents/{ref}/tasks"
        body = {"owner_role": "counselor"}
        return ref, [
            post(tasks, {"title": f"Sweep wing {n}", **body})["task_id"] for n in range(count)
        ]


def incident_events(server, ref: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{server.url}/api/v1/incidents/{ref}/events", headers=server.auth(), timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()["events"]


def in_threads(work, writers: list[Writer], *args: Any) -> None:
    threads = [threading.Thread(target=work, args=(w, *args), daemon=True) for w in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


def test_what_was_acknowledged_survives_a_kill_and_every_retry_applies_once(
    postgres_url, start_server
):
    server = start_server(postgres_url)
    ref, task_ids = lockdown_with_tasks(server, WRITERS)
    before = len(incident_events(server, ref))
    writers = [Writer(n, task_id) for n, task_id in enumerate(task_ids)]

    answered = threading.Semaphore(0)
    killing = threading.Thread(target=in_threads, args=(Writer.run, writers, server, ref, answered))
    killing.start()
    for _ in range(KILL_AFTER):
        assert answered.acquire(timeout=30), "the writers stopped being answered"
    server.kill()  # SIGKILL, with commands in flight
    killing.join(timeout=60)
    acknowledged = {key: answer for w in writers for key, answer in w.answers.items()}
    sent = [request for w in writers for request in w.sent]
    assert len(acknowledged) >= KILL_AFTER

    server.start()
    # (a) Every acknowledged command is in the record, at the position its answer named.
    at = {event["position"]: event for event in incident_events(server, ref)}
    found = {
        r.key: at.get(acknowledged[r.key][1]["position"]) for r in sent if r.key in acknowledged
    }
    lost = [r.text for r in sent if r.key in found and found[r.key] is None]
    assert not lost, f"acknowledged, then lost with the server: {lost}"
    for request in (r for r in sent if r.key in found):
        event, (_, answer) = found[request.key], acknowledged[request.key]
        if "text" in request.body:
            assert (event["type"], event["data"]["text"]) == ("note_added", request.text)
            assert event["data"]["note_id"] == answer["note_id"]
        else:
            assert event["type"] == "task_status_changed"
            assert event["data"]["reason"] == request.text
    assert not [r for w in writers for r in w.refused], "a command was refused"

    # (b) Every request sent again with its key, answered or not, in each writer's order.
    again: dict[str, Answer] = {}

    def resend(writer: Writer) -> None:
        with client_of(server) as client:
            for request in writer.sent:
                try:
                    response = send(client, request)
                except httpx.HTTPError as error:
                    again[request.key] = (0, {"error": repr(error)})
                else:
                    again[request.key] = (response.status_code, response.json())

    in_threads(resend, writers)
    assert [again[r.key] for r in sent if not 200 <= again[r.key][0] < 300] == []
    # A retry of an acknowledged command is answered exactly as the first time.
    assert {key: again[key] for key in acknowledged} == acknowledged
    events = incident_events(server, ref)
    told = Counter(
        e["data"].get("text") or e["data"].get("reason")
        for e in events
        if e["type"] in ("note_added", "task_status_changed")
    )
    assert {r.text: told[r.text] for r in sent} == {r.text: 1 for r in sent}
    assert len(events) == before + len(sent), "something was appended twice"
    # Each writer's task ends at the status its last request asked for.
    state = httpx.get(f"{server.url}/api/v1/incidents/{ref}", headers=server.auth()).json()
    statuses = {t["id"]: t["status"] for t in state["task_list"]}
    for writer in writers:
        assert statuses[writer.task_id] == (writer.last_status() or "todo")

"""Several processes on one PostgreSQL database, as behind a load balancer: `steady serve
--workers 2`, and two `steady serve` processes on their own ports. What one is told, the others
show, in their reads and on their live feeds; writers on one incident through both all get in.
(Revoking a token through one instance closes its socket on another:
tests/e2e/test_live_revocation.py.)"""

import asyncio
import threading
import uuid
from collections import Counter
from typing import Any

import httpx
import websockets

from tests.e2e.test_live_feed import receive_until
from tests.e2e.workers import worker_holding, worker_pids

LOCKDOWN = {
    "title": "Lockdown",
    "kind": "lockdown",
    "severity": 1,
    "schools": ["Roosevelt High School"],
}


def client_port(response: httpx.Response) -> int:
    return response.extensions["network_stream"].get_extra_info("client_addr")[1]


def client_on(server, workers: set[int], pid: int) -> httpx.Client:
    """A client whose kept-alive connection the worker `pid` holds (new connections go to
    whichever worker accepts first, so try until one lands there)."""
    for _ in range(60):
        client = httpx.Client(base_url=server.url, headers=server.auth(), timeout=10)
        response = client.get("/api/v1/me")
        assert response.status_code == 200, response.text
        if worker_holding(workers, server.port, client_port(response)) == pid:
            return client
        client.close()
    raise AssertionError(f"no connection landed on worker {pid}")


def on_same_connection(client: httpx.Client, response: httpx.Response, port: int) -> Any:
    assert client_port(response) == port, "the connection changed worker"
    assert response.is_success, response.text
    return response.json()


def test_each_worker_shows_what_the_other_was_told_in_reads_and_on_its_feed(
    postgres_url, start_server
):
    server = start_server(postgres_url, serve_args=("--workers", "2"))
    assert server.process is not None
    workers = worker_pids(server.process.pid)
    assert len(workers) == 2, workers

    async def scenario() -> None:
        # A live feed on each worker: connect until each has one.
        feeds: dict[int, websockets.ClientConnection] = {}
        extra = []
        for _ in range(60):
            socket = await websockets.connect(
                f"{server.ws_url}/ws/board", additional_headers=server.auth()
            )
            await receive_until(socket, lambda m: m["type"] == "caught_up")
            pid = await asyncio.to_thread(
                worker_holding, workers, server.port, socket.local_address[1]
            )
            (extra if pid in feeds else []).append(socket)
            feeds.setdefault(pid, socket)
            if len(feeds) == 2:
                break
        assert set(feeds) == workers
        clients = {pid: await asyncio.to_thread(client_on, server, workers, pid) for pid in feeds}
        ports = {pid: client_port(clients[pid].get("/api/v1/me")) for pid in clients}
        first, second = sorted(workers)
        opened = on_same_connection(
            clients[first], clients[first].post("/api/v1/incidents", json=LOCKDOWN), ports[first]
        )
        ref = opened["reference"]
        for writer, reader in ((first, second), (second, first)):
            text = f"told worker {writer}"
            response = await asyncio.to_thread(
                clients[writer].post, f"/api/v1/incidents/{ref}/notes", json={"text": text}
            )
            added = on_same_connection(clients[writer], response, ports[writer])
            # The other worker's live feed sends it...
            messages = await receive_until(
                feeds[reader], lambda m, at=added["position"]: m.get("position") == at
            )
            assert (messages[-1]["type"], messages[-1]["data"]["text"]) == ("note_added", text)
            # ...and its reads show it at once.
            response = await asyncio.to_thread(clients[reader].get, f"/api/v1/incidents/{ref}")
            state = on_same_connection(clients[reader], response, ports[reader])
            assert text in [note["text"] for note in state["notes"]]
            assert state["position"] >= added["position"]
        for socket in [*feeds.values(), *extra]:
            await socket.close()
        for client in clients.values():
            client.close()

    asyncio.run(scenario())


def test_writers_on_one_incident_through_two_instances_all_get_in_once(postgres_url, start_server):
    one = start_server(postgres_url)
    two = start_server(postgres_url)
    opened = httpx.post(f"{one.url}/api/v1/incidents", json=LOCKDOWN, headers=one.auth())
    assert opened.status_code == 201, opened.text
    ref = opened.json()["reference"]
    notes = 12
    answers: list[tuple[int, str]] = []

    headers = {server.url: server.auth() for server in (one, two)}  # issued before the race

    def write(server, writer: int) -> None:
        with httpx.Client(base_url=server.url, headers=headers[server.url], timeout=30) as client:
            for n in range(notes):
                response = client.post(
                    f"/api/v1/incidents/{ref}/notes",
                    json={"text": f"writer {writer} note {n}"},
                    headers={"Idempotency-Key": str(uuid.uuid4())},
                )
                answers.append((response.status_code, response.text))

    # Four writers through each instance, at once, on the same incident: the instances' saves
    # collide, and the loser brings the incident up to date and decides again.
    threads = [
        threading.Thread(target=write, args=(server, n)) for n, server in enumerate([one, two] * 4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [a for a in answers if a[0] != 201] == []
    assert len(answers) == 8 * notes
    expected = {f"writer {w} note {n}": 1 for w in range(8) for n in range(notes)}
    for server in (one, two):
        state = httpx.get(f"{server.url}/api/v1/incidents/{ref}", headers=server.auth()).json()
        assert Counter(note["text"] for note in state["notes"]) == expected

"""Which worker process of `steady serve --workers N` holds a connection, read from Linux's
/proc: the kernel hands each new connection to whichever worker accepts first, so a test that
means to write through one worker and read through another must ask."""

import time
from pathlib import Path

PROC = Path("/proc")


def worker_pids(supervisor_pid: int) -> set[int]:
    """The worker processes uvicorn started (multiprocessing's resource tracker left out)."""
    found = set()
    for stat in PROC.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == supervisor_pid and b"spawn_main" in command:
            found.add(int(stat.parent.name))
    return found


def worker_holding(workers: set[int], server_port: int, client_port: int) -> int:
    """The worker holding the server's end of the connection from `client_port`; waits a
    moment for the connection to be accepted."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        inode = _server_end(server_port, client_port)
        if inode:
            link = f"socket:[{inode}]"
            for pid in workers:
                try:
                    if any(str(fd.readlink()) == link for fd in (PROC / f"{pid}/fd").iterdir()):
                        return pid
                except OSError:
                    continue  # a descriptor closed while we looked
        time.sleep(0.05)
    raise AssertionError(f"no worker holds the connection from port {client_port}")


def _server_end(server_port: int, client_port: int) -> str:
    """The inode of the server's socket for that connection ("" until it is accepted)."""
    for table in ("tcp", "tcp6"):
        for line in (PROC / "net" / table).read_text().splitlines()[1:]:
            parts = line.split()
            local, remote, inode = parts[1], parts[2], parts[9]
            if _port(local) == server_port and _port(remote) == client_port and inode != "0":
                return inode
    return ""


def _port(address: str) -> int:
    return int(address.rsplit(":", 1)[1], 16)

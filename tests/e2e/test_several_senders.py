"""Two `steady serve` processes on one PostgreSQL database, both following the log into the one
outbox and both sending, through a real SMTP server in the test process: every urgent task's
email arrives, and each only once, whichever instance was told and whichever sends."""

import time
from collections import Counter

import httpx

from tests.e2e.conftest import RunningServer
from tests.outbox_smtp import SmtpServer


def test_two_instances_send_each_urgent_email_once(postgres_url, tmp_path):
    smtp = SmtpServer()
    smtp.start()
    servers = [RunningServer(postgres_url, tmp_path / f"server-{n}.log") for n in range(2)]
    try:
        for server in servers:
            server.env |= {"STEADY_SMTP_URL": smtp.url}
        headers = servers[0].auth("m.alvarez")  # seeds the demo accounts
        for server in servers:
            server.start()
        opened = httpx.post(
            f"{servers[0].url}/api/v1/incidents",
            json={
                "title": "Lockdown",
                "kind": "lockdown",
                "severity": 1,
                "schools": ["Lincoln Elementary"],
            },
            headers=headers,
            timeout=10,
        )
        assert opened.status_code == 201, opened.text
        ref = opened.json()["reference"]
        titles = [f"Urgent step {n}" for n in range(12)]
        for n, title in enumerate(titles):  # told to either instance, in turn
            added = httpx.post(
                f"{servers[n % 2].url}/api/v1/incidents/{ref}/tasks",
                json={"title": title, "owner_role": "crisis-lead", "urgent": True},
                headers=headers,
                timeout=10,
            )
            assert added.status_code == 201, added.text

        lead = "m.alvarez@riverside.example"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(smtp.inbox.to(lead, "Urgent:")) < len(titles):
            time.sleep(0.2)
        time.sleep(6)  # a round of each instance's schedule more: nothing comes twice
        received = Counter((m["To"], str(m["Subject"])) for m in smtp.inbox.received)
        assert all(count == 1 for count in received.values()), received
        subjects = sorted(s for to, s in received if to == lead)
        assert subjects == sorted(f"Urgent: T{n + 1} {t} ({ref})" for n, t in enumerate(titles))
    finally:
        for server in servers:
            server.stop()
        smtp.stop()

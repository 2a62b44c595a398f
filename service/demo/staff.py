"""The demo district's schools and people: who holds which position where. The accounts are
seeded from this (service.demo.accounts), and each demo task is done by someone who holds the
position that owns it, at the incident's school where there is such a person
(service.demo.incidents)."""

import re
from dataclasses import dataclass

from domain.people import Actor

SCHOOLS = [
    "Lincoln Elementary",
    "Cesar Chavez Elementary",
    "Jefferson Middle School",
    "Roosevelt High School",
]
# The community partner the demo shares an incident with: id, name, kind of organisation.
PARTNER_ORGANISATION = (
    "eastside-counseling",
    "Eastside Counseling Center (mental-health agency)",
    "partner",
)
# The police liaison the help desk's threat reports are shared with (the case study's partner).
POLICE_ORGANISATION = (
    "riverside-police-liaison",
    "Riverside Police Department, school liaison unit",
    "partner",
)


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


LINCOLN, CHAVEZ, JEFFERSON, ROOSEVELT = (slug(school) for school in SCHOOLS)
# District staff who work in the schools of the demo's incidents (Roosevelt High School has its
# own counselor, and the permission tests rely on her being its only responder).
SERVED = (LINCOLN, CHAVEZ, JEFFERSON)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    organisation: str
    role: str
    positions: tuple[str, ...] = ()
    schools: tuple[str, ...] = ()  # schools given besides their organisation (ids)

    def reaches(self, school: str) -> bool:
        """Whether the person works at this school (by its id)."""
        return school in (self.organisation, *self.schools)


DEMO_ACCOUNTS = [
    DemoAccount("admin", "District account administrator", "riverside-usd", "admin"),
    DemoAccount(
        "m.alvarez",
        "Maria Alvarez",
        "riverside-usd",
        "crisis-lead",
        ("crisis-lead", "district-leader"),
    ),
    DemoAccount("k.okafor", "Kemi Okafor", ROOSEVELT, "responder", ("counselor",)),
    DemoAccount("d.chen", "David Chen", JEFFERSON, "responder", ("principal",)),
    # The district's school psychologist covers the two elementary schools.
    DemoAccount(
        "l.nguyen",
        "Linh Nguyen",
        "riverside-usd",
        "responder",
        ("school-psychologist",),
        (LINCOLN, CHAVEZ),
    ),
    DemoAccount("r.patel", "Ravi Patel", "riverside-usd", "district-leader"),
    DemoAccount(
        "j.brooks", "Jordan Brooks", "eastside-counseling", "partner", ("partner-mental-health",)
    ),
    DemoAccount("a.kim", "Alex Kim", "riverside-usd", "auditor"),
    # The district's help desk, who work the requests from the public help page.
    DemoAccount("t.santos", "Teresa Santos", "riverside-usd", "help-desk"),
    DemoAccount("d.harris", "Dana Harris", "riverside-police-liaison", "partner"),
    # Someone for every position the shipped playbooks name (Roosevelt keeps only k.okafor).
    DemoAccount("h.ward", "Hannah Ward", CHAVEZ, "responder", ("principal",)),
    DemoAccount("b.osei", "Ben Osei", LINCOLN, "responder", ("principal",)),
    DemoAccount(
        "p.rivera", "Pat Rivera", JEFFERSON, "responder", ("counselor",), (LINCOLN, CHAVEZ)
    ),
    DemoAccount(
        "t.moore",
        "Taylor Moore",
        JEFFERSON,
        "responder",
        ("safety-officer", "reunification-lead", "threat-assessment-lead", "investigator"),
    ),
    DemoAccount(
        "e.walker",
        "Emma Walker",
        JEFFERSON,
        "responder",
        ("teacher", "reporting-staff", "reunifier"),
    ),
    DemoAccount("s.lopez", "Sofia Lopez", JEFFERSON, "responder", ("registrar", "checker")),
    DemoAccount("n.baker", "Nadia Baker", "riverside-usd", "responder", ("nurse",), SERVED),
    DemoAccount(
        "o.grant",
        "Omar Grant",
        "riverside-usd",
        "responder",
        ("public-information-officer",),
        SERVED,
    ),
    DemoAccount(
        "c.reyes", "Carmen Reyes", "riverside-usd", "responder", ("liaison-officer",), SERVED
    ),
    DemoAccount(
        "a.johnson",
        "Aisha Johnson",
        "riverside-usd",
        "responder",
        ("social-worker", "family-liaison"),
        SERVED,
    ),
    DemoAccount(
        "w.turner", "Will Turner", "riverside-usd", "responder", ("instructional-lead",), SERVED
    ),
    DemoAccount("f.ito", "Fumiko Ito", "riverside-usd", "responder", ("finance-officer",), SERVED),
    DemoAccount(
        "g.silva",
        "Gabriel Silva",
        "riverside-usd",
        "responder",
        ("facilities-lead", "transportation-lead"),
        SERVED,
    ),
    DemoAccount(
        "y.clark",
        "Yasmin Clark",
        "riverside-usd",
        "responder",
        ("civil-rights-coordinator",),
        SERVED,
    ),
    # Lincoln's two homeroom teachers on the demo roster (matched by username when it is
    # imported): each accounts for their class in a lockdown. No position: no playbook task.
    DemoAccount("h.sato", "Hana Sato", LINCOLN, "responder"),
    DemoAccount("m.bell", "Marcus Bell", LINCOLN, "responder"),
]


def holder(position: str, school: str) -> Actor | None:
    """Who does a task of this position at this school (a school's name): someone of that
    school first, else anyone holding the position; None when nobody does."""
    holders = [d for d in DEMO_ACCOUNTS if position in d.positions]
    here = [d for d in holders if d.reaches(slug(school))]
    chosen = (here or holders or [None])[0]
    return Actor(chosen.username, position) if chosen else None

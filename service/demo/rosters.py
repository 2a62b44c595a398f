"""The demo district's roster: a OneRoster 1.1 CSV export (service/demo/roster/) of Roosevelt
High School (40 classes, timed periods) and Lincoln Elementary (homerooms), made-up people, a
few guardians each and one student with a custody alert. Importing it again changes nothing."""

from pathlib import Path

from domain.people import Actor
from service.rosters.files import read_directory
from service.rosters.service import ImportResult, Rosters

ROSTER_DIR = Path(__file__).parent / "roster"
IMPORTER = Actor("admin", "admin")


def seed_demo_roster(rosters: Rosters) -> ImportResult:
    return rosters.import_files(
        read_directory(ROSTER_DIR), source="demo roster (OneRoster 1.1 CSV)", actor=IMPORTER
    )

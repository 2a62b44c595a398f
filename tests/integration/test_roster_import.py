"""Importing the rosters on SQLite and PostgreSQL: the people are person records with vault
identities, importing again updates, the same files twice add nothing, no name is stored in
clear text, and a partner sees nothing of rosters."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from domain.people import Actor
from service.bootstrap import assemble, open_steady
from service.config import Settings
from service.demo.accounts import seed_demo_accounts
from service.rosters.files import read_directory
from service.rosters.oneroster import RosterRefused
from service.store.keys import generate_key
from tests.builders import FAST_HASHER
from tests.integration.test_privacy_at_rest import clear_text_found
from tests.unit.test_roster_oneroster import DEMO, replace_line

ADMIN = Actor("admin", "admin")
MORNING = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("America/Chicago"))


@pytest.fixture
def parts(database_url):
    from service.accounts.service import Accounts

    settings = Settings(database_url=database_url, cipher_key=generate_key())
    app = open_steady(settings)
    built = assemble(app, settings, accounts=Accounts(app, hasher=FAST_HASHER))
    seed_demo_accounts(built.accounts)
    yield built
    app.close()


def test_import_reimport_and_reads(parts, database_url):
    rosters, app = parts.rosters, parts.steady
    files = read_directory(DEMO)
    done = rosters.import_files(files, source="demo", actor=ADMIN)
    assert done.people_added == 151 and done.counts["classes"]["set"] == 42
    position = app.recorder.max_notification_id()
    again = rosters.import_files(files, source="demo", actor=ADMIN)
    assert not again.changed and app.recorder.max_notification_id() == position

    period_2 = rosters.classes_in_session("Roosevelt High School", MORNING)
    assert len(period_2) == 6 and all(c.periods[0].startswith("2 ") for c in period_2)
    evening = rosters.classes_in_session("roosevelt-high-school", MORNING.replace(hour=19))
    assert {c.class_type for c in evening} == {"homeroom"} and len(evening) == 4
    students = rosters.students_of("c-rhs-hr3", on=MORNING.date())
    alerted = [s for s in students if s.custody_alert]
    assert len(alerted) == 1 and alerted[0].name == "Hugo Zeller"
    guardians = rosters.guardians_of(alerted[0].person_ref)
    assert guardians.custody_alert and guardians.guardians[0].contact
    staff = {s.username: s for s in rosters.staff_of("Lincoln Elementary")}
    assert staff["b.osei"].account == "b.osei" and staff["h.sato"].account == "h.sato"
    unmatched = {s.username: s for s in rosters.staff_of("Roosevelt High School")}
    assert unmatched["n.haddad"].account == ""  # no Steady account of that name or email
    person = parts.people.person(alerted[0].person_ref)
    assert person.kind == "student" and person.has_identity  # the follow-ups' own record

    # A new name, a student gone, an enrollment moved: one import records each.
    changed = dict(files)
    changed["users.csv"] = changed["users.csv"].replace(",Hugo,Zeller,", ",Hugh,Zeller,", 1)
    changed["users.csv"] = changed["users.csv"].replace("\ns-rhs-3,,", "\ns-rhs-3,tobedeleted,")
    enrollments = changed["enrollments.csv"]
    changed["enrollments.csv"] = replace_line(enrollments, 2, "c-rhs-hr1", "c-rhs-hr2")
    updated = rosters.import_files(changed, source="update", actor=ADMIN)
    assert updated.people_added == 0 and updated.identities_recorded == 1
    assert updated.counts["members"]["removed"] >= 1
    assert updated.counts["enrollments"]["set"] == 1
    now = rosters.students_of("c-rhs-hr3", on=MORNING.date())
    assert "Hugh Zeller" in [s.name for s in now]
    # The roster read before the import is not the one read after: the moved student is in
    # their new homeroom's list, and gone from the old one's.
    moved = parts.rosters.contents().members["s-rhs-1"].person_ref
    assert moved in [s.person_ref for s in rosters.students_of("c-rhs-hr2", on=MORNING.date())]
    assert moved not in [s.person_ref for s in rosters.students_of("c-rhs-hr1", on=MORNING.date())]
    # An erased student stays on the class list, by pseudonym, without a name.
    parts.people.erase_identity(alerted[0].person_ref, "family asked", actor=ADMIN)
    listed = {s.person_ref: s.name for s in rosters.students_of("c-rhs-hr3", on=MORNING.date())}
    assert listed[alerted[0].person_ref] == "" and "Hugh Zeller" not in listed.values()
    assert rosters.roster().contents.members["s-rhs-7"].person_ref == alerted[0].person_ref

    assert clear_text_found(database_url, ["Hugh Zeller", "Zeller", "family.example"]) == []


def test_a_bad_export_is_refused_whole(parts):
    files = read_directory(DEMO)
    files["enrollments.csv"] = replace_line(files["enrollments.csv"], 14, "s-rhs-2,", "u-999,")
    position = parts.steady.recorder.max_notification_id()
    with pytest.raises(RosterRefused) as refused:
        parts.rosters.import_files(files, source="bad", actor=ADMIN)
    assert [str(p) for p in refused.value.problems] == [
        "enrollments.csv line 14, userSourcedId: no user u-999 in users.csv"
    ]
    assert parts.steady.recorder.max_notification_id() == position

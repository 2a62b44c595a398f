"""The composition root: builds the application from settings, store and playbook library,
and every part that lives beside it in a process (accounts, the partner feed, timelines, the
log of views, the schools' names, who holds each role, the school calendars, affected people
and their follow-ups, the recovery picture, help requests, rosters, class accounting,
reunification, drills), each given what it needs. Entry
points (the web app, the `steady` command) build their parts here and nowhere else."""

import sqlite3
from dataclasses import dataclass

import psycopg
from eventsourcing.persistence import PersistenceError

from playbooks.library import Library
from service.access.need_to_know import SchoolNames
from service.accounting.alerts import ClassListAlerts
from service.accounting.service import Accounting
from service.accounts.service import Accounts
from service.calendar_feed.feeds import CalendarFeeds
from service.calendars.service import Calendars
from service.config import Settings
from service.drills.service import Drills
from service.drills.stations import AccountingMoments
from service.follow_ups.commands import FollowUpCommands
from service.follow_ups.due import FollowUpsDue
from service.help_requests.service import HelpRequests
from service.incidents.application import Clock, Steady, utc_now
from service.live.live_log import LiveLog
from service.outbox.digest import FEED_GROUPS, check_ins, open_tasks
from service.outbox.reminders import Reminders
from service.outbox.tables import NoOutbox
from service.people.service import People
from service.recovery.picture import Recovery
from service.reunification.families import FamilyUpdates
from service.reunification.service import Reunifications
from service.rosters.service import Rosters
from service.sharing.feed import PartnerFeed
from service.store.keys import cipher_env, key_for
from service.timelines.reading import Timelines
from service.views_log.recording import ViewLog
from service.work.holders import RoleHolders

UNREADABLE_STORE = (
    "stored events cannot be read with this key: set STEADY_CIPHER_KEY to the key this store "
    "was written with (for SQLite without it, the key file beside the database)"
)


class StoreUnavailable(Exception):
    """The database named by STEADY_DATABASE_URL cannot be reached or opened."""


def open_steady(settings: Settings | None = None, *, clock: Clock = utc_now) -> Steady:
    settings = settings or Settings.from_env()
    library = Library.load(settings.playbooks_dir)
    env = settings.eventsourcing_env() | cipher_env(key_for(settings))
    sqlite_path = settings.sqlite_path()
    try:
        if sqlite_path is not None:
            sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        app = Steady(env, playbooks=library, clock=clock, zone=settings.zone())
        app.recorder.max_notification_id()  # touch the store now, not at the first command
    except (OSError, PersistenceError, psycopg.Error, sqlite3.Error) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise StoreUnavailable(
            f"cannot reach the database at {settings.redacted_url()}: {reason}"
        ) from error
    return app


@dataclass(frozen=True)
class Parts:
    """What one process serves from: the application and the parts built around it."""

    steady: Steady
    settings: Settings
    accounts: Accounts
    partner_feed: PartnerFeed  # what each partner organisation may see of each event
    timelines: Timelines  # told timelines: cached in this process, and stored
    view_log: ViewLog  # who saw which incident, saved in the background
    school_names: SchoolNames  # which schools a responder's incidents are at
    role_holders: RoleHolders  # which playbook roles someone holds (or a partner stands in for)
    calendars: Calendars  # the school calendars: importing them, and which one is in force
    follow_ups: FollowUpCommands  # planning people's check-ins, recording them
    follow_ups_due: FollowUpsDue  # who has which check-ins due, kept from the log
    people: People  # affected people, their triage, referrals and identities
    calendar_feeds: CalendarFeeds  # each person's private calendar feed, and its sources
    live_log: LiveLog  # the log as the live feed reads it: incidents, follow-ups, people
    recovery: Recovery  # the district's recovery picture and each incident's progress
    help_requests: HelpRequests  # reports and asks from the help page, and the desk's work
    rosters: Rosters  # the rosters from the student information system, and their reads
    reunifications: Reunifications  # reunification's stations and counts, per incident
    drills: Drills  # the drill log and drill reports (classes' reports: class accounting's)
    accounting: Accounting  # accounting for all persons in a lockdown, evacuation or shelter
    # The outbox: urgent-task emails and the morning digest (None: a store that keeps none).
    reminders: Reminders | None = None


def assemble(steady: Steady, settings: Settings, *, accounts: Accounts | None = None) -> Parts:
    """Builds the parts around an application that is already open. `accounts` lets a test
    bring its own (with a quick password hasher, say)."""
    accounts = accounts or Accounts(steady)
    calendars = Calendars(steady, district=settings.district)
    follow_ups = FollowUpCommands(steady, accounts.account, calendar_for=calendars.calendar_for)
    calendars.after_import.append(
        lambda reason, actor: follow_ups.reschedule_for_calendar(reason=reason, actor=actor)
    )
    people = People(steady, accounts)
    # A triage plans (or plans again) the person's check-ins for their tier.
    people.after_triage.append(follow_ups.after_triage)
    follow_ups.birthday_of = people.birthday_of
    follow_ups_due = FollowUpsDue(steady, follow_ups.owner_organisation)
    school_names = SchoolNames(accounts)
    try:
        reminders: Reminders | None = Reminders(
            steady, accounts, school_names, settings, calendar_for=calendars.calendar_for
        )
    except NoOutbox:
        reminders = None
    if reminders is not None:
        reminders.sources.append(check_ins(follow_ups_due.for_owner, steady.zone))
    help_requests = HelpRequests(
        steady,
        accounts,
        people,
        targets=dict(settings.help_targets),
        on_call=settings.help_on_call,
        public_url=settings.public_url,
    )
    if reminders is not None:
        # Escalating a life-safety request no one has acknowledged: every round, at any hour.
        outbox = reminders.outbox
        reminders.rounds.append(
            lambda at: help_requests.escalate_due(at, lambda m: outbox.add(m, at=at))
        )
        # A converted request closes once its incident has.
        reminders.rounds.append(help_requests.close_converted)
    rosters = Rosters(people, accounts)
    reunifications = Reunifications(steady, rosters)
    if reminders is not None:
        # Families' updates while reunification is under way, at the set frequency.
        updates = FamilyUpdates(
            reunifications,
            rosters,
            steady.zone,
            minutes=settings.reunification_update_minutes,
        )
        box = reminders.outbox
        reminders.rounds.append(lambda at: updates.round(at, lambda m: box.add(m, at=at)))
    # A calendar feed holds every open task of the person's with a due time and every check-in
    # ahead (the digest only those due today and overdue).
    feed_sources = [
        open_tasks(steady, accounts, school_names, groups=FEED_GROUPS),
        check_ins(follow_ups_due.for_owner, steady.zone, upcoming=True),
    ]
    accounting = Accounting(steady, rosters, accounts, school_names)
    people.after_erasure.append(accounting.lists.forget)  # no erased name on a class list
    if reminders is not None:
        # Every teacher and staff member told to account for their class and themselves.
        alerts, mail = ClassListAlerts(accounting, settings.public_url), reminders.outbox
        reminders.rounds.append(lambda at: alerts.due(at, lambda m: mail.add(m, at=at)))
    accounted = AccountingMoments(accounting)  # a drill is timed by its stations
    return Parts(
        steady=steady,
        settings=settings,
        accounts=accounts,
        partner_feed=PartnerFeed(steady.events_after),
        timelines=Timelines(steady),
        view_log=ViewLog(steady),
        school_names=school_names,
        role_holders=RoleHolders(accounts),
        calendars=calendars,
        follow_ups=follow_ups,
        follow_ups_due=follow_ups_due,
        people=people,
        calendar_feeds=CalendarFeeds(accounts, feed_sources),
        live_log=LiveLog(steady, follow_ups.owner_organisation),
        recovery=Recovery(steady, people, follow_ups_due),
        help_requests=help_requests,
        rosters=rosters,
        reunifications=reunifications,
        drills=Drills(
            steady,
            accounted,
            accounted_for_at=accounted.accounted_for_at,
            last_reunified_at=reunifications.last_reunified_at,
        ),
        accounting=accounting,
        reminders=reminders,
    )

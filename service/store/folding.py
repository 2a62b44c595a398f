"""Folding an aggregate's events into its state, for Repository.get(projector_func=...).

eventsourcing's default projector, project_aggregate(), asserts that every event satisfies the
runtime-checkable CanMutateProtocol before calling its mutate(). On Python 3.11 that isinstance
check inspects the protocol's members each time, tens of microseconds an event: most of the cost
of replaying a long incident. Our events are the library's own Aggregate.Event classes, whose
mutate() is always there, so this fold leaves the check out and does nothing else differently.
"""

from collections.abc import Iterable
from typing import Any, TypeVar

A = TypeVar("A")


def fold(aggregate: A | None, events: Iterable[Any]) -> A | None:
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate

"""What the tests that fuzz the API from its OpenAPI document share: which answers a request
valid by the document may get, and real ids for its path parameters.

A request valid by the document must be taken. It may still be refused for what no document
can say: a role that may not (403; never 401: every fuzzing run is signed in, and a sign-in
that stops working is a failure), an id there is none of (404), a change since the version
it was based on (409); and, for a command or a read at a version, a rule of the incident as it
stands (422: closing a closed incident, a task that is done, a version beyond its history, a
moment when it happened that is in the future). Never 400: that says the request was malformed,
and the document is what says what is well formed.
"""

from typing import Any

from hypothesis import strategies as st

from service.incidents.application import Steady

TAKEN = ["2xx", "403", "404", "409"]
# The operations the incident's (or an account's) present state may refuse with a 422.
RULED: list[dict[str, Any]] = [
    {"include-method": ["POST", "PUT", "DELETE"]},
    {"include-path": ["/api/v1/incidents/{ref}/state", "/api/v1/incidents/{ref}/diff"]},
]


def acceptance() -> dict[str, Any]:
    """The schemathesis configuration (its `checks` and `operations`) of what a valid request
    may be answered with."""
    return {
        "checks": {"positive_data_acceptance": {"expected-statuses": TAKEN}},
        "operations": [
            {
                **which,
                "checks": {"positive_data_acceptance": {"expected-statuses": [*TAKEN, "422"]}},
            }
            for which in RULED
        ],
    }


def tasks_and_notes(
    steady: Steady, refs: list[str]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    tasks: list[tuple[str, str]] = []
    notes: list[tuple[str, str]] = []
    for ref in refs:
        incident = steady.incident(ref)
        tasks += [(ref, task_id) for task_id in sorted(incident.tasks)[:3]]
        notes += [(ref, note_id) for note_id in sorted(incident.notes)[:3]]
    return tasks, notes


def path_ids(
    refs: list[str],
    tasks: list[tuple[str, str]],
    notes: list[tuple[str, str]],
    known: dict[str, list[str]],
) -> Any:
    """A flatmap_path_parameters hook: made-up ids only ever find nothing, so about half the time
    it puts in ids the store has (`known`: other path parameters' values that exist)."""
    strategies: dict[tuple[str, ...], st.SearchStrategy[dict[str, str] | None]] = {}

    def real_or_none(names: tuple[str, ...]) -> st.SearchStrategy[dict[str, str] | None]:
        if "task_id" in names:
            pairs = st.sampled_from(tasks).map(lambda p: {"ref": p[0], "task_id": p[1]})
        elif "note_id" in names:
            pairs = st.sampled_from(notes).map(lambda p: {"ref": p[0], "note_id": p[1]})
        elif "ref" in names:
            pairs = st.sampled_from(refs).map(lambda ref: {"ref": ref})
        else:
            pairs = st.just({})
        others = st.fixed_dictionaries(
            {name: st.sampled_from(known[name]) for name in names if name in known}
        )
        real = st.tuples(pairs, others).map(lambda ids: {**ids[0], **ids[1]})
        # Real ids first: Hypothesis tries the first branch (and the first id) before others, so
        # with few examples an operation still reaches an incident, task or note that exists.
        return st.one_of(real, st.none())

    def flatmap_path_parameters(_: Any, path: dict[str, Any] | None) -> st.SearchStrategy[Any]:
        if not path:  # None for an operation without path parameters
            return st.just(path)
        names = tuple(sorted(path))
        if names not in strategies:  # made once: making them on every draw costs more
            strategies[names] = real_or_none(names)
        return strategies[names].map(lambda ids: {**path, **(ids or {})})

    return flatmap_path_parameters

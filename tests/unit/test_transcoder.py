"""FastJSONTranscoder: the library's transcoder contract, and the same values as the library's
JSONTranscoder from the same bytes, so old and new events read alike.

The contract module is imported whole, not its classes: a TestCase imported by name would be
collected and run here on its own, without a transcoder."""

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from unittest import skip
from uuid import UUID

import pytest
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Transcoder,
    UUIDAsHex,
)
from eventsourcing.tests import persistence as contract
from hypothesis import given
from hypothesis import strategies as st

from service.incidents.application import Steady
from service.store.transcoder import FastJSONTranscoder
from tests.builders import LEAD


class TestFastJSONTranscoder(contract.TranscoderTestCase):
    """The library's contract, set up as the library tests its own JSONTranscoder."""

    def construct_transcoder(self) -> Transcoder:
        transcoder = FastJSONTranscoder()
        transcoder.register(contract.CustomType1AsDict())
        transcoder.register(contract.CustomType2AsDict())
        transcoder.register(UUIDAsHex())
        return transcoder

    # Encoding is JSONTranscoder's, so these are skipped for the reasons the library skips them
    # for JSONTranscoder in its own suite.
    @skip("JSONTranscoder converts tuples to lists")
    def test_tuple(self) -> None: ...

    @skip("JSONTranscoder converts tuples to lists")
    def test_mixed(self) -> None: ...

    @skip("JSONTranscoder converts dict subclasses to dict")
    def test_dict_subclass(self) -> None: ...

    @skip("JSONTranscoder converts list subclasses to list")
    def test_list_subclass(self) -> None: ...

    @skip("JSONTranscoder converts str subclasses to str")
    def test_str_subclass(self) -> None: ...

    @skip("JSONTranscoder converts int subclasses to int")
    def test_int_subclass(self) -> None: ...


def transcoders() -> tuple[JSONTranscoder, FastJSONTranscoder]:
    library, fast = JSONTranscoder(), FastJSONTranscoder()
    for transcoder in (library, fast):
        for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
            transcoder.register(transcoding)
    return library, fast


def test_every_kind_of_steady_event_decodes_as_the_library_decodes_it():
    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    ref = app.open_incident(
        title="Lockdown", kind="lockdown", severity=1, schools=["Roosevelt"], actor=LEAD
    ).reference
    app.apply_playbook(ref, "lockdown-or-threat", actor=LEAD)
    app.assign_task(ref, "T1", kind="person", name="k.okafor", actor=LEAD)
    app.change_task_status(ref, "T1", "blocked", reason="Waiting for police", actor=LEAD)
    note = app.add_note(ref, "Families to the church on Elm Street 🏠", actor=LEAD)
    app.correct_note(ref, note.detail["note_id"], "Elm Street church", reason="typo", actor=LEAD)
    app.change_severity(ref, 2, reason="Threat contained", actor=LEAD)
    app.advance_phase(ref, "stabilization", actor=LEAD)
    due = datetime(2026, 11, 30, 15, tzinfo=UTC)
    app.reschedule_task(ref, "T1", due, reason="Police asked us to wait", actor=LEAD)
    app.change_task_status(ref, "T2", "not_applicable", reason="No buses", actor=LEAD)
    app.close_incident(ref, "Reviewed with the team", open_tasks="follow_up", actor=LEAD)
    app.reopen_incident(ref, "A follow-up was missed", actor=LEAD)
    library, fast = transcoders()
    notifications = app.recorder.select_notifications(None, 100)
    assert len({n.topic for n in notifications}) >= 10
    for notification in notifications:
        assert fast.decode(notification.state) == library.decode(notification.state)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text()
    | st.datetimes(timezones=st.just(UTC))
    | st.uuids()
    | st.decimals(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_any_stored_value_decodes_as_the_library_decodes_it(value):
    library, fast = transcoders()
    data = library.encode(value)
    assert fast.decode(data) == library.decode(data)


@pytest.mark.parametrize(
    "data",
    [
        b'{"_type_":1,"something_else":2}',
        b'{"_type_":"uuid_hex"}',
        b'{"_data_":1,"_type_":"uuid_hex","more":3}',
        b'{"a":{"_type_":"datetime_iso","_data_":"2026-11-23T09:30:00-06:00"}}',
        b'[{"_type_":"decimal_str","_data_":"1.10"},[{"b":[]}]]',
        b'"\\ud83d\\udc08 \\u54c8"',
        b"123456789012345678901234567890",
        b"1e400",
        b'{"a":1,"a":2}',
    ],
)
def test_odd_but_valid_stored_bytes_decode_as_the_library_decodes_them(data):
    library, fast = transcoders()
    assert fast.decode(data) == library.decode(data)


def test_what_msgspec_refuses_is_read_the_library_way():
    library, fast = transcoders()
    assert math.isnan(fast.decode(b"NaN"))
    assert fast.decode(b"[Infinity]") == [math.inf]
    assert fast.decode(b'"\\ud800"') == library.decode(b'"\\ud800"')


def test_unknown_types_fail_with_the_library_error():
    _, fast = transcoders()
    with pytest.raises(TypeError, match="custom_type3_as_dict"):
        fast.decode(b'{"_type_":"custom_type3_as_dict","_data_":""}')


def test_values_round_trip():
    _, fast = transcoders()
    value = {
        "at": datetime(2026, 11, 23, 9, 30, tzinfo=UTC) + timedelta(microseconds=5),
        "id": UUID("b2723fe2c01a40d2875ea3aac6a09ff5"),
        "amount": Decimal("1.10"),
        "nested": [{"at": datetime(2026, 1, 1, tzinfo=UTC)}],
    }
    assert fast.decode(fast.encode(value)) == value

"""A faster reader for the event store's JSON, with the library's exact stored format.

Replaying an incident decodes every one of its events, and the library's JSONTranscoder spends
most of that time in the standard json module calling back into Python for every object.
msgspec parses the same bytes several times faster; the objects the library wrote for values
JSON lacks ({"_type_": name, "_data_": ...}: datetimes, UUIDs, ...) are then turned back into
those values by the library's own rule, innermost first, as its object_hook would.

Encoding is inherited unchanged, byte for byte: events are kept forever and their stored shape is
a public contract, so new events stay readable by the plain JSONTranscoder and old ones by this.
"""

from typing import Any

import msgspec
from eventsourcing.persistence import JSONTranscoder


class FastJSONTranscoder(JSONTranscoder):
    """JSONTranscoder whose decode() parses with msgspec."""

    def __init__(self) -> None:
        super().__init__()
        self._parse = msgspec.json.Decoder().decode

    def decode(self, data: bytes) -> Any:
        try:
            parsed = self._parse(data)
        except msgspec.MsgspecError:
            # What msgspec refuses but the json module reads (NaN, Infinity, 1e400, unpaired
            # surrogates) goes the library's way, so every stored event stays readable.
            return super().decode(data)
        return self._revive(parsed)

    def _revive(self, value: Any) -> Any:
        """Replaces each {"_type_", "_data_"} object with its value, innermost first."""
        kind = type(value)
        if kind is dict:
            for key, item in value.items():
                if type(item) is dict or type(item) is list:
                    value[key] = self._revive(item)  # same keys: safe while iterating
            if len(value) == 2 and "_type_" in value and "_data_" in value:
                transcoding = self.names.get(value["_type_"])
                if transcoding is None:
                    return self._decode_obj(value)  # the library's error for an unknown type
                return transcoding.decode(value["_data_"])
            return value
        if kind is list:
            for index, item in enumerate(value):
                if type(item) is dict or type(item) is list:
                    value[index] = self._revive(item)
        return value

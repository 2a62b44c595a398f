"""The sealed columns of the stored timelines: each blob is cipher.encrypt(the row's incident id
(16 bytes) + version (4 bytes, big-endian) + JSON), so a blob moved to another row does not open
there (see service.timelines.stored for the row format)."""

import logging
import os
from collections.abc import Callable
from typing import Any
from uuid import UUID

import msgspec
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import Cipher

log = logging.getLogger(__name__)

_encode = msgspec.json.Encoder().encode


def binding(incident_id: UUID, version: int) -> bytes:
    """What a sealed blob begins with: the row it was sealed for (20 bytes)."""
    return incident_id.bytes + version.to_bytes(4, "big")


def decrypter(cipher: Cipher) -> Callable[[bytes], bytes]:
    """cipher.decrypt; for the library's AESCipher, the same decryption with its AESGCM made
    once instead of once a call (that was half the cost of decrypting a long timeline).
    AESCipher lays a blob out as nonce (12 bytes), tag (16), ciphertext; if a release of the
    library lays it out otherwise, the probe fails and cipher.decrypt is used."""
    if type(cipher) is not AESCipher:
        return cipher.decrypt
    aead = AESGCM(cipher.key)

    def decrypt(blob: bytes) -> bytes:
        try:
            return aead.decrypt(blob[:12], blob[28:] + blob[12:28], None)
        except InvalidTag as error:  # as cipher.decrypt says it
            raise ValueError("Invalid cipher tag") from error

    probe = os.urandom(32)
    try:
        same = decrypt(cipher.encrypt(probe)) == probe
    except ValueError:
        same = False
    return decrypt if same else cipher.decrypt


class Seal:
    """Seals values for rows, and opens what a row holds, with the store's cipher."""

    def __init__(self, cipher: Cipher) -> None:
        self._cipher = cipher
        self.decrypt = decrypter(cipher)

    def seal(self, incident_id: UUID, version: int, value: Any) -> bytes:
        return self._cipher.encrypt(binding(incident_id, version) + _encode(value))

    def open(self, sealed: Any, incident_id: UUID, version: int) -> bytes | None:
        """The JSON sealed in a row, or None if it does not decrypt or was sealed for another
        row (a reader then tells the events itself, which are the record)."""
        bound = binding(incident_id, version)
        try:
            opened = self.decrypt(bytes(sealed))
        except ValueError:
            opened = b""
        if opened[: len(bound)] != bound:
            return unopened(incident_id, version)
        return opened[len(bound) :]


def unopened(incident_id: UUID, version: int) -> None:
    log.warning("stored timeline row %s/%s does not open: not used", incident_id, version)

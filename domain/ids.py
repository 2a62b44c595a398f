"""The namespace Steady's name-based ids derive from (incidents, organisations, sequences)."""

from uuid import NAMESPACE_URL, uuid5

STEADY_NAMESPACE = uuid5(NAMESPACE_URL, "https://steady.example/incidents")

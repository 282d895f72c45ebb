"""The one rule every door applies to device and vehicle identifiers.

Identifiers end up in Kafka keys, URL paths, log lines, Redis keys and PostgreSQL text
columns. Letters, digits and `. _ : -` (1-64 characters) are safe in all of them; a
control character such as U+0000 is not (PostgreSQL refuses it), nor is `/` in a path.
IMEIs, Traccar Client ids, UVIS terminal ids and our own ids all fit.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field

ID_PATTERN = r"^[A-Za-z0-9._:-]+$"
ID_MAX_LENGTH = 64
ID_RULE = f"1-{ID_MAX_LENGTH} characters, letters, digits and . _ : - only"
TEXT_PATTERN = r"^[^\x00-\x1f\x7f]*$"
"""Free text a query may filter by (names, search words): no control characters."""

_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

Identifier = Annotated[str, Field(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]
"""A device or vehicle id as it may travel on our topics."""


def is_identifier(value: str) -> bool:
    """Whether `value` follows the identifier rule (see module doc)."""
    return _ID.fullmatch(value) is not None

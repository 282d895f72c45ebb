"""Sites as an import file: the columns of the sites import, one row per site (pure).

The export reads back through the import unchanged (a dispatcher edits it and uploads it
again): zones joined by `|`, one `Mon 06:00-18:00` part per opening interval. The
spreadsheet writers neutralise formula-looking text (a site named `=HYPERLINK(...)`),
and the import strips that quote again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from coldchain_orders.imports import SITE_COLUMNS

_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _hours(intervals: list[Mapping[str, Any]]) -> str:
    return "; ".join(
        f"{_DAY_NAMES[i['weekday']]} {str(i['opens'])[:5]}-{str(i['closes'])[:5]}" for i in intervals
    )


def site_row(record: Mapping[str, Any]) -> list[Any]:
    """One site's JSON record in the order of `SITE_COLUMNS`; absent values are empty cells."""
    contact = record.get("contact") or {}
    values = {
        **record,
        "zones": "|".join(record.get("zones") or ()),
        "opening_hours": _hours(record.get("opening_hours") or []),
        "contact_name": contact.get("name", ""),
        "contact_phone": contact.get("phone", ""),
        "contact_email": contact.get("email", ""),
    }
    return ["" if values.get(c) is None else values[c] for c in SITE_COLUMNS]

"""Downloadable import templates: the header row and example rows, as CSV or XLSX.

Written with servicekit's spreadsheet writers, which neutralise formula-looking cells.
"""

from __future__ import annotations

from coldchain_orders.imports import COLUMNS, Format, Kind
from coldchain_servicekit.spreadsheets import csv_bytes, xlsx_bytes

EXAMPLES: dict[Kind, tuple[dict[str, str], ...]] = {
    "sites": (
        {"code": "ICN-HUB", "name": "Icheon cold storage hub", "address": "Majang-myeon, Icheon",
         "latitude": "37.2343", "longitude": "127.3589", "role": "pickup", "zones": "frozen|chilled",
         "opening_hours": "Mon-Sat 05:00-22:00", "loading_minutes": "45", "unloading_minutes": "30",
         "forklift": "available", "contact_name": "Kim", "contact_phone": "+82-31-000-0000",
         "contact_email": "", "geofence_radius_m": "250"},
        {"code": "SEL-GANGNAM-01", "name": "Gangnam store", "address": "Teheran-ro, Seoul",
         "latitude": "37.4979", "longitude": "127.0276", "role": "dropoff", "zones": "",
         "opening_hours": "Mon-Fri 07:00-20:00; Sat 08:00-12:00", "loading_minutes": "30",
         "unloading_minutes": "20", "forklift": "none", "contact_name": "", "contact_phone": "",
         "contact_email": "", "geofence_radius_m": "150"},
    ),
    "orders": (
        {"order_number": "PO-2026-0001", "requested_date": "2026-12-01", "zone": "frozen",
         "setpoint_celsius": "-20", "pallets": "6", "weight_kg": "540", "volume_m3": "", "goods": "ice cream",
         "pickup_site": "ICN-HUB", "pickup_address": "", "pickup_latitude": "", "pickup_longitude": "",
         "pickup_from": "06:00", "pickup_to": "08:00", "pickup_service_minutes": "",
         "dropoff_site": "SEL-GANGNAM-01", "dropoff_address": "", "dropoff_latitude": "",
         "dropoff_longitude": "", "dropoff_from": "09:00", "dropoff_to": "11:00",
         "dropoff_service_minutes": "20", "priority": "3", "forklift_required": "no", "notes": ""},
    ),
    "vehicles": (
        {"vehicle_id": "truck-07", "name": "Truck 07", "plate": "12가3456", "body_type": "dual",
         "compartments": "A:frozen:-20:8; B:chilled:3:6", "weight_capacity_kg": "5000",
         "volume_capacity_m3": "30", "forklift": "no", "depot_site_id": "ICN-HUB",
         "shift_weekdays": "Mon-Fri", "shift_start": "08:00", "shift_end": "18:00",
         "max_route_minutes": "600", "cost_per_km": "1.2", "device_ids": "sim-0001", "active": "yes"},
    ),
}  # fmt: skip


def template(kind: Kind, fmt: Format) -> bytes:
    columns = COLUMNS[kind]
    rows = [[example.get(c, "") for c in columns] for example in EXAMPLES[kind]]
    return csv_bytes(columns, rows) if fmt == "csv" else xlsx_bytes(kind, columns, rows)

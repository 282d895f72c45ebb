"""E-mail texts in Korean and English, filled from a notification's payload.

Plain text only (every mail client shows it; nothing to escape). Unknown keys in a
payload are ignored; a missing one renders as "-".
"""

from __future__ import annotations

from collections import defaultdict
from string import Formatter
from typing import Any

from coldchain_notify.rules import EventKind, Language, Severity

_SUBJECTS: dict[Language, dict[EventKind, str]] = {
    Language.EN: {
        EventKind.EXCURSION_OPENED: "[{severity_label}] Temperature excursion on {vehicle_id} (compartment {channel})",
        EventKind.EXCURSION_CLOSED: "Temperature back in band on {vehicle_id} (compartment {channel})",
        EventKind.PROBE_DISCONNECTED: "[{severity_label}] Temperature probe disconnected on {vehicle_id}",
        EventKind.SLOW_OR_STUCK: "[{severity_label}] {vehicle_id} is slow or stuck",
        EventKind.LOADED_TOO_LONG: "[{severity_label}] {vehicle_id} loaded too long without arriving",
        EventKind.OFFLINE: "[{severity_label}] {vehicle_id} is offline",
        EventKind.ALERT_CLOSED: "Alert closed on {vehicle_id} ({alert_kind})",
    },
    Language.KO: {
        EventKind.EXCURSION_OPENED: "[{severity_label}] {vehicle_id} 온도 이탈 (구획 {channel})",
        EventKind.EXCURSION_CLOSED: "{vehicle_id} 온도 정상 복귀 (구획 {channel})",
        EventKind.PROBE_DISCONNECTED: "[{severity_label}] {vehicle_id} 온도 센서 연결 끊김",
        EventKind.SLOW_OR_STUCK: "[{severity_label}] {vehicle_id} 저속 또는 정체",
        EventKind.LOADED_TOO_LONG: "[{severity_label}] {vehicle_id} 적재 후 장시간 미도착",
        EventKind.OFFLINE: "[{severity_label}] {vehicle_id} 통신 두절",
        EventKind.ALERT_CLOSED: "{vehicle_id} 경보 해제 ({alert_kind})",
    },
}

_BODIES: dict[Language, str] = {
    Language.EN: (
        "{headline}\n\n"
        "Vehicle: {vehicle_id}\n"
        "Severity: {severity_label}\n"
        "At: {at}\n"
        "Reading: {celsius} °C (band {band_low_celsius} to {band_high_celsius} °C)\n"
        "Details: {detail}\n\n"
        "Alert id: {alert_id}\n"
        "Acknowledge: POST {acknowledge_url}\n"
        "{escalation_note}"
    ),
    Language.KO: (
        "{headline}\n\n"
        "차량: {vehicle_id}\n"
        "심각도: {severity_label}\n"
        "발생 시각: {at}\n"
        "측정값: {celsius} °C (허용 범위 {band_low_celsius} ~ {band_high_celsius} °C)\n"
        "상세: {detail}\n\n"
        "경보 ID: {alert_id}\n"
        "확인 처리: POST {acknowledge_url}\n"
        "{escalation_note}"
    ),
}

_SEVERITY = {
    Language.EN: {Severity.INFO: "Info", Severity.WARNING: "Warning", Severity.CRITICAL: "Critical"},
    Language.KO: {Severity.INFO: "알림", Severity.WARNING: "경고", Severity.CRITICAL: "긴급"},
}
_ESCALATED = {
    Language.EN: "Escalated (step {step}): nobody acknowledged the alert in time.\n",
    Language.KO: "에스컬레이션 {step}단계: 제한 시간 내에 확인되지 않았습니다.\n",
}


def render_email(payload: dict[str, Any], language: Language) -> tuple[str, str]:
    """(subject, plain-text body) of a notification."""
    kind = EventKind(payload["type"])
    values: defaultdict[str, Any] = defaultdict(lambda: "-")
    values.update({k: v for k, v in payload.items() if v is not None})
    values["severity_label"] = _SEVERITY[language][Severity(payload["severity"])]
    step = int(payload.get("escalation_step") or 0)
    values["escalation_note"] = _ESCALATED[language].format(step=step) if step else ""
    subject = Formatter().vformat(_SUBJECTS[language][kind], (), values)
    values["headline"] = subject
    return subject, Formatter().vformat(_BODIES[language], (), values)

"""What ingest knows about a device when it reports: is it known, which speed unit it uses.

`RegistryDeviceOptions` answers from the device registry: known means bound to a vehicle
(and not registered inactive), or any device with `INGEST_ACCEPT_UNKNOWN_DEVICES=true`
(development). `BindingDeviceOptions` answers from the bindings alone (tests); every
device reports speed in knots, Traccar's default for the OsmAnd protocol.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from coldchain_contracts import SpeedUnit


class DeviceOptions(Protocol):
    def is_known(self, device_id: str) -> bool: ...

    def speed_unit(self, device_id: str) -> SpeedUnit: ...


class BindingCache(Protocol):
    """The part of `repository.DeviceBindings` read here (its cache is replaced on reload)."""

    @property
    def cache(self) -> Mapping[str, str]: ...


class BindingDeviceOptions:
    def __init__(
        self,
        bindings: BindingCache,
        *,
        accept_unknown: bool,
        speed_units: Mapping[str, SpeedUnit] | None = None,
        default_speed_unit: SpeedUnit = SpeedUnit.KNOTS,
    ) -> None:
        self._bindings = bindings
        self._accept_unknown = accept_unknown
        self._speed_units = dict(speed_units or {})
        self._default_speed_unit = default_speed_unit

    def is_known(self, device_id: str) -> bool:
        return self._accept_unknown or device_id in self._bindings.cache

    def speed_unit(self, device_id: str) -> SpeedUnit:
        return self._speed_units.get(device_id, self._default_speed_unit)


class RegistryLookup(Protocol):
    """The part of `registry.DeviceRegistry` read here."""

    def is_known(self, device_id: str) -> bool: ...

    def options_for(self, device_id: str) -> DeviceRegistrationOptions: ...


class DeviceRegistrationOptions(Protocol):
    @property
    def speed_unit(self) -> SpeedUnit | None: ...


class RegistryDeviceOptions:
    """Answers from the device registry: a device bound to a vehicle is known and reports
    speed in its registered unit (default knots); others are known only with `accept_unknown`."""

    def __init__(
        self,
        registry: RegistryLookup,
        *,
        accept_unknown: bool,
        default_speed_unit: SpeedUnit = SpeedUnit.KNOTS,
    ) -> None:
        self._registry = registry
        self._accept_unknown = accept_unknown
        self._default_speed_unit = default_speed_unit

    def is_known(self, device_id: str) -> bool:
        return self._accept_unknown or self._registry.is_known(device_id)

    def speed_unit(self, device_id: str) -> SpeedUnit:
        return self._registry.options_for(device_id).speed_unit or self._default_speed_unit

"""What ingest knows about a device when it reports: is it known, which speed unit it uses.

`DeviceOptions` is the seam the device registry plugs into. Until it does,
`BindingDeviceOptions` answers from the in-memory device bindings: a device is known
when it is bound to a vehicle, or when unbound devices are accepted as their own
vehicle (`INGEST_UNBOUND_DEVICE_POLICY=self`); every device reports speed in knots,
Traccar's default for the OsmAnd protocol.
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
        accept_unbound: bool,
        speed_units: Mapping[str, SpeedUnit] | None = None,
        default_speed_unit: SpeedUnit = SpeedUnit.KNOTS,
    ) -> None:
        self._bindings = bindings
        self._accept_unbound = accept_unbound
        self._speed_units = dict(speed_units or {})
        self._default_speed_unit = default_speed_unit

    def is_known(self, device_id: str) -> bool:
        return self._accept_unbound or device_id in self._bindings.cache

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
    """Answers from the device registry: a registered (or vehicle-bound) device is known, and
    reports speed in its registered unit; others are known only under the `self` policy and
    report in knots."""

    def __init__(
        self,
        registry: RegistryLookup,
        *,
        accept_unbound: bool,
        default_speed_unit: SpeedUnit = SpeedUnit.KNOTS,
    ) -> None:
        self._registry = registry
        self._accept_unbound = accept_unbound
        self._default_speed_unit = default_speed_unit

    def is_known(self, device_id: str) -> bool:
        return self._accept_unbound or self._registry.is_known(device_id)

    def speed_unit(self, device_id: str) -> SpeedUnit:
        return self._registry.options_for(device_id).speed_unit or self._default_speed_unit

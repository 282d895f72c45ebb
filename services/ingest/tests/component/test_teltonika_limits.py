"""The Teltonika server's limits on a real socket: caps, rates, timeouts, one session per IMEI.

Attack rows of issue 14: connections that never send an IMEI were held for the full
300 s idle timeout with no cap (4,000 held), and one registered IMEI could hold 500
parallel sessions.
"""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import REGISTRY

from coldchain_devtools.teltonika.encode import handshake, packet
from coldchain_ingest.protocols.limits import Rate
from coldchain_ingest.protocols.teltonika.codec import AvlRecord, GpsElement, IoElement

from .conftest import IMEI, NOW, start

pytestmark = pytest.mark.component


def metric(name: str, labels: dict[str, str] | None = None) -> float:
    return REGISTRY.get_sample_value(name, labels or {}) or 0.0


def avl() -> AvlRecord:
    gps = GpsElement(
        longitude=127.0276, latitude=37.4979, altitude_m=30, angle=90, satellites=9, speed_kmh=38
    )
    io = (IoElement(239, 1, 1),)
    return AvlRecord(int(NOW.timestamp() * 1000), 0, gps, 0, len(io), io)


async def closed(reader: asyncio.StreamReader, within_s: float = 5.0) -> bool:
    """True once the server closed the connection (EOF or reset) without sending anything."""
    try:
        return await asyncio.wait_for(reader.read(1), within_s) == b""
    except ConnectionResetError:
        return True


async def test_a_connection_that_never_sends_an_imei_is_dropped_after_the_handshake_timeout() -> None:
    running = await start(handshake_timeout_s=0.3, idle_timeout_s=300.0)
    try:
        before = metric("ingest_teltonika_timeouts_total", {"phase": "handshake"})
        reader, _ = await running.connect()
        assert await closed(reader), "dropped long before the 300 s idle timeout"
        assert metric("ingest_teltonika_timeouts_total", {"phase": "handshake"}) == before + 1
        assert running.server.open_connections == 0
    finally:
        await running.stop()


async def test_an_imei_sent_one_byte_at_a_time_past_the_timeout_is_dropped() -> None:
    running = await start(handshake_timeout_s=0.3)
    try:
        reader, writer = await running.connect()
        for byte in handshake(IMEI)[:4]:
            writer.write(bytes([byte]))
            await asyncio.sleep(0.1)
        assert await closed(reader)
    finally:
        await running.stop()


async def test_a_packet_that_trickles_in_is_dropped_after_the_frame_timeout() -> None:
    running = await start(frame_timeout_s=0.3, idle_timeout_s=300.0)
    try:
        before = metric("ingest_teltonika_timeouts_total", {"phase": "frame"})
        reader, writer = await running.session()
        writer.write(packet([avl()])[:20])  # header and part of the data, then nothing
        assert await closed(reader)
        assert metric("ingest_teltonika_timeouts_total", {"phase": "frame"}) == before + 1
        assert running.kafka.published == []
    finally:
        await running.stop()


async def test_a_data_field_over_the_maximum_closes_without_reading_it() -> None:
    running = await start(max_data_bytes=1024)
    try:
        before = metric("ingest_teltonika_frames_rejected_total", {"reason": "too_large"})
        reader, writer = await running.session()
        writer.write(b"\x00\x00\x00\x00" + (1025).to_bytes(4, "big"))
        assert await closed(reader)
        assert metric("ingest_teltonika_frames_rejected_total", {"reason": "too_large"}) == before + 1
    finally:
        await running.stop()


async def test_past_the_connection_cap_a_new_connection_is_closed_unanswered() -> None:
    running = await start(max_connections=3, max_connections_per_address=10)
    try:
        before = metric("ingest_teltonika_connections_refused_total", {"reason": "max_connections"})
        held = [await running.connect() for _ in range(3)]
        await asyncio.sleep(0.05)
        reader, writer = await running.connect()
        writer.write(handshake(IMEI))
        assert await closed(reader), "refused: no handshake answer"
        assert (
            metric("ingest_teltonika_connections_refused_total", {"reason": "max_connections"}) == before + 1
        )
        held[0][1].close()
        await asyncio.sleep(0.05)
        await running.session()  # a freed slot admits a device again
    finally:
        await running.stop()


async def test_one_address_cannot_take_every_slot() -> None:
    running = await start(max_connections=10, max_connections_per_address=2)
    try:
        for _ in range(2):
            await running.connect()
        await asyncio.sleep(0.05)
        reader, writer = await running.connect()
        writer.write(handshake(IMEI))
        assert await closed(reader)
        await running.session(source="127.0.0.2")  # another address still gets in
    finally:
        await running.stop()


async def test_an_address_opening_connections_too_fast_is_refused() -> None:
    running = await start(address_connects=Rate(per_s=0.01, burst=3))
    try:
        before = metric("ingest_teltonika_connections_refused_total", {"reason": "address_rate"})
        for _ in range(3):
            _, writer = await running.session()
            writer.close()
        reader, writer = await running.connect()
        writer.write(handshake(IMEI))
        assert await closed(reader)
        assert metric("ingest_teltonika_connections_refused_total", {"reason": "address_rate"}) == before + 1
        await running.session(source="127.0.0.2")
    finally:
        await running.stop()


async def test_one_imei_holds_one_session_the_newest() -> None:
    running = await start(max_connections_per_address=1000, address_connects=Rate(0.0, 1))
    try:
        sessions = [await running.session() for _ in range(50)]
        for reader, _ in sessions[:-1]:
            assert await closed(reader), "an older session of the same IMEI is closed"
        await asyncio.sleep(0.05)
        assert running.server.open_connections == 1
        reader, writer = sessions[-1]
        writer.write(packet([avl()]))
        assert int.from_bytes(await asyncio.wait_for(reader.readexactly(4), 5), "big") == 1
    finally:
        await running.stop()


async def test_a_device_over_its_packet_rate_is_paced_not_refused() -> None:
    running = await start(device_packets=Rate(per_s=20.0, burst=1))
    try:
        before = metric("ingest_teltonika_packets_paced_total")
        reader, writer = await running.session()
        for _ in range(3):
            writer.write(packet([avl()]))
            assert int.from_bytes(await asyncio.wait_for(reader.readexactly(4), 5), "big") == 1
        assert metric("ingest_teltonika_packets_paced_total") == before + 2, "the 2nd and 3rd waited"
    finally:
        await running.stop()


async def test_an_unknown_device_is_accepted_only_in_accept_unknown_mode() -> None:
    running = await start(accept_unknown=True)
    try:
        await running.session(imei="999999999999999")
    finally:
        await running.stop()

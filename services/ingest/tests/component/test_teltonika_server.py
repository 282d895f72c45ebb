"""The Teltonika TCP server on a real socket, with a fake registry and a fake Kafka publish.

Delivery to real Kafka is proven by the integration test; these prove the conversation:
handshake, acknowledgement only after the publish returned, no acknowledgement for a
bad packet, pings, and closing silent or broken connections.
"""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import REGISTRY

from coldchain_contracts import DeviceOptions, RawFixReceived
from coldchain_contracts.devices import TeltonikaIoMap
from coldchain_contracts.topics import TELEMETRY_RAW
from coldchain_devtools.teltonika.encode import handshake, packet
from coldchain_ingest.protocols.teltonika.codec import AvlRecord, GpsElement, IoElement
from coldchain_ingest.protocols.teltonika.crc import crc16_ibm

from .conftest import IMEI, NOW, Running, start

pytestmark = pytest.mark.component
CODEC8_FIRST = bytes.fromhex(
    "000000000000003608010000016B40D8EA30010000000000000000000000000000000105021503010101425E0F01F10000601A014E"
    "0000000000000000010000C7CF"
)


def avl(lat: float = 37.4979, temp_tenths: int = -195) -> AvlRecord:
    gps = GpsElement(longitude=127.0276, latitude=lat, altitude_m=30, angle=90, satellites=9, speed_kmh=38)
    io = (IoElement(239, 1, 1), IoElement(72, 4, temp_tenths & 0xFFFFFFFF))
    return AvlRecord(int(NOW.timestamp() * 1000), 0, gps, 0, len(io), io)


async def no_answer(reader: asyncio.StreamReader, within_s: float = 0.3) -> bool:
    try:
        await asyncio.wait_for(reader.read(1), within_s)
    except TimeoutError:
        return True
    return False


async def test_a_known_device_is_accepted_and_its_records_acknowledged_after_publish(
    running: Running,
) -> None:
    reader, writer = await running.session()
    writer.write(packet([avl(), avl(lat=37.5)]))
    assert int.from_bytes(await asyncio.wait_for(reader.readexactly(4), 5), "big") == 2
    assert [m.topic for m in running.kafka.published] == [TELEMETRY_RAW.name] * 2
    assert {m.key for m in running.kafka.published} == {IMEI}
    raw = RawFixReceived.model_validate_json(running.kafka.published[0].value)
    assert (raw.device_id, raw.source, raw.received_at, raw.producer) == (IMEI, "teltonika", NOW, "ingest")
    assert (raw.fix.latitude, raw.fix.ignition, raw.fix.temperatures[0].celsius) == (37.4979, True, -19.5)
    assert running.kafka.published[0].headers["event_type"] == "RawFixReceived"
    writer.close()


async def test_the_documented_codec8_packet_is_acknowledged_with_one_record(running: Running) -> None:
    reader, writer = await running.session()
    writer.write(CODEC8_FIRST)
    assert await asyncio.wait_for(reader.readexactly(4), 5) == b"\x00\x00\x00\x01"
    raw = RawFixReceived.model_validate_json(running.kafka.published[0].value)
    assert raw.fix.gps_valid is False, "no satellites, position (0, 0)"
    writer.close()


async def test_no_acknowledgement_before_kafka_acknowledged(running: Running) -> None:
    running.kafka.gate.clear()
    reader, writer = await running.session()
    writer.write(packet([avl()]))
    assert await no_answer(reader), "acknowledged before the publish returned"
    running.kafka.gate.set()
    assert int.from_bytes(await asyncio.wait_for(reader.readexactly(4), 5), "big") == 1
    writer.close()


async def test_an_unknown_device_is_refused_and_disconnected(running: Running) -> None:
    reader, writer = await running.connect()
    writer.write(handshake("999999999999999"))
    assert await asyncio.wait_for(reader.readexactly(1), 5) == b"\x00"
    assert await asyncio.wait_for(reader.read(1), 5) == b"", "connection closed after the refusal"


async def test_a_packet_instead_of_a_handshake_is_refused(running: Running) -> None:
    reader, writer = await running.connect()
    writer.write(CODEC8_FIRST)
    assert await asyncio.wait_for(reader.readexactly(1), 5) == b"\x00"


def rejected(reason: str) -> float:
    return REGISTRY.get_sample_value("ingest_teltonika_frames_rejected_total", {"reason": reason}) or 0.0


async def test_a_bad_crc_is_not_acknowledged_and_the_resent_packet_is(running: Running) -> None:
    crc_errors = rejected("crc")
    reader, writer = await running.session()
    good = packet([avl()])
    writer.write(good[:-1] + bytes([good[-1] ^ 0xFF]))
    assert await no_answer(reader), "a corrupt packet must not be acknowledged"
    assert running.kafka.published == []
    assert rejected("crc") == crc_errors + 1, "counted"
    writer.write(good)
    assert int.from_bytes(await asyncio.wait_for(reader.readexactly(4), 5), "big") == 1
    writer.close()


async def test_a_malformed_packet_with_a_valid_crc_is_not_acknowledged(running: Running) -> None:
    reader, writer = await running.session()
    good = packet([avl()])
    data = bytearray(good[8:-4])
    data[-1] = 2  # number of data 2 disagrees with number of data 1
    bad = good[:8] + bytes(data) + crc16_ibm(bytes(data)).to_bytes(4, "big")
    writer.write(bad)
    assert await no_answer(reader)
    assert running.kafka.published == []
    writer.close()


async def test_pings_between_packets_are_skipped(running: Running) -> None:
    reader, writer = await running.session()
    writer.write(b"\xff\xff" + packet([avl()]))
    assert int.from_bytes(await asyncio.wait_for(reader.readexactly(4), 5), "big") == 1
    writer.close()


async def test_a_lost_frame_boundary_closes_the_connection(running: Running) -> None:
    reader, writer = await running.session()
    writer.write(b"\x01\x02\x03\x04\x00\x00\x00\x10")
    assert await asyncio.wait_for(reader.read(4), 5) == b""


async def test_a_failed_publish_closes_without_acknowledging(running: Running) -> None:
    running.kafka.fail = True
    reader, writer = await running.session()
    writer.write(packet([avl()]))
    assert await asyncio.wait_for(reader.read(4), 5) == b"", "closed, nothing acknowledged"


async def test_the_device_io_map_override_from_the_registry_applies(running: Running) -> None:
    running.registry.options[IMEI] = DeviceOptions(teltonika_io=TeltonikaIoMap(ignition=0))
    reader, writer = await running.session()
    writer.write(packet([avl()]))
    await asyncio.wait_for(reader.readexactly(4), 5)
    assert RawFixReceived.model_validate_json(running.kafka.published[0].value).fix.ignition is None
    writer.close()


async def test_a_silent_half_open_connection_is_closed_after_the_idle_timeout() -> None:
    running = await start(idle_timeout_s=0.3)
    try:
        reader, _writer = await running.session()
        started = asyncio.get_running_loop().time()
        assert await asyncio.wait_for(reader.read(1), 5) == b"", "server closed the silent connection"
        assert asyncio.get_running_loop().time() - started < 3
    finally:
        await running.stop()


async def test_stop_closes_open_connections() -> None:
    running = await start()
    reader, _writer = await running.session()
    await running.server.stop()
    assert await asyncio.wait_for(reader.read(1), 5) == b""
    await running.stop()

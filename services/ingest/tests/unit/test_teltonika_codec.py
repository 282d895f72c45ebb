"""Codec 8 / 8E decoding against the example packets of Teltonika's protocol documentation.

Frames and decoded values are those of the "Teltonika Data Sending Protocols" (Codec)
wiki page: three Codec 8 examples and the Codec 8 Extended example, plus the earlier
Codec 8 Extended example (2017 record with a real position and a variable-length IO).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coldchain_ingest.protocols.teltonika.codec import (
    CODEC_8,
    CODEC_8_EXTENDED,
    CrcMismatch,
    IoElement,
    MalformedFrame,
    UnsupportedCodec,
    data_length,
    decode_packet,
    imei_from,
)
from coldchain_ingest.protocols.teltonika.crc import crc16_ibm

pytestmark = pytest.mark.unit

CODEC8_FIRST = bytes.fromhex(
    "000000000000003608010000016B40D8EA30010000000000000000000000000000000105021503010101425E0F01F10000601A014E"
    "0000000000000000010000C7CF"
)
CODEC8_SECOND = bytes.fromhex(
    "000000000000002808010000016B40D9AD80010000000000000000000000000000000103021503010101425E100000010000F22A"
)
CODEC8_THIRD = bytes.fromhex(
    "000000000000004308020000016B40D57B480100000000000000000000000000000001010101000000000000016B40D5C1980100"
    "00000000000000000000000000000101010101000000020000252C"
)
CODEC8E = bytes.fromhex(
    "000000000000004A8E010000016B412CEE000100000000000000000000000000000000010005000100010100010011001D000100"
    "10015E2C880002000B000000003544C87A000E000000001DD7E06A00000100002994"
)
CODEC8E_WITH_POSITION = bytes.fromhex(
    "000000000000005F8E010000015FBA40B620000F0DCDE420959D30008A000006000000000006000100EF000001001100"
    "1E000100100000CBDF0002000B000000003544C875000E0000000029BFE4D10001010000110000000000000000000000000000"
    "000000010000D153"
)
HANDSHAKE = bytes.fromhex("000F333536333037303432343431303133")


def ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


def io(record_io: tuple[IoElement, ...]) -> dict[int, int | bytes]:
    return {e.id: e.value for e in record_io}


def test_codec8_first_example_decodes_to_the_documented_values() -> None:
    packet = decode_packet(CODEC8_FIRST)
    assert (packet.codec_id, len(packet.records), packet.crc) == (CODEC_8, 1, 0xC7CF)
    [record] = packet.records
    assert record.timestamp_ms == 0x16B40D8EA30 == ms(datetime(2019, 6, 10, 10, 4, 46, tzinfo=UTC))
    assert record.priority == 1
    gps = record.gps
    assert (gps.longitude, gps.latitude, gps.altitude_m, gps.angle, gps.satellites, gps.speed_kmh) == (
        0,
        0,
        0,
        0,
        0,
        0,
    )
    assert (record.event_io_id, record.total_io) == (1, 5)
    assert [(e.id, e.size, e.value) for e in record.io] == [
        (0x15, 1, 3),
        (0x01, 1, 1),
        (0x42, 2, 0x5E0F),
        (0xF1, 4, 0x601A),
        (0x4E, 8, 0),
    ]


def test_codec8_second_example_decodes_to_the_documented_values() -> None:
    [record] = decode_packet(CODEC8_SECOND).records
    assert record.timestamp_ms == 0x16B40D9AD80
    assert (record.priority, record.event_io_id, record.total_io) == (1, 1, 3)
    assert io(record.io) == {0x15: 3, 0x01: 1, 0x42: 0x5E10}


def test_codec8_third_example_carries_two_records() -> None:
    packet = decode_packet(CODEC8_THIRD)
    assert packet.crc == 0x252C
    first, second = packet.records
    assert (first.timestamp_ms, second.timestamp_ms) == (0x16B40D57B48, 0x16B40D5C198)
    assert io(first.io) == {1: 0}, "digital input 1 off"
    assert io(second.io) == {1: 1}, "then on"


def test_codec8_extended_example_decodes_to_the_documented_values() -> None:
    packet = decode_packet(CODEC8E)
    assert (packet.codec_id, packet.crc) == (CODEC_8_EXTENDED, 0x2994)
    [record] = packet.records
    assert record.timestamp_ms == ms(datetime(2019, 6, 10, 11, 36, 32, tzinfo=UTC))
    assert (record.priority, record.event_io_id, record.total_io) == (1, 1, 5)
    assert [(e.id, e.size, e.value) for e in record.io] == [
        (0x0001, 1, 1),
        (0x0011, 2, 0x001D),
        (0x0010, 4, 0x015E2C88),
        (0x000B, 8, 0x3544C87A),
        (0x000E, 8, 0x1DD7E06A),
    ]


def test_codec8_extended_example_with_a_position_and_a_variable_length_element() -> None:
    [record] = decode_packet(CODEC8E_WITH_POSITION).records
    assert record.timestamp_ms == 1510658324000  # Tuesday, November 14, 2017 11:18:44 AM GMT
    assert record.priority == 0
    gps = record.gps
    assert (gps.longitude, gps.latitude) == (25.2562916, 54.6676016)
    assert (gps.altitude_m, gps.angle, gps.satellites, gps.speed_kmh) == (138, 0, 6, 0)
    assert (record.event_io_id, record.total_io) == (0, 6)
    assert io(record.io) == {
        239: 0,
        17: 0x1E,
        16: 0xCBDF,
        11: 0x3544C875,
        14: 0x29BFE4D1,
        256: bytes(17),  # NX element: id 0x0100, 17 bytes
    }


def test_the_handshake_example_is_the_documented_imei() -> None:
    length = int.from_bytes(HANDSHAKE[:2], "big")
    assert (length, imei_from(HANDSHAKE[2 : 2 + length])) == (15, "356307042441013")


@pytest.mark.parametrize("raw", [b"", b"35630704\x002441013", "35630704244101é".encode(), b"x" * 65])
def test_an_implausible_imei_is_refused(raw: bytes) -> None:
    with pytest.raises(MalformedFrame):
        imei_from(raw)


def test_a_flipped_bit_fails_the_crc() -> None:
    damaged = bytearray(CODEC8_FIRST)
    damaged[20] ^= 0x01
    with pytest.raises(CrcMismatch, match="0xc7cf sent"):
        decode_packet(bytes(damaged))


def test_a_wrong_crc_field_fails() -> None:
    with pytest.raises(CrcMismatch):
        decode_packet(CODEC8E[:-1] + b"\x95")


def reframe(data: bytes) -> bytes:
    """A packet around `data` with a correct length and CRC, to test what the CRC cannot."""
    return b"\x00" * 4 + len(data).to_bytes(4, "big") + data + crc16_ibm(data).to_bytes(4, "big")


def test_record_counts_that_differ_are_malformed() -> None:
    data = bytearray(CODEC8_FIRST[8:-4])
    data[-1] = 2
    with pytest.raises(MalformedFrame, match="number of data 1"):
        decode_packet(reframe(bytes(data)))


def test_an_unknown_codec_is_refused() -> None:
    data = bytes([0x10]) + CODEC8_FIRST[9:-4]
    with pytest.raises(UnsupportedCodec):
        decode_packet(reframe(data))


def test_a_truncated_record_is_malformed_not_an_index_error() -> None:
    data = CODEC8_FIRST[8:30] + CODEC8_FIRST[-5:-4]
    with pytest.raises(MalformedFrame, match="record data ends"):
        decode_packet(reframe(data))


def test_trailing_bytes_after_the_records_are_malformed() -> None:
    data = CODEC8_FIRST[8:-5] + b"\x00" + CODEC8_FIRST[-5:-4]
    with pytest.raises(MalformedFrame, match="left after"):
        decode_packet(reframe(data))


def test_an_io_count_that_disagrees_with_the_total_is_malformed() -> None:
    data = bytearray(CODEC8_FIRST[8:-4])
    data[2 + 8 + 1 + 15 + 1] = 6  # total IO count of the record
    with pytest.raises(MalformedFrame, match="announces 6"):
        decode_packet(reframe(bytes(data)))


def test_a_frame_whose_size_disagrees_with_its_length_is_malformed() -> None:
    with pytest.raises(MalformedFrame, match="frame of"):
        decode_packet(CODEC8_FIRST + b"\x00")


@pytest.mark.parametrize("header", ["0000000100000036", "0000000000000002", "00000000"])
def test_a_bad_header_is_malformed(header: str) -> None:
    with pytest.raises(MalformedFrame):
        data_length(bytes.fromhex(header))

"""Property-based fuzzing of the Teltonika codec: whatever arrives, the only failure is a
`FrameError` (the server's "not acknowledged"), and what decodes maps to a fix or a
`ValueError` (which the session turns into `MalformedFrame`)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coldchain_devtools.teltonika.encode import packet
from coldchain_ingest.protocols.teltonika.codec import (
    CODEC_8,
    CODEC_8_EXTENDED,
    AvlRecord,
    FrameError,
    GpsElement,
    IoElement,
    MalformedFrame,
    data_length,
    decode_packet,
    imei_from,
)
from coldchain_ingest.protocols.teltonika.crc import crc16_ibm
from coldchain_ingest.protocols.teltonika.mapping import DEFAULT_IO_MAP, to_raw_fix

pytestmark = pytest.mark.unit
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
GENERATED = settings(FUZZ, max_examples=100)  # whole packets cost more to build


def framed(data: bytes) -> bytes:
    """A frame with a correct header and CRC around arbitrary data: gets past the checks."""
    return b"\x00\x00\x00\x00" + len(data).to_bytes(4, "big") + data + crc16_ibm(data).to_bytes(4, "big")


def decodes_or_is_refused(frame: bytes) -> None:
    try:
        decoded = decode_packet(frame)
    except FrameError:
        return
    for record in decoded.records:
        with contextlib.suppress(ValueError):
            to_raw_fix(record, DEFAULT_IO_MAP)


@FUZZ
@given(st.binary(max_size=2048))
def test_random_bytes_are_refused_as_frame_errors(frame: bytes) -> None:
    decodes_or_is_refused(frame)


@FUZZ
@given(st.sampled_from([CODEC_8, CODEC_8_EXTENDED]), st.integers(0, 5), st.binary(max_size=1500))
def test_random_data_with_a_valid_crc_is_refused_or_decoded(codec: int, count: int, body: bytes) -> None:
    decodes_or_is_refused(framed(bytes([codec, count]) + body + bytes([count])))


@FUZZ
@given(st.binary(min_size=8, max_size=8))
def test_any_header_gives_a_length_or_a_malformed_frame(header: bytes) -> None:
    with contextlib.suppress(MalformedFrame):
        assert data_length(header) >= 3


@FUZZ
@given(st.binary(max_size=80))
def test_any_imei_bytes_give_an_identifier_or_a_malformed_frame(raw: bytes) -> None:
    with contextlib.suppress(MalformedFrame):
        assert imei_from(raw)


def io_elements(extended: bool) -> st.SearchStrategy[tuple[IoElement, ...]]:
    ids = st.integers(0, 0xFFFF if extended else 0xFF)
    fixed = st.one_of(
        *(
            st.builds(IoElement, ids, st.just(size), st.integers(0, 2 ** (8 * size) - 1))
            for size in (1, 2, 4, 8)
        )
    )
    nx = st.builds(lambda i, b: IoElement(i, len(b), b), ids, st.binary(max_size=40))
    return st.lists(st.one_of(fixed, nx) if extended else fixed, max_size=12).map(tuple)


IO = {False: io_elements(False), True: io_elements(True)}


def ordered(io: tuple[IoElement, ...]) -> tuple[IoElement, ...]:
    """The order the wire carries: fixed sizes 1, 2, 4, 8, then NX."""
    return tuple(
        sorted(io, key=lambda e: (isinstance(e.value, bytes), e.size if isinstance(e.value, int) else 0))
    )


@st.composite
def packets(draw: st.DrawFn) -> tuple[int, list[AvlRecord]]:
    codec = draw(st.sampled_from([CODEC_8, CODEC_8_EXTENDED]))
    records = []
    for _ in range(draw(st.integers(1, 4))):
        io = ordered(draw(IO[codec == CODEC_8_EXTENDED]))
        gps = GpsElement(
            longitude=draw(st.integers(-1_800_000_000, 1_800_000_000)) / 1e7,
            latitude=draw(st.integers(-900_000_000, 900_000_000)) / 1e7,
            altitude_m=draw(st.integers(-32768, 32767)),
            angle=draw(st.integers(0, 360)),
            satellites=draw(st.integers(0, 255)),
            speed_kmh=draw(st.integers(0, 0xFFFF)),
        )
        records.append(
            AvlRecord(
                timestamp_ms=draw(st.integers(0, 2**63 - 1)),
                priority=draw(st.integers(0, 2)),
                gps=gps,
                event_io_id=draw(st.integers(0, 0xFF)),
                total_io=len(io),
                io=io,
            )
        )
    return codec, records


@GENERATED
@given(packets())
def test_encoded_packets_decode_to_the_same_records(generated: tuple[int, list[AvlRecord]]) -> None:
    codec, records = generated
    decoded = decode_packet(packet(records, codec))
    assert decoded.codec_id == codec
    assert list(decoded.records) == records
    decodes_or_is_refused(packet(records, codec))


@GENERATED
@given(packets(), st.data())
def test_a_truncated_packet_is_refused(generated: tuple[int, list[AvlRecord]], data: st.DataObject) -> None:
    frame = packet(generated[1], generated[0])
    cut = data.draw(st.integers(0, len(frame) - 1))
    with pytest.raises(FrameError):
        decode_packet(frame[:cut])


@GENERATED
@given(packets(), st.data())
def test_a_flipped_byte_is_refused_or_still_a_frame(
    generated: tuple[int, list[AvlRecord]], data: st.DataObject
) -> None:
    frame = bytearray(packet(generated[1], generated[0]))
    at = data.draw(st.integers(0, len(frame) - 1))
    frame[at] ^= data.draw(st.integers(1, 255))
    decodes_or_is_refused(bytes(frame))

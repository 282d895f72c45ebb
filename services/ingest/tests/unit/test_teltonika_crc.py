"""CRC-16/IBM as Teltonika uses it."""

from __future__ import annotations

import pytest

from coldchain_ingest.protocols.teltonika.crc import crc16_ibm

pytestmark = pytest.mark.unit


def test_standard_check_value() -> None:
    # CRC-16/ARC (= IBM, reflected 0x8005, init 0) of "123456789" is 0xBB3D in every CRC catalogue.
    assert crc16_ibm(b"123456789") == 0xBB3D


def test_empty_input_is_the_initial_value() -> None:
    assert crc16_ibm(b"") == 0


@pytest.mark.parametrize(
    ("data_hex", "crc"),
    [
        (
            "08010000016B40D8EA30010000000000000000000000000000000105021503010101425E0F01F10000601A014E000000000000000001",
            0xC7CF,
        ),
        ("08010000016B40D9AD80010000000000000000000000000000000103021503010101425E10000001", 0xF22A),
    ],
)
def test_crc_of_the_documented_codec8_data_arrays(data_hex: str, crc: int) -> None:
    assert crc16_ibm(bytes.fromhex(data_hex)) == crc

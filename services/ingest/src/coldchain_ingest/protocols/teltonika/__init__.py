"""Teltonika Codec 8 / Codec 8 Extended over TCP (FMB, FMC, FMM... trackers).

`codec` parses frames (pure), `mapping` turns AVL records into raw fixes (pure),
`server` runs the TCP conversation: IMEI handshake, frames, acknowledgement only
after Kafka acknowledged every fix.
"""

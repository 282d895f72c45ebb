"""The UVIS terminal service, polled: account-wide GPS and temperature pulls.

`parsing` reads UVIS answers (pure), `dedup` decides what is new (pure), `client` speaks
HTTP with the 5-minute access key, `cursors` persists the last time seen per terminal,
`leadership` makes exactly one replica poll, `poller` ties them together.
"""

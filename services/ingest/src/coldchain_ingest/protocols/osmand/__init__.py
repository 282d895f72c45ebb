"""The OsmAnd HTTP protocol, as the Traccar Client apps and many trackers speak it.

`decoder` turns a request (query string, form body or JSON body) into an `OsmAndReport`,
`mapping` turns a report into the contract's `RawFix`, `listener` is the ASGI app that
answers devices, `server` runs it on its own port inside the ingest process.
"""

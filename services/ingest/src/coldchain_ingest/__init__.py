"""Ingest: normalises raw fixes, binds them to vehicles, rejects impossible ones."""

"""Dispatch service. In this release it starts, migrates its schema and reports readiness;
its domain arrives with its own issue."""

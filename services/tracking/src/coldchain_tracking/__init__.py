"""Tracking: live vehicle state (Redis), position history (PostgreSQL), vehicle state events."""

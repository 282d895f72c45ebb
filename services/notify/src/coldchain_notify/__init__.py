"""Coldchain notify service."""

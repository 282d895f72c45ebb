"""Authentication, authorisation and abuse limits of the public API (docs/gateway-security.md)."""

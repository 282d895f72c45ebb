"""Device protocols that ingest speaks itself (one subpackage per protocol)."""

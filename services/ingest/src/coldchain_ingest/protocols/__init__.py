"""Device protocols and integrations that feed raw fixes into ingest (one subpackage each)."""

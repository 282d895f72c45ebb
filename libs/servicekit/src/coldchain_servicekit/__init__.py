"""Plumbing every Coldchain service shares: settings, logs, health, metrics, Kafka
delivery policy, database and migrations. No domain logic lives here."""

"""Orders service: sites, orders and their lifecycle. Commands in from Kafka, decisions
as events through a transactional outbox, queries and imports over HTTP."""

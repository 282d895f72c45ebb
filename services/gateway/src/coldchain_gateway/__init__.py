"""Gateway: the public REST API. Writes become Kafka messages; reads go to the owning
service's query API."""

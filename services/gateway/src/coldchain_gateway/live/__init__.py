"""The WebSocket live feed: Kafka fan-out to subscribed browser and integration clients."""

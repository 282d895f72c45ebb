"""Pure analysis of one vehicle's fix stream: motion, trips and stops, geofences,
temperature excursions and alerts. No I/O; `vehicle.advance` and `vehicle.tick` are the
entry points, the Kafka/Redis adapters live one package up.
"""

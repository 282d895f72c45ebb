"""Dispatch service: plans routes for the fleet (PyVRP or OR-tools), inserts new orders into
the running plan, re-optimises it in the background and re-plans around a breakdown or a
temperature excursion; publishes the routes on `dispatch.assignments.v1`."""

"""Engines behind one signature: `solve(instance, time_limit_s, seed) -> EngineSolution`."""

"""VRPTW (vehicle routing with time windows): instances, an independent evaluator, and engines.

Minimise total distance with at most the fleet size of vehicles; distances are Euclidean in
double precision and travel time equals distance. Engines work in scaled integers; every
figure this package reports is recomputed from the routes by `evaluate`.
"""

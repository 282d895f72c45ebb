"""Li & Lim PDPTW (pickup and delivery with time windows): the reader and an independent evaluator.

Tasks are numbered as in the files (0 is the depot); distances are Euclidean in double
precision and travel time equals distance. Vehicles are minimised first, then distance.
Engines work in scaled integers (`coldchain_dispatch.engines`); every figure reported is
recomputed from the routes by `evaluate`.
"""

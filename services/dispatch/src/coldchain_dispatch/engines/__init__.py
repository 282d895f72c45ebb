"""The engine portfolio: one integer pickup-and-delivery problem, several engines, one choice.

`problem.RoutingProblem` is what every engine reads (the service's planning instance and
the Li & Lim reader both compile to it); `portfolio.solve` picks the engine by what it
can express and returns routes as shipment visits. Callers re-check every answer with
their own validator.
"""

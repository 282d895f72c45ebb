"""Benchmark-only code, kept out of the dispatch service's package.

`vrptw` and `pdptw` read the public benchmark formats (Solomon in VRPLIB form, Li & Lim),
compile them to the service's engine portfolio and evaluate answers independently;
`scenario` and `examples` build seeded cold-chain days and small planning instances for
the benchmarks and the tests.
"""

"""VRPLIB loader against the real Solomon C101 file."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coldchain_benchkit.vrptw.instance import DEPOT, load
from coldchain_devtools.shared_data import vrptw_dir

pytestmark = pytest.mark.unit
SOLOMON = vrptw_dir() / "solomon"
C101 = SOLOMON / "C101.vrp"


def test_c101_header_and_known_values() -> None:
    c101 = load(C101)
    assert c101.name == "C101"
    assert c101.num_clients == 100
    assert list(c101.clients) == list(range(1, 101))
    assert (c101.fleet_size, c101.capacity) == (25, 200)
    # Depot: node 1 in the file (40, 50), open 0..1236, no demand, no service.
    assert c101.coordinates[DEPOT] == (40.0, 50.0)
    assert c101.time_windows[DEPOT] == (0.0, 1236.0)
    assert (c101.demands[DEPOT], c101.service_times[DEPOT]) == (0, 0.0)
    # First client (node 2 in the file, 1 in the .sol files) and the last one.
    assert c101.coordinates[1] == (45.0, 68.0)
    assert (c101.demands[1], c101.time_windows[1], c101.service_times[1]) == (10, (912.0, 967.0), 90.0)
    assert c101.demands[2] == 30
    assert c101.coordinates[100] == (55.0, 85.0)
    assert sum(c101.demands) == 1810


def test_distance_matrix_is_double_precision_euclidean() -> None:
    c101 = load(C101)
    d = c101.distance
    assert d.shape == (101, 101)
    assert d.dtype == np.float64
    assert d[DEPOT, 1] == math.hypot(5, 18)  # not rounded or truncated
    assert np.array_equal(d, d.T)
    assert not np.diag(d).any()


def test_truncation_keeps_depot_and_first_clients() -> None:
    small = load(C101).truncated(25)
    assert small.name == "C101-25"
    assert small.num_clients == 25
    assert small.distance.shape == (26, 26)
    assert small.coordinates[25] == load(C101).coordinates[25]

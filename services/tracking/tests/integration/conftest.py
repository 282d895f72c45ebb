"""A migrated session database for tracking's integration tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_servicekit.db import make_engine
from coldchain_servicekit.migrations import upgrade_async
from coldchain_tracking.app import SCHEMA_DEF


@pytest.fixture(scope="session")
async def engine(test_database: str) -> AsyncIterator[AsyncEngine]:
    await upgrade_async(test_database, SCHEMA_DEF.name, SCHEMA_DEF.migrations)
    engine = make_engine(test_database)
    yield engine
    await engine.dispose()

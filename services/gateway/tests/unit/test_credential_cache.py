"""API keys and device tokens: one database lookup per key at a time, cached for a while."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from coldchain_gateway.security import principal as principal_module
from coldchain_gateway.security.principal import TokenAuthenticator
from coldchain_gateway.security.store import Credential

pytestmark = pytest.mark.unit

KEY = "cci_" + "k" * 40


class CountingStore:
    def __init__(self) -> None:
        self.queries = 0
        self.release = asyncio.Event()

    async def credential_by_token(self, _engine: Any, token: str) -> Credential | None:
        self.queries += 1
        await self.release.wait()
        return Credential(
            uuid.uuid4(), "integration", "bench", token[-4:], ("vehicles:read",), (), datetime.now(UTC), None
        )


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> CountingStore:
    fake = CountingStore()
    monkeypatch.setattr(principal_module.store, "credential_by_token", fake.credential_by_token)
    return fake


async def test_concurrent_requests_with_an_uncached_key_share_one_lookup(store: CountingStore) -> None:
    auth = TokenAuthenticator(engine=None, sessions=None, jwt_key="x" * 32)  # type: ignore[arg-type]
    pending = [asyncio.create_task(auth.authenticate(KEY)) for _ in range(50)]
    await asyncio.sleep(0)
    store.release.set()
    principals = await asyncio.gather(*pending)
    assert store.queries == 1
    assert len({p.id for p in principals}) == 1
    await auth.authenticate(KEY)
    assert store.queries == 1, "cached"


async def test_a_lookup_begun_before_a_revocation_is_not_cached(store: CountingStore) -> None:
    auth = TokenAuthenticator(engine=None, sessions=None, jwt_key="x" * 32)  # type: ignore[arg-type]
    before = asyncio.create_task(auth.authenticate(KEY))
    await asyncio.sleep(0)
    auth.forget_credentials()  # a revocation through this replica
    store.release.set()
    await before
    await auth.authenticate(KEY)
    assert store.queries == 2, "the answer from before the revocation was not kept"

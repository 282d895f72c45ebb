"""MSK IAM authentication: OAUTHBEARER tokens signed with the task's AWS credentials.

AWS's own signer (aws-msk-iam-sasl-signer-python) builds the token, a SigV4-presigned
`kafka-cluster:Connect` URL, from the default credential chain (on ECS the task role).
Tokens last 15 minutes; one is reused until a minute before it expires, so a client
that opens many connections at once signs once.
"""

from __future__ import annotations

import asyncio
import time

from aiokafka.abc import AbstractTokenProvider
from aws_msk_iam_sasl_signer import MSKAuthTokenProvider

REFRESH_BEFORE_S = 60.0


class MskIamTokenProvider(AbstractTokenProvider):  # type: ignore[misc]  # aiokafka is untyped
    def __init__(self, region: str) -> None:
        self.region = region
        self._token: str | None = None
        self._expires_at = 0.0

    async def token(self) -> str:
        if self._token is None or time.time() > self._expires_at - REFRESH_BEFORE_S:
            # The signer may read credentials from the instance metadata endpoint: off the loop.
            token, expiry_ms = await asyncio.to_thread(MSKAuthTokenProvider.generate_auth_token, self.region)
            self._token, self._expires_at = token, expiry_ms / 1000
        return self._token

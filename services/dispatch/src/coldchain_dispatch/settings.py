from __future__ import annotations

from typing import Literal

from pydantic import Field

from coldchain_servicekit.settings import ServiceSettings, service_settings_config


class DispatchSettings(ServiceSettings):
    model_config = service_settings_config("dispatch")

    service_name: str = "dispatch"
    http_port: int = 8004
    timezone: str = Field(
        default="Asia/Seoul", description="Operator's time zone: vehicle shift times are local"
    )
    plan_time_limit_max_s: float = Field(
        default=60.0,
        gt=0,
        description="Longest solve allowed; a request asking more is capped (the command "
        "consumer polls nothing while it plans, see max_poll_interval_ms)",
    )
    command_max_poll_interval_ms: int = Field(
        default=300_000, description="Kafka max.poll.interval.ms of the command consumer"
    )
    reoptimise_time_limit_s: float = Field(
        default=0.0,
        ge=0,
        description="Background re-optimisation after insertions: OR-tools time limit; 0 (default) "
        "is off: OR-tools aborted a test process once on a degenerate remaining problem",
    )
    solve_in_process: bool = Field(
        default=True,
        description="Solve requested plans in a separate worker process (the event loop never "
        "stalls behind the solver); false solves in a worker thread",
    )
    position_max_age_s: float = Field(
        default=900.0, description="A live position older than this is not used as a start"
    )
    clock: Literal["wall", "fleet"] = Field(
        default="wall",
        description="'wall': now is the wall clock; 'fleet': the newest device time of the live "
        "positions, never before the wall clock (simulated days replayed faster than real time)",
    )

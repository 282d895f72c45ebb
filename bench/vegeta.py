"""vegeta, the open-loop HTTP load generator, as the API benchmarks drive it: targets, attacks, summaries."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchsystem import log


def vegeta_binary() -> str:
    found = os.environ.get("VEGETA") or shutil.which("vegeta")
    cached = Path.home() / ".cache" / "coldchain" / "bin" / "vegeta"
    if found:
        return found
    if cached.exists():
        return str(cached)
    raise SystemExit(
        "vegeta not found: `make bench-api` installs it (go install github.com/tsenart/vegeta/v12)"
    )


@dataclass(frozen=True)
class Scenario:
    name: str
    targets: str  # vegeta http target format
    rate: int


def get_targets(urls: list[str], headers: dict[str, str]) -> str:
    header_lines = "".join(f"{k}: {v}\n" for k, v in headers.items())
    return "".join(f"GET {url}\n{header_lines}\n" for url in urls)


def post_targets(url: str, bodies: list[Path], headers: dict[str, str]) -> str:
    header_lines = "".join(f"{k}: {v}\n" for k, v in {**headers, "Content-Type": "application/json"}.items())
    return "".join(f"POST {url}\n{header_lines}@{body}\n\n" for body in bodies)


def attack(vegeta: str, scenario: Scenario, seconds: int, workdir: Path, closed_loop: bool) -> dict[str, Any]:
    targets = workdir / f"{scenario.name}.targets"
    targets.write_text(scenario.targets)
    rate = ["-rate=0", "-max-workers=32", "-workers=32"] if closed_loop else [f"-rate={scenario.rate}/s"]
    attack_cmd = [vegeta, "attack", f"-targets={targets}", f"-duration={seconds}s", "-timeout=10s", *rate]
    with subprocess.Popen(attack_cmd, stdout=subprocess.PIPE) as attacker:
        report = subprocess.run(
            [vegeta, "report", "-type=json"], stdin=attacker.stdout, capture_output=True, check=True
        )
    return summary_of(json.loads(report.stdout))


def attack_under(
    vegeta: str, scenario: Scenario, background: Scenario, seconds: int, workdir: Path
) -> tuple[dict[str, Any], dict[str, Any]]:
    """`scenario` at its fixed rate while `background` runs at its own for the same time."""
    targets = workdir / f"{background.name}.targets"
    targets.write_text(background.targets)
    attack_cmd = [
        vegeta, "attack", f"-targets={targets}", f"-duration={seconds}s", "-timeout=10s",
        f"-rate={background.rate}/s",
    ]  # fmt: skip
    with (
        subprocess.Popen(attack_cmd, stdout=subprocess.PIPE) as attacker,
        subprocess.Popen(
            [vegeta, "report", "-type=json"], stdin=attacker.stdout, stdout=subprocess.PIPE
        ) as reporter,
    ):
        foreground = attack(vegeta, scenario, seconds, workdir, closed_loop=False)
        out, _ = reporter.communicate()
    return foreground, summary_of(json.loads(out))


def summary_of(data: dict[str, Any]) -> dict[str, Any]:
    lat = data["latencies"]
    return {
        "rate_offered": round(data["rate"], 1),
        "throughput": round(data["throughput"], 1),
        "success": round(data["success"], 4),
        "p50_ms": round(lat["50th"] / 1e6, 2),
        "p95_ms": round(lat["95th"] / 1e6, 2),
        "p99_ms": round(lat["99th"] / 1e6, 2),
        "status_codes": data.get("status_codes", {}),
    }


def report_line(label: str, r: dict[str, Any]) -> None:
    log(
        f"  {label:26} offered {r['rate_offered']:>8} req/s  throughput {r['throughput']:>8} req/s  "
        f"p50 {r['p50_ms']:>7} ms  p95 {r['p95_ms']:>7} ms  p99 {r['p99_ms']:>7} ms  "
        f"success {r['success']:.2%}" + (f"  status codes {r['status_codes']}" if r["success"] < 1 else "")
    )

"""API throughput benchmark (run by hand): `POST /v1/chat` with the offline backend beside `GET /healthz` of the same
server, measured in one run with 1 and 16 concurrent keep-alive clients.

    uv run python bench/api.py                     # 8 s per measurement
    uv run python bench/api.py --duration 3 --clients 1,4,16

Starts `finassist serve` (one worker, SQLite, embedded Chroma, the sample corpus ingested into a temporary data
directory, rate limits off) and drives it with a minimal asyncio HTTP/1.1 client, so the client's own cost stays
small next to the server's. Targets: chat throughput >= 30 % of the trivial endpoint's; chat p50 <= 25 ms at 16
clients on 2 cores. Prints; asserts nothing.

Then, unless --no-ceiling, the same app with an agent that returns a precomputed reply (bench/stub_agent_app.py)
is measured the same way: its /v1/chat is the HTTP path alone, the ratio an agent taking no time would reach.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.api.server_process import ServerProcess, clean_env, run_cli  # noqa: E402

QUESTIONS = (
    "安心政担贷的贷款利率是多少？",
    "科技型企业信用贷款需要什么材料？",
    "你好",
    "设备融资租赁的期限多长？",
    "有什么扶持政策？",
)


@dataclass
class Result:
    endpoint: str
    clients: int
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def pct(self, q: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100)[q - 1] * 1000


def _request(method: str, path: str, body: bytes = b"") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n"
    if body:
        head += "Content-Type: application/json\r\n"
    return head.encode() + b"\r\n" + body


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, payload: bytes) -> int:
    writer.write(payload)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)
    return status


async def _client(port: int, endpoint: str, index: int, stop_at: float, latencies: list[float]) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    errors, n = 0, 0
    try:
        while time.perf_counter() < stop_at:
            if endpoint == "chat":
                session = f"bench-{index}-{n // 20}"  # a conversation of 20 turns, then a new one
                body = json.dumps({"message": QUESTIONS[n % len(QUESTIONS)], "session_id": session}).encode()
                payload = _request("POST", "/v1/chat", body)
            else:
                payload = _request("GET", "/healthz")
            started = time.perf_counter()
            status = await _exchange(reader, writer, payload)
            latencies.append(time.perf_counter() - started)
            errors += status != 200
            n += 1
    finally:
        writer.close()
    return errors


async def measure(port: int, endpoint: str, clients: int, duration: float) -> Result:
    warm: list[float] = []
    await asyncio.gather(*(_client(port, endpoint, i + 1000, time.perf_counter() + 1.0, warm) for i in range(clients)))
    latencies: list[float] = []
    started = time.perf_counter()
    stop_at = started + duration
    errors = await asyncio.gather(*(_client(port, endpoint, i, stop_at, latencies) for i in range(clients)))
    seconds = time.perf_counter() - started
    return Result(endpoint, clients, len(latencies), sum(errors), seconds, latencies)


def _print_table(results: list[Result]) -> None:
    print(f"\n{'endpoint':<10}{'clients':>8}{'requests':>10}{'errors':>8}{'req/s':>10}{'p50 ms':>9}{'p95 ms':>9}")
    for r in results:
        print(
            f"{r.endpoint:<10}{r.clients:>8}{r.requests:>10}{r.errors:>8}{r.rps:>10.1f}{r.pct(50):>9.2f}{r.pct(95):>9.2f}"
        )
    print()


def _ratios(results: list[Result], levels: list[int], label: str) -> None:
    for clients in levels:
        health, chat = (
            next(r for r in results if r.endpoint == ep and r.clients == clients) for ep in ("healthz", "chat")
        )
        ratio = chat.rps / health.rps if health.rps else float("nan")
        line = f"{clients:>3} clients: {label} chat/healthz throughput {ratio:.0%}"
        if label == "agent":
            line += f" ({'meets' if ratio >= 0.30 else 'below'} the 30 % target)"
            if clients == 16:
                p50 = chat.pct(50)
                line += f"; chat p50 {p50:.1f} ms ({'meets' if p50 <= 25 else 'above'} the 25 ms target)"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per measurement")
    parser.add_argument("--clients", default="1,16", help="comma-separated concurrency levels")
    parser.add_argument("--no-ceiling", action="store_true", help="skip the run with a zero-cost agent")
    args = parser.parse_args()
    levels = [int(c) for c in args.clients.split(",")]
    with tempfile.TemporaryDirectory(prefix="finassist-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        passed = {
            k: v for k, v in os.environ.items() if k.startswith("FINASSIST_") and k not in ("FINASSIST_DATA_DIR",)
        }
        env = clean_env(**passed, FINASSIST_CHAT_RATE_LIMIT="off", FINASSIST_LEAD_RATE_LIMIT="off")
        ingested = run_cli(["ingest", str(REPO / "knowledge" / "corpus"), "--data-dir", str(data_dir)], env)
        if ingested.returncode != 0:
            sys.exit(f"ingest failed: {ingested.stderr}")
        with ServerProcess(data_dir, env, log=Path(tmp) / "serve.log") as server:
            print(
                f"server pid {server.process.pid if server.process else '?'} on port {server.port}; "
                f"{os.cpu_count()} CPUs; {args.duration:g} s per run; offline backend, SQLite, embedded Chroma"
            )
            results = [
                asyncio.run(measure(server.port, ep, c, args.duration)) for c in levels for ep in ("healthz", "chat")
            ]
        ceiling: list[Result] = []
        if not args.no_ceiling:
            ceiling_log = Path(tmp) / "ceiling.log"
            with ServerProcess(data_dir, env, log=ceiling_log, app_factory="bench.stub_agent_app:app") as stub:
                ceiling = [
                    asyncio.run(measure(stub.port, ep, c, args.duration)) for c in levels for ep in ("healthz", "chat")
                ]
    print("agent: finassist serve, offline backend")
    _print_table(results)
    _ratios(results, levels, "agent")
    if ceiling:
        print("\nceiling: the same app, the agent replaced by a precomputed reply (bench/stub_agent_app.py)")
        _print_table(ceiling)
        _ratios(ceiling, levels, "ceiling")


if __name__ == "__main__":
    main()

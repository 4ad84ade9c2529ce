"""API throughput benchmark (run by hand): `POST /v1/chat` with the offline backend beside `GET /healthz` of the same
server, measured in one run with 1 and 16 concurrent keep-alive clients.

    uv run python bench/api.py                     # embedded default, 8 s per measurement
    uv run python bench/api.py --duration 3 --clients 1,4,16
    uv run python bench/api.py --deployment scale-out --workers 2
    uv run python bench/api.py --questions fixed        # 5 questions in turn, the mix of earlier reports

--deployment embedded (the default) starts `finassist serve` (one API process, with an agent worker process for
whole replies on 2+ cores unless FINASSIST_AGENT_PROCESSES says otherwise; SQLite, embedded Chroma, the sample
corpus ingested into a temporary data directory). --deployment scale-out starts the scale-out deployment instead:
a Chroma server (`chroma run` on a free 127.0.0.1 port, storing in a temporary directory), a fresh schema in the
PostgreSQL database `test` on 127.0.0.1:5432 (trust auth; dropped afterwards), the sample corpus ingested into
both, and `finassist serve --workers N` (default 2). In both, measuring starts once every worker has answered
and served 20 chat turns; rate limits are off (no Redis needed). Everything started is stopped and removed
again, also on failure, Ctrl-C or SIGTERM.

Members' questions are the evaluation sets' (answers, retrieval: about 170 distinct, each client starting at a
different one, conversations of 20 turns), so per-text caches hit no more often than in real traffic;
--questions fixed cycles the 5 questions earlier reports used. A minimal asyncio HTTP/1.1 client drives the
server, so the client's own cost stays small next to the server's; it counts the distinct worker pids
(X-Worker-Pid) that served each measurement: a keep-alive connection stays with the worker that accepted it.
Targets: chat throughput >= 30 % of the trivial endpoint's; chat p50 <= 25 ms at 16 clients on 2 cores.
Beside requests/s, each row gives the CPU time per request of the server's whole process tree (API worker(s)
and agent worker processes, from /proc) and of the benchmark's client: on a shared, noisy machine requests/s
swing by a quarter from run to run, CPU per request much less. Prints; asserts nothing.

Then, embedded only and unless --no-ceiling, the same app with an agent that returns a precomputed reply
(bench/stub_agent_app.py) is measured the same way: its /v1/chat is the HTTP path alone, the ratio an agent
taking no time would reach.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.config import Settings  # noqa: E402
from tests.api.server_process import ServerProcess, clean_env, run_cli  # noqa: E402
from tests.support.postgres import PG_DB, PG_HOST, PG_PORT, pg_user  # noqa: E402
from tests.support.scaleout import chroma_command, scaleout_backends, wait_for_workers  # noqa: E402

FIXED_QUESTIONS = (
    "安心政担贷的贷款利率是多少？",
    "科技型企业信用贷款需要什么材料？",
    "你好",
    "设备融资租赁的期限多长？",
    "有什么扶持政策？",
)
EVAL_SETS = ("answers.jsonl", "retrieval.jsonl")  # not answers_heldout.jsonl: nothing reads it but the eval


def varied_questions() -> tuple[str, ...]:
    """The distinct member questions of the evaluation sets (about 170): few repeats, as in real traffic, so
    caches keyed on a text (the compliance verdict, sentence splits) do not turn every turn into a hit."""
    questions: dict[str, None] = {}
    for name in EVAL_SETS:
        for line in (REPO / "evals" / "datasets" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                questions[json.loads(line)["question"]] = None
    return tuple(questions)


# Settings that choose the deployment: never taken from the caller's environment.
DEPLOYMENT_SETTINGS = (
    "FINASSIST_DATA_DIR",
    "FINASSIST_DATABASE_URL",
    "FINASSIST_CHROMA_HOST",
    "FINASSIST_CHROMA_PORT",
    "FINASSIST_COLLECTION",
    "FINASSIST_REDIS_URL",
    "FINASSIST_REDIS_PREFIX",
)


@dataclass
class Result:
    endpoint: str
    clients: int
    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    pids: dict[bytes, int] = field(default_factory=dict)  # measured requests per X-Worker-Pid
    server_cpu: float = float("nan")  # CPU seconds of the server's process tree during the measurement
    client_cpu: float = float("nan")  # CPU seconds of this process (the clients) during the measurement

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def pct(self, q: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000 if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100)[q - 1] * 1000

    def cpu_ms(self, seconds: float) -> float:
        return 1000 * seconds / self.requests if self.requests else float("nan")

    def split(self) -> str:
        """Each worker's share of the requests, largest first: "56/44"."""
        total = sum(self.pids.values()) or 1
        return "/".join(f"{100 * n / total:.0f}" for n in sorted(self.pids.values(), reverse=True))


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by `pid`, its threads and its descendant processes (Linux /proc);
    NaN where /proc is unavailable."""
    tick = os.sysconf("SC_CLK_TCK")
    total, pending, seen = 0.0, [pid], set()
    try:
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            seen.add(current)
            try:
                stat = Path(f"/proc/{current}/stat").read_text()
                fields = stat[stat.rindex(")") + 2 :].split()
                total += (int(fields[11]) + int(fields[12])) / tick
                for task in Path(f"/proc/{current}/task").iterdir():
                    pending += [int(child) for child in (task / "children").read_text().split()]
            except FileNotFoundError:  # exited meanwhile
                continue
    except OSError:
        return float("nan")
    return total


def _request(method: str, path: str, body: bytes = b"") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n"
    if body:
        head += "Content-Type: application/json\r\n"
    return head.encode() + b"\r\n" + body


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, payload: bytes
) -> tuple[int, bytes, bytes]:
    """Send one request, read the response; returns its status, X-Worker-Pid and body."""
    writer.write(payload)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length, pid = 0, b"?"
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"x-worker-pid":
            pid = value.strip()
    body = await reader.readexactly(length)
    return status, pid, body


def _payload(endpoint: str, index: int, n: int, questions: tuple[str, ...], session: str | None) -> bytes:
    if endpoint == "chat":
        question = questions[(index * 7 + n) % len(questions)]  # clients start at different questions
        turn: dict[str, str] = {"message": question, **({"session_id": session} if session else {})}
        return _request("POST", "/v1/chat", json.dumps(turn).encode())
    return _request("GET", "/healthz")


def _session_of(body: bytes, n: int) -> str | None:
    """The session id the server issued, kept for 20 turns; then a new conversation."""
    if n % 20 == 0:
        return None
    try:
        return str(json.loads(body)["session_id"])
    except (ValueError, KeyError):
        return None


async def _client(
    port: int,
    endpoint: str,
    index: int,
    stop_at: float,
    latencies: list[float],
    pids: dict[bytes, int],
    questions: tuple[str, ...],
) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    errors, n, session = 0, 0, None
    try:
        while time.perf_counter() < stop_at:
            payload = _payload(endpoint, index, n, questions, session)
            started = time.perf_counter()
            status, pid, body = await _exchange(reader, writer, payload)
            latencies.append(time.perf_counter() - started)
            pids[pid] = pids.get(pid, 0) + 1
            errors += status != 200
            n += 1
            session = _session_of(body, n) if endpoint == "chat" else None
    finally:
        writer.close()
    return errors


async def measure(
    port: int,
    endpoint: str,
    clients: int,
    duration: float,
    questions: tuple[str, ...] = FIXED_QUESTIONS,
    server_pid: int | None = None,
) -> Result:
    warm: list[float] = []
    warm_at = time.perf_counter() + 1.0
    await asyncio.gather(*(_client(port, endpoint, i + 1000, warm_at, warm, {}, questions) for i in range(clients)))
    latencies: list[float] = []
    pids: dict[bytes, int] = {}
    server_before = tree_cpu(server_pid) if server_pid else float("nan")
    client_before = time.process_time()
    started = time.perf_counter()
    stop_at = started + duration
    clients_done = (_client(port, endpoint, i, stop_at, latencies, pids, questions) for i in range(clients))
    errors = await asyncio.gather(*clients_done)
    seconds = time.perf_counter() - started
    client_cpu = time.process_time() - client_before
    server_cpu = tree_cpu(server_pid) - server_before if server_pid else float("nan")
    return Result(endpoint, clients, len(latencies), sum(errors), seconds, latencies, pids, server_cpu, client_cpu)


async def warm_workers(port: int, workers: set[str], turns: int = 20, timeout: float = 60) -> None:
    """Chat turns on a new connection each until every worker has answered `turns` of them, so that no worker
    meets its first chat turn (lazy setup) inside a measurement."""
    served = dict.fromkeys(workers, 0)
    deadline = time.monotonic() + timeout
    n = 0
    while min(served.values()) < turns and time.monotonic() < deadline:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            _, pid = await _exchange(reader, writer, _payload("chat", 2000, n, FIXED_QUESTIONS))
        finally:
            writer.close()
        served[pid.decode()] = served.get(pid.decode(), 0) + 1
        n += 1


def serve_and_measure(
    data_dir: Path,
    env: dict[str, str],
    levels: list[int],
    duration: float,
    *,
    workers: int = 1,
    log: Path,
    app_factory: str | None = None,
    describe: str = "",
    questions: tuple[str, ...] = FIXED_QUESTIONS,
) -> list[Result]:
    """Start the server, wait for all its workers, warm each, measure healthz and chat at every level, stop it."""
    server = ServerProcess(data_dir, env, workers=workers, log=log, app_factory=app_factory)
    try:  # not `with`: an interrupted start() must still stop what it started
        server.start(timeout=180)
        pids = wait_for_workers(server, workers)
        asyncio.run(warm_workers(server.port, pids))
        if describe:
            print(f"{describe}; port {server.port}; worker pids {' '.join(sorted(pids))}")
        assert server.process is not None
        pid = server.process.pid
        return [
            asyncio.run(measure(server.port, ep, c, duration, questions, pid))
            for c in levels
            for ep in ("healthz", "chat")
        ]
    finally:
        server.stop()


def _print_table(results: list[Result]) -> None:
    print(
        f"\n{'endpoint':<10}{'clients':>8}{'requests':>10}{'errors':>8}{'req/s':>10}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'server CPU':>12}{'client CPU':>12}{'workers':>9}  split %"
    )
    for r in results:
        print(
            f"{r.endpoint:<10}{r.clients:>8}{r.requests:>10}{r.errors:>8}{r.rps:>10.1f}{r.pct(50):>9.2f}{r.pct(95):>9.2f}"
            f"{r.cpu_ms(r.server_cpu):>12.3f}{r.cpu_ms(r.client_cpu):>12.3f}{len(r.pids):>9}  {r.split()}"
        )
    print("(server CPU, client CPU: ms of CPU time per request)\n")


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


def _ingest(data_dir: Path, env: dict[str, str]) -> None:
    ingested = run_cli(["ingest", str(REPO / "knowledge" / "corpus"), "--data-dir", str(data_dir)], env)
    if ingested.returncode != 0:
        sys.exit(f"ingest failed: {ingested.stderr}")


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM: unwind like Ctrl-C, so that every `finally` cleans up


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deployment", choices=("embedded", "scale-out"), default="embedded")
    parser.add_argument("--workers", type=int, help="API worker processes of the scale-out deployment (default 2)")
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per measurement")
    parser.add_argument("--clients", default="1,16", help="comma-separated concurrency levels")
    parser.add_argument("--no-ceiling", action="store_true", help="skip the run with a zero-cost agent")
    parser.add_argument(
        "--questions",
        choices=("varied", "fixed"),
        default="varied",
        help="varied: the evaluation sets' member questions; fixed: 5 questions in turn (the mix used before)",
    )
    args = parser.parse_args()
    scale_out = args.deployment == "scale-out"
    if args.workers is not None and not scale_out:
        parser.error("--workers needs --deployment scale-out (the embedded default is one API process)")
    workers = args.workers or (2 if scale_out else 1)
    levels = [int(c) for c in args.clients.split(",")]
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        questions = varied_questions() if args.questions == "varied" else FIXED_QUESTIONS
        ceiling = not args.no_ceiling and not scale_out
        run(args.deployment, workers, levels, args.duration, questions, ceiling=ceiling)
    except KeyboardInterrupt:
        sys.exit("interrupted; everything the benchmark started has been stopped and removed")
    if scale_out and not args.no_ceiling:
        print("\nceiling run skipped: it measures the embedded app only (run without --deployment scale-out)")


def run(
    deployment: str, workers: int, levels: list[int], duration: float, questions: tuple[str, ...], *, ceiling: bool
) -> None:
    passed = {k: v for k, v in os.environ.items() if k.startswith("FINASSIST_") and k not in DEPLOYMENT_SETTINGS}
    base_env = {**passed, "FINASSIST_CHAT_RATE_LIMIT": "off", "FINASSIST_LEAD_RATE_LIMIT": "off"}
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    stub: list[Result] = []
    mix = f"{len(questions)} distinct questions"
    with tempfile.TemporaryDirectory(prefix="finassist-bench-") as tmp:
        root = Path(tmp)
        data_dir = root / "data"
        if deployment == "embedded":
            env = clean_env(**base_env)
            _ingest(data_dir, env)
            agents = Settings().resolved_agent_processes  # the server reads the same FINASSIST_* variables
            describe = f"finassist serve, one API process, {agents} agent worker process(es), SQLite, embedded Chroma"
            print(f"{started}; {os.cpu_count()} CPUs; {duration:g} s per run; {mix}; offline backend")
            results = serve_and_measure(
                data_dir, env, levels, duration, log=root / "serve.log", describe=describe, questions=questions
            )
            if ceiling:
                stub = serve_and_measure(
                    data_dir,
                    env,
                    levels,
                    duration,
                    log=root / "ceiling.log",
                    app_factory="bench.stub_agent_app:app",
                    questions=questions,
                )
        else:
            user, reason = pg_user()
            if user is None:
                hint = "start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
                sys.exit(f"PostgreSQL on {PG_HOST}:{PG_PORT}/{PG_DB} unreachable ({reason}); {hint}")
            try:
                chroma_command()
            except RuntimeError as exc:
                sys.exit(str(exc))
            with scaleout_backends(root, user, prefix="bench") as backends:
                env = clean_env(**base_env, **backends.env())
                _ingest(data_dir, env)
                describe = (
                    f"finassist serve --workers {workers}, PostgreSQL {PG_HOST}:{PG_PORT}/{PG_DB} "
                    f"schema {backends.schema}, Chroma server 127.0.0.1:{backends.chroma_port}"
                )
                print(f"{started}; {os.cpu_count()} CPUs; {duration:g} s per run; {mix}; offline backend")
                results = serve_and_measure(
                    data_dir,
                    env,
                    levels,
                    duration,
                    workers=workers,
                    log=root / "serve.log",
                    describe=describe,
                    questions=questions,
                )
    print(f"agent: finassist serve ({deployment}, {workers} worker{'s' if workers > 1 else ''}), offline backend")
    _print_table(results)
    _ratios(results, levels, "agent")
    if stub:
        print("\nceiling: the same app, the agent replaced by a precomputed reply (bench/stub_agent_app.py)")
        _print_table(stub)
        _ratios(stub, levels, "ceiling")


if __name__ == "__main__":
    main()

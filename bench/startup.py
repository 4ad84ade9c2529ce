"""Start-up time of the `finassist` command: wall clock of the whole subprocess, minimum of N runs (and the
CPU time, user + system, of the run with that minimum, which a busy machine inflates far less).

    uv run python bench/startup.py --data-dir DIR [--runs 5] [--only search check] [--baseline-src DIR]

Warm, as a user's second and later runs are: the project's own modules are compiled to bytecode first
(`compileall`; these machines set PYTHONDONTWRITEBYTECODE, so nothing else would write it) and each command
runs once, uncounted, before its measured runs. `python` is the bare interpreter's start in the same run: it
shows how loaded the machine was. `--baseline-src DIR` (another checkout, e.g. `git worktree add --detach DIR
main`) measures the same commands from that source tree too, on this interpreter and data directory, runs
interleaved with this tree's so both see the same load.

Measures `finassist search`, `check`, `keys create`, `draft` and `serve` (start until GET /readyz answers
200) on an existing data directory with the sample corpus ingested: --data-dir, else FINASSIST_DATA_DIR or
./data when it holds an index (what `scripts/run.sh` made; stop that server first), else one made in a
temporary directory by `finassist ingest knowledge/corpus`, which takes minutes with the e5 embedding
(FINASSIST_VECTOR_CACHE=… makes it fast when the vectors were computed before). Prints a table; not a test.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "knowledge" / "corpus"
SAMPLE_POST = "安心政担贷年化利率低至3.65%，保证100%通过，当天放款！欢迎咨询。\n"
TARGETS = {"search": 1.5, "check": 1.0, "serve": 6.0}
PACKAGES = ("cli", "api", "assistant", "knowledge", "ui", "evals")
SERVE_TIMEOUT = 300.0


def finassist() -> list[str]:
    """The installed console script next to this interpreter (what `uv run finassist` runs)."""
    script = Path(sys.executable).with_name("finassist")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cli.main"]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):  # `check` exits 1 when it finds errors, as the sample post has
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed


def measured(run: Callable[[], float]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the finished child processes) of one run."""
    cpu = children_cpu()
    wall = run()
    return wall, children_cpu() - cpu


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def time_serve(data_dir: Path, env: dict[str, str]) -> float:
    """Seconds from starting `finassist serve` until /readyz answers 200; the server is stopped after."""
    port = free_port()
    argv = [*finassist(), "serve", "--port", str(port), "--data-dir", str(data_dir)]
    start = time.perf_counter()
    server = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while not ready(f"http://127.0.0.1:{port}/readyz"):
            if server.poll() is not None:
                raise SystemExit(f"serve exited {server.returncode}: {server.stderr.read().decode()[-500:]}")  # type: ignore[union-attr]
            if time.perf_counter() - start > SERVE_TIMEOUT:
                raise SystemExit(f"serve not ready after {SERVE_TIMEOUT:.0f} s")
            time.sleep(0.05)
        return time.perf_counter() - start
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def commands(data_dir: Path, post: Path, env: dict[str, str]) -> dict[str, Callable[[], float]]:
    d = ["--data-dir", str(data_dir)]
    return {
        "python": lambda: timed([sys.executable, "-c", "pass"], env),
        "search": lambda: timed([*finassist(), "search", "专利能拿来贷款吗", "-k", "5", *d], env),
        "check": lambda: timed([*finassist(), "check", str(post), *d], env),
        "keys create": lambda: timed([*finassist(), "keys", "create", "--role", "staff", "--name", "bench", *d], env),
        "draft": lambda: timed([*finassist(), "draft", "--type", "product_intro", "--topic", "安心政担贷", *d], env),
        "serve": lambda: time_serve(data_dir, env),
    }


def source_env(base: dict[str, str], src: Path) -> dict[str, str]:
    """The environment that runs `finassist` from the source tree `src` (first on the module path)."""
    return {**base, "PYTHONPATH": os.pathsep.join(p for p in (str(src), base.get("PYTHONPATH", "")) if p)}


def compile_bytecode(src: Path) -> None:
    """Bytecode for the tree's own modules (site-packages has it from `uv sync --compile-bytecode`)."""
    dirs = [str(src / name) for name in PACKAGES if (src / name).is_dir()]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *dirs], check=True, stdout=subprocess.DEVNULL)


def ingest_sample(data_dir: Path, env: dict[str, str]) -> None:
    print(f"ingesting {CORPUS} into {data_dir} (minutes with e5 unless the vector cache has them)", file=sys.stderr)
    subprocess.run([*finassist(), "ingest", str(CORPUS), "--data-dir", str(data_dir)], env=env, cwd=ROOT, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="a data directory with the sample corpus ingested")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", nargs="+", metavar="COMMAND", help="python, search, check, keys create, draft, serve")
    parser.add_argument("--baseline-src", type=Path, metavar="DIR", help="also measure this source tree (a checkout)")
    args = parser.parse_args()
    trees = {"": ROOT} | ({"baseline ": args.baseline_src.resolve()} if args.baseline_src else {})
    for src in trees.values():
        compile_bytecode(src)
    env = dict(os.environ)
    scratch = Path(tempfile.mkdtemp(prefix="finassist-startup-"))
    try:
        data_dir = args.data_dir
        default = Path(os.environ.get("FINASSIST_DATA_DIR") or ROOT / "data")
        if data_dir is None and (default / "knowledge.db").exists():
            data_dir = default
        if data_dir is None:
            data_dir = scratch / "data"
            ingest_sample(data_dir, source_env(env, ROOT))
        post = scratch / "post.md"
        post.write_text(SAMPLE_POST, encoding="utf-8")
        tables = {label: commands(data_dir, post, source_env(env, src)) for label, src in trees.items()}
        names = args.only or list(tables[""])
        unknown = set(names) - set(tables[""])
        if unknown:
            parser.error(f"unknown command(s): {', '.join(sorted(unknown))}")
        rows = []
        for name in names:
            runs: dict[str, list[tuple[float, float]]] = {label: [] for label in tables}
            for table in tables.values():
                table[name]()  # warm the page cache (and any copy a first run writes); not counted
            for _ in range(args.runs):
                for label, table in tables.items():  # interleaved: this tree and the baseline see the same load
                    runs[label].append(measured(table[name]))
            for label, measured_runs in runs.items():
                times = [wall for wall, _ in measured_runs]
                fastest = min(measured_runs)
                rows.append((label + name, name, fastest[0], statistics.median(times), max(times), fastest[1]))
                print(f"  {label}{name}: {', '.join(f'{t:.2f}' for t in times)} s", file=sys.stderr)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"finassist start-up, wall clock, {args.runs} runs after one warm-up ({os.cpu_count()} cores, load {load})")
    print(f"{'command':<24}{'min s':>8}{'median s':>10}{'max s':>8}{'CPU s':>8}{'target s':>10}")
    for label, name, low, mid, high, cpu in rows:
        target = TARGETS.get(name)
        mark = "" if target is None else f"{target:>10.1f}" + ("" if low <= target else "  missed")
        print(f"{label:<24}{low:>8.2f}{mid:>10.2f}{high:>8.2f}{cpu:>8.2f}{mark}")
    print("CPU s: user + system of the fastest run's processes (serve: until it exited after the stop)")
    if args.baseline_src:
        print(f"baseline: {args.baseline_src}")


if __name__ == "__main__":
    main()

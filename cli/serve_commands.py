"""`finassist serve`: the API (and the UI) under uvicorn.

Embedded mode (no CHROMA_HOST): one worker process that owns the data directory and holds its write lock
for its whole life, because two writers corrupt an embedded Chroma directory. Scale-out mode: with
CHROMA_HOST and a PostgreSQL DATABASE_URL, `--workers N` runs N processes, each building its own services
from the environment through the `app_from_env` factory (rate limits shared when REDIS_URL is set).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from assistant.config import Settings
from cli.output import CliError

if TYPE_CHECKING:
    from fastapi import FastAPI

FACTORY = "cli.serve_commands:app_from_env"


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("serve", parents=[common], help="run the API and UI server")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (>1 needs CHROMA_HOST and PostgreSQL)")
    p.add_argument(
        "--forwarded-allow-ips",
        default=None,
        help="proxy addresses whose X-Forwarded-For is trusted for client addresses (default 127.0.0.1)",
    )
    p.set_defaults(handler=run_serve)


def deployment_problem(settings: Settings, workers: int) -> str | None:
    """Why this configuration cannot run `workers` processes, or None."""
    if workers < 1:
        return "--workers must be at least 1"
    if workers == 1:
        return None
    if not settings.chroma_host:
        return "more than one worker needs FINASSIST_CHROMA_HOST (an embedded Chroma directory allows one writer)"
    if settings.resolved_database_url.startswith("sqlite"):
        return "more than one worker needs a PostgreSQL FINASSIST_DATABASE_URL (postgresql+psycopg://…)"
    return None


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    problem = deployment_problem(settings, args.workers)
    if problem:
        raise CliError(problem)
    if not 0 < args.port < 65536:
        raise CliError("--port must be between 1 and 65535")
    import uvicorn

    from api.logs import configure_logging

    if not settings.chroma_host:
        _check_no_other_writer(settings)
    os.environ["FINASSIST_DATA_DIR"] = str(settings.data_dir.resolve())  # workers rebuild Settings from env
    if args.workers > 1 and settings.agent_processes is None:
        os.environ["FINASSIST_AGENT_PROCESSES"] = "0"  # the API workers already use the cores
    configure_logging(settings.log_level)
    with ExitStack() as stack:
        if args.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = stack.enter_context(tempfile.TemporaryDirectory("-metrics"))
        options: dict[str, Any] = {"forwarded_allow_ips": args.forwarded_allow_ips} if args.forwarded_allow_ips else {}
        uvicorn.run(
            FACTORY,
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=10,
            # Building a worker's services (Chroma client, jieba, database) takes seconds on a busy machine:
            # the default 5 s health check would kill workers that are still starting.
            timeout_worker_healthcheck=60,
            **options,
        )
    return 0


def _check_no_other_writer(settings: Settings) -> None:
    """Fail fast (exit 2, one line) if an ingest or another server holds the data directory."""
    from knowledge.lock import WriteLock

    lock = WriteLock(settings.data_dir)
    lock.acquire()  # raises WriterBusy, which `finassist` reports as one line with exit code 2
    lock.release()


def attach_ui(app: FastAPI, services: Any) -> FastAPI:
    """Mount the editors' Gradio UI at /ui (api/ never imports ui/; this composition root joins them)."""
    from ui.mount import mount_ui

    return mount_ui(app, services)


def app_from_env() -> FastAPI:
    """uvicorn factory: each worker builds its own services from the environment."""
    from api.agent_processes import AgentProcesses
    from api.app import create_app
    from api.logs import configure_logging
    from assistant.services import build_services
    from knowledge.ingest import refresh_search_index

    settings = Settings()
    configure_logging(settings.log_level)
    services = build_services(settings)
    if not settings.chroma_host:
        services.index.lock.acquire()  # embedded: this process is the data directory's only writer until exit
        refresh_search_index(services.index)  # the saved vectors agent processes search (an older index lacks them)
    workers = settings.resolved_agent_processes
    processes = AgentProcesses(settings, workers) if workers else None
    if processes is not None:
        processes.launch()  # the workers build their services while this process warms up and mounts the UI
    warm_up = getattr(getattr(services, "agent", None), "warm_up", None)
    if callable(warm_up):
        warm_up()
    return attach_ui(create_app(services, on_shutdown=services.close, agent_processes=processes), services)

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
from functools import partial
from typing import TYPE_CHECKING, Any

from cli.output import CliError

if TYPE_CHECKING:
    from fastapi import FastAPI

    from assistant.config import Settings

FACTORY = "cli.serve_commands:app_from_env"


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("serve", parents=[common], help="run the API and UI server")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (>1 needs CHROMA_HOST and PostgreSQL)")
    p.add_argument(
        "--forwarded-allow-ips",
        default=None,
        help="proxy addresses or networks whose X-Forwarded-For names the client (sets TRUSTED_PROXIES; default none)",
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
    if args.forwarded_allow_ips is not None:
        from assistant.config import Settings

        Settings(trusted_proxies=args.forwarded_allow_ips)  # refuse a bad list here, in one line (exit 2)
        os.environ["FINASSIST_TRUSTED_PROXIES"] = args.forwarded_allow_ips
    if args.workers > 1 and settings.agent_processes is None:
        os.environ["FINASSIST_AGENT_PROCESSES"] = "0"  # the API workers already use the cores
    configure_logging(settings.log_level)
    with ExitStack() as stack:
        if args.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = stack.enter_context(tempfile.TemporaryDirectory("-metrics"))
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
            # uvicorn would trust X-Forwarded-For from 127.0.0.1; the app honours it only from TRUSTED_PROXIES.
            proxy_headers=False,
        )
    return 0


def _check_no_other_writer(settings: Settings) -> None:
    """Fail fast (exit 2, one line) if an ingest or another server holds the data directory."""
    from knowledge.lock import WriteLock

    lock = WriteLock(settings.data_dir)
    lock.acquire()  # raises WriterBusy, which `finassist` reports as one line with exit code 2
    lock.release()


def attach_ui(app: FastAPI, services: Any) -> FastAPI:
    """Mount the editors' Gradio UI at /ui (api/ never imports ui/; this composition root joins them). Gradio is
    built in the background once the server runs (ui.deferred): /ui requests wait for it, the API does not."""
    from ui.deferred import mount_ui_deferred

    return mount_ui_deferred(app, services)


def app_from_env() -> FastAPI:
    """uvicorn factory: each worker builds its own services from the environment.

    Only what every request needs is built before the server answers: the stores /readyz checks (the database
    and the Chroma collection, opened here) and the app. The agent, its rules and catalog and jieba's whole
    dictionary are loaded by a warm-up thread once the server runs, the UI in the background, the agent
    processes beside it; a request meanwhile is answered correctly, building what it needs (docs/measurements.md,
    start-up)."""
    from api.agent_processes import AgentProcesses
    from api.app import create_app
    from api.logs import configure_logging
    from assistant.config import Settings
    from assistant.services import build_services
    from knowledge.ingest import refresh_search_index

    settings = Settings()
    configure_logging(settings.log_level)
    services = build_services(settings)
    if not settings.chroma_host:
        services.index.lock.acquire()  # embedded: this process is the data directory's only writer until exit
        refresh_search_index(services.index)  # the saved vectors agent processes search (an older index lacks them)
    # What /readyz checks, opened now: once the server answers, background threads share the interpreter lock.
    services.store.ping()
    services.index.vectors.count()
    workers = settings.resolved_agent_processes
    processes = AgentProcesses(settings, workers) if workers else None
    if processes is not None:
        processes.launch()  # the workers build their services on the other core while this process starts
    app = create_app(
        services, on_shutdown=services.close, agent_processes=processes, warm_up=partial(warm_up, services)
    )
    return attach_ui(app, services)


def warm_up(services: Any) -> None:
    """What the first member turn would otherwise wait for: the agent with its rules and catalog, and jieba's
    whole dictionary (the index opens it word by word, which suits a query or two, not a server)."""
    from knowledge.tokenize import configure_jieba

    services.agent.warm_up()
    configure_jieba(None)  # already configured for the data directory: this loads the dictionary there

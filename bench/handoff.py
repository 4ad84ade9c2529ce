"""How long a handoff takes to reach staff: the time from an agent turn's reply to the staff card's arrival at a
loopback WeCom group-robot webhook (offline backend, hashing embedding, SQLite; in process).

    uv run python bench/handoff.py [--turns 20]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.config import Settings  # noqa: E402
from assistant.services import build_services  # noqa: E402
from knowledge.ingest import ingest  # noqa: E402
from tests.support.webhook_receiver import WebhookReceiver  # noqa: E402

CORPUS = REPO / "knowledge" / "corpus" / "products"
COMPLAINT = "你们的客户经理乱收费，我要投诉"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=20)
    args = parser.parse_args()
    receiver, port = WebhookReceiver(), free_port()
    server = uvicorn.Server(uvicorn.Config(receiver.app(), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    with tempfile.TemporaryDirectory() as data:
        settings = Settings(
            data_dir=Path(data),
            embedding_backend="hashing",
            wecom_webhook_url=f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key=robot-key",
        )
        services = build_services(settings)
        try:
            ingest(services.index, [CORPUS])
            latencies = []
            for _ in range(args.turns):
                receiver.arrived.clear()
                arrived = len(receiver.arrived_at)
                services.agent.reply(None, COMPLAINT)
                replied = time.monotonic()
                if not receiver.arrived.wait(30):
                    raise SystemExit("a card did not arrive within 30 s")
                latencies.append(receiver.arrived_at[arrived] - replied)
        finally:
            services.close()
            server.should_exit = True
    ms = sorted(x * 1000 for x in latencies)
    print(
        f"handoff card after the reply, {len(ms)} complaints: p50 {statistics.median(ms):.1f} ms, max {ms[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()

"""Channel callback benchmark (run by hand): the time of one WeChat / WeCom callback, in process.

    uv run python bench/channels.py                  # hashing embedding, 3 rounds of bench/chat.py's script
    uv run python bench/channels.py --embedding local --rounds 2

Builds the sample corpus index in a temp dir (offline chat backend, SQLite store), then posts every message
of bench/chat.py's scripted conversations as the platform would (signed; encrypted with wechatpy's crypto in
the AES modes; one sender per conversation, a fresh MsgId per message) to `POST /channels/wechat` (plain and
AES) and `POST /channels/wecom` through httpx's ASGI transport, and prints p50/p95 per mode beside the bare
agent turn (`Agent.reply`) on the same messages, taking turns message by message so that the machine's load
falls on all alike; "added" is the median of the per-message differences: what the channel adds (signature,
AES, XML, the dedupe claim — a disk sync on SQLite —, reply rendering, thread hops); the state write made
after the reply is sent is left out of the timing (the platform does not wait for it).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import anyio
import httpx
import xmltodict
from wechatpy.crypto import WeChatCrypto as OACrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto
from wechatpy.utils import WeChatSigner

from api.app import create_app
from assistant.config import Settings
from assistant.services import build_services
from knowledge.embedding import E5Embedding, HashingEmbedding
from knowledge.index import KnowledgeIndex
from knowledge.ingest import ingest

CORPUS = Path(__file__).resolve().parents[1] / "knowledge" / "corpus"
APP_ID, CORP_ID, TOKEN = "wxbench", "wwbench", "bench-token"
KEY = base64.b64encode(b"k" * 32).decode()[:-1]


def _script() -> tuple[tuple[str, ...], ...]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from chat import CONVERSATIONS  # bench/chat.py's scripted mix

    return CONVERSATIONS


def pct(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100)[q - 1] if len(samples) > 1 else samples[0]


def sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def message(to: str, sender: str, text: str, msg_id: int) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{to}]]></ToUserName><FromUserName><![CDATA[{sender}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )


def request(mode: str, sender: str, text: str, msg_id: int) -> tuple[str, dict[str, str], str]:
    """(path, query, body) exactly as the platform sends them."""
    timestamp, nonce = str(int(time.time())), f"n{msg_id}"
    if mode == "wecom":
        sealed = xmltodict.parse(
            WeComCrypto(TOKEN, KEY, CORP_ID).encrypt_message(message(CORP_ID, sender, text, msg_id), nonce, timestamp)
        )["xml"]
        query = {"msg_signature": sealed["MsgSignature"], "timestamp": timestamp, "nonce": nonce}
        return "/channels/wecom", query, f"<xml><Encrypt><![CDATA[{sealed['Encrypt']}]]></Encrypt></xml>"
    query = {"signature": sign(TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce, "openid": sender}
    xml = message("gh_bench", sender, text, msg_id)
    if mode == "wechat-plain":
        return "/channels/wechat", query, xml
    sealed = xmltodict.parse(OACrypto(TOKEN, KEY, APP_ID).encrypt_message(xml, nonce, timestamp))["xml"]
    query |= {"encrypt_type": "aes", "msg_signature": sealed["MsgSignature"]}
    return "/channels/wechat", query, f"<xml><Encrypt><![CDATA[{sealed['Encrypt']}]]></Encrypt></xml>"


async def run(args: argparse.Namespace, root: Path) -> dict[str, dict[str, float]]:
    embedding = E5Embedding() if args.embedding == "local" else HashingEmbedding(dim=512)
    index = KnowledgeIndex.open(root / "data", embedding)
    assert ingest(index, sorted(CORPUS.rglob("*.md"))).ok
    settings = Settings(
        data_dir=root / "data",
        database_url=args.database_url or f"sqlite:///{root / 'bench.db'}",
        embedding_backend="hashing" if args.embedding == "hashing" else "local",
        llm_backend="offline",
        chat_rate_limit="off",
        wechat_app_id=APP_ID,
        wechat_token=TOKEN,
        wechat_aes_key=KEY,
        wecom_corp_id=CORP_ID,
        wecom_token=TOKEN,
        wecom_aes_key=KEY,
    )
    services = build_services(settings, index=index)
    services.agent.warm_up()
    app = create_app(services)
    script, msg_id = _script(), 1
    modes = ("agent", "wechat-plain", "wechat-aes", "wecom")
    samples: dict[str, list[float]] = {mode: [] for mode in modes}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        # The modes take turns on each message, so the machine's load falls on all of them alike.
        for round_no in range(args.rounds):
            for n, conversation in enumerate(script):
                for text in conversation:
                    for mode in modes:
                        sender = f"{mode}-{round_no}-{n}"
                        msg_id += 1
                        if mode == "agent":  # on a thread, as the API runs it (the event loop stays free)
                            start = time.perf_counter()
                            await anyio.to_thread.run_sync(services.agent.reply, f"bench-{sender}", text)
                            samples[mode].append(time.perf_counter() - start)
                            continue
                        path, query, body = request(mode, sender, text, msg_id)
                        start = time.perf_counter()
                        response = await client.post(path, params=query, content=body.encode())
                        samples[mode].append(time.perf_counter() - start)
                        assert response.status_code == 200 and response.text.startswith("<xml>"), response.text
                        await services.channels.drain()  # the state write after the reply, outside the timing
    agent = samples["agent"]
    results: dict[str, dict[str, float]] = {}
    for mode, values in samples.items():
        extra = [v - a for v, a in zip(values, agent, strict=True)]
        results[mode] = {
            "n": len(values),
            "p50_ms": round(pct(values, 50) * 1000, 2),
            "p95_ms": round(pct(values, 95) * 1000, 2),
            "added_p50_ms": round(statistics.median(extra) * 1000, 2),
        }
    services.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--embedding", choices=("hashing", "local"), default="hashing")
    parser.add_argument("--database-url", help="e.g. a PostgreSQL schema (default: SQLite in a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="finassist-bench-channels-") as tmp:
        results = asyncio.run(run(args, Path(tmp)))
    for mode, row in results.items():
        added = f"  added to the agent turn (median of pairs) {row['added_p50_ms']:6.2f} ms" if mode != "agent" else ""
        print(f"{mode:13s} n={row['n']:4.0f}  p50 {row['p50_ms']:7.2f} ms  p95 {row['p95_ms']:7.2f} ms{added}")
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()

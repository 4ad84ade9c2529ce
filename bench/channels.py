"""Channel callback benchmark (run by hand): the time of one WeChat / WeCom callback, in process.

    uv run python bench/channels.py                  # hashing embedding, 3 rounds of bench/chat.py's script
    uv run python bench/channels.py --embedding local --rounds 2

Builds the sample corpus index in a temp dir (offline chat backend, SQLite store), then posts every message
of bench/chat.py's scripted conversations as the platform would (signed; encrypted with wechatpy's crypto in
the AES modes; one sender per conversation, a fresh MsgId per message) to `POST /channels/wechat` (plain and
AES) and `POST /channels/wecom` through httpx's ASGI transport, and prints p50/p95 per mode beside the bare
agent turn (`Agent.reply`) on the same messages: the difference is what the channel adds (signature, AES,
XML, dedupe claim and state writes, reply rendering).
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
        database_url=f"sqlite:///{root / 'bench.db'}",
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
    script, msg_id, results = _script(), 1, {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for mode in ("agent", "wechat-plain", "wechat-aes", "wecom"):
            samples: list[float] = []
            for round_no in range(args.rounds):
                for n, conversation in enumerate(script):
                    sender = f"{mode}-{round_no}-{n}"
                    for text in conversation:
                        msg_id += 1
                        if mode == "agent":
                            start = time.perf_counter()
                            services.agent.reply(f"bench-{sender}", text)
                            samples.append(time.perf_counter() - start)
                            continue
                        path, query, body = request(mode, sender, text, msg_id)
                        start = time.perf_counter()
                        response = await client.post(path, params=query, content=body.encode())
                        samples.append(time.perf_counter() - start)
                        assert response.status_code == 200 and response.text.startswith("<xml>"), response.text
            results[mode] = {
                "n": len(samples),
                "p50_ms": round(pct(samples, 50) * 1000, 2),
                "p95_ms": round(pct(samples, 95) * 1000, 2),
            }
    services.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--embedding", choices=("hashing", "local"), default="hashing")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="finassist-bench-channels-") as tmp:
        results = asyncio.run(run(args, Path(tmp)))
    for mode, row in results.items():
        print(f"{mode:13s} n={row['n']:4.0f}  p50 {row['p50_ms']:7.2f} ms  p95 {row['p95_ms']:7.2f} ms")
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()

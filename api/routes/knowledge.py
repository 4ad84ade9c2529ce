"""Knowledge (editor): search the index, upload a document into it, and the index's counts."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, UploadFile

from api.deps import EditorKey, RequestId, ServicesDep, audit
from api.errors import STAFF, ApiError, responses
from api.schemas import Text
from api.staff_schemas import IngestResult, KnowledgeStatus, SearchResults
from knowledge.ingest import ingest
from knowledge.loaders import supported
from knowledge.lock import WriterBusy

router = APIRouter(prefix="/v1/knowledge", tags=["knowledge"])
_NAME_RE = re.compile(r"^[\w\u4e00-\u9fff][\w\u4e00-\u9fff .()（）-]{0,119}$")
Filter = Annotated[Text | None, Query(max_length=64)]


@router.get("/search", response_model=SearchResults, summary="Hybrid search", responses=responses(*STAFF))
def search(
    services: ServicesDep,
    who: EditorKey,
    q: Annotated[Text, Query(min_length=1, max_length=500)],
    k: Annotated[int, Query(ge=1, le=50)] = 5,
    category: Filter = None,
    product: Filter = None,
    region: Filter = None,
) -> dict[str, Any]:
    filters = {name: value for name, value in (("category", category), ("product", product), ("region", region))}
    results = services.retriever.search(q, k=k, filters={n: v for n, v in filters.items() if v})
    keys = ("source", "title", "heading", "snippet", "score")
    return {"results": [{key: getattr(r, key) for key in keys} for r in results]}


@router.get("/status", response_model=KnowledgeStatus, summary="Files, chunks, vectors", responses=responses(*STAFF))
def status(services: ServicesDep, who: EditorKey) -> dict[str, Any]:
    return services.index.status()


def _upload_path(services: ServicesDep, filename: str | None) -> Path:
    name = Path(filename or "").name
    if not _NAME_RE.fullmatch(name):
        raise ApiError(422, "invalid_filename", "the file name must be 1-120 letters, digits, spaces, . ( ) - or _")
    if not supported(Path(name)):
        raise ApiError(
            422, "unsupported_file_type", f"files of type '{Path(name).suffix or '(none)'}' cannot be ingested"
        )
    return services.index.data_dir / "uploads" / name


@router.post(
    "/documents",
    response_model=IngestResult,
    summary="Upload a document (Markdown, text, HTML, DOCX, PDF) and ingest it; same name replaces it",
    responses=responses(*STAFF, 409),
)
def upload(
    file: UploadFile, request: Request, services: ServicesDep, who: EditorKey, request_id: RequestId
) -> dict[str, Any]:
    target = _upload_path(services, file.filename)
    lock: threading.Lock = request.app.state.ingest_lock
    if not lock.acquire(blocking=False):
        raise WriterBusy("another upload is being ingested; try again shortly")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.part")
        partial.write_bytes(file.file.read())
        partial.replace(target)
        settings = services.settings
        report = ingest(services.index, [target], chunk_size=settings.chunk_size, overlap=settings.chunk_overlap)
    finally:
        lock.release()
    audit(services.store, who, "knowledge.upload", target.name, request_id, {"chunks": report.chunks_written})
    return report.to_dict()

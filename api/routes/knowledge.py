"""Knowledge (editor): search the index, upload a document into it, and the index's counts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, UploadFile

from api.deps import EditorKey, RequestId, ServicesDep, audit
from api.errors import STAFF, ApiError, responses
from api.schemas import Text
from api.staff_schemas import KnowledgeStatus, SearchResults, UploadResult
from assistant.uploads import Upload, UploadRefused, accept_uploads

router = APIRouter(prefix="/v1/knowledge", tags=["knowledge"])
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


@router.post(
    "/documents",
    response_model=UploadResult,
    summary="Upload documents (Markdown, text, HTML, DOCX, PDF; several `file` parts at once) and ingest them; "
    "the same name replaces a document",
    description="Every file is checked (type, size, paragraphs or pages) and read before the index is locked; "
    "if any is refused the answer is 422 naming each refused file and its reason, and none is kept. 409 while "
    "another upload is being written.",
    responses=responses(*STAFF, 409),
)
def upload(
    file: list[UploadFile], request: Request, services: ServicesDep, who: EditorKey, request_id: RequestId
) -> dict[str, Any]:
    uploads = [Upload(part.filename or "", part.file.read()) for part in file]
    try:
        accepted = accept_uploads(services.index, uploads, services.settings, request.app.state.ingest_lock)
    except UploadRefused as refused:
        raise ApiError(422, refused.code, str(refused)) from None
    report = accepted.report
    for name, state in accepted.files:
        audit(services.store, who, "knowledge.upload", name, request_id, {"status": state})
    return {**report.to_dict(), "files": [{"name": name, "status": state} for name, state in accepted.files]}

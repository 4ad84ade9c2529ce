"""Prepare one file (load, chunk, tokenise) in a process of its own under a time budget, so a pathological
file costs at most that budget and never the caller's locks: the child is killed when the budget runs out.

Children come from multiprocessing's forkserver (a clean process started once, so nothing of the caller's
native threads is forked) and die with the caller (knowledge.lifelines).
"""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.connection import Connection

from knowledge.document_limits import DocumentLimits, DocumentRefused, check_text_length
from knowledge.lifelines import die_with_parent
from knowledge.loaders import LoadError, load_file
from knowledge.prepare import FailedFile, FileTask, PreparedFile, prepare_document
from knowledge.tokenize import configure_jieba, tokenize

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["knowledge.reader_warmup"])


def warm_up() -> None:
    """Load what every reader needs (run once in the forkserver)."""
    configure_jieba(None)
    tokenize("预热")


def _child(task: FileTask, embed_dim: int | None, limits: DocumentLimits, parent: int, out: Connection) -> None:
    die_with_parent(parent)
    result: PreparedFile | FailedFile
    try:
        document = load_file(task.path, task.root)
        check_text_length(document.text, limits)
        result = prepare_document(task, document, embed_dim)
    except LoadError as exc:
        result = FailedFile(exc.path, exc.reason)
    except DocumentRefused as refused:
        result = FailedFile(str(task.path), refused.reason)
    except Exception as exc:  # a parser bug must answer as a refused file, not kill the caller's request
        result = FailedFile(str(task.path), f"could not be read ({exc.__class__.__name__})")
    out.send(result)
    out.close()


def prepare_isolated(task: FileTask, limits: DocumentLimits, embed_dim: int | None = None) -> PreparedFile | FailedFile:
    """prepare_file(task) in a child process; a FailedFile when it takes longer than limits.parse_seconds,
    is over limits.max_chars, or the child dies."""
    receive, send = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(target=_child, args=(task, embed_dim, limits, os.getpid(), send), daemon=True)
    child.start()
    send.close()
    try:
        if receive.poll(limits.parse_seconds):
            return receive.recv()  # type: ignore[no-any-return]
        return FailedFile(
            str(task.path), f"took longer than {limits.parse_seconds:g} s to read; split it or simplify it"
        )
    except EOFError:
        return FailedFile(str(task.path), "the reader stopped while reading it (the file may be malformed)")
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join()

"""`finassist keys create|list|revoke`: staff API keys (stored hashed; the key is printed once)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.store import Store
from cli.output import emit

ROLES = ("staff", "editor", "admin")
ACTOR = "cli"  # the audit log's actor for changes made on the command line (whoever can run it owns the data)


def _store(settings: Settings) -> Store:
    from assistant.store import build_store

    return build_store(settings.resolved_database_url)


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    keys = sub.add_parser("keys", help="manage staff API keys")
    actions = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    p = actions.add_parser("create", parents=[common], help="create a key (printed once)")
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument("--name", required=True, help="who or what uses the key (shown in the audit log)")
    p.set_defaults(handler=run_create)
    p = actions.add_parser("list", parents=[common], help="list keys (never the keys themselves)")
    p.add_argument("--all", action="store_true", help="include revoked keys")
    p.set_defaults(handler=run_list)
    p = actions.add_parser("revoke", parents=[common], help="revoke a key by id")
    p.add_argument("key_id")
    p.set_defaults(handler=run_revoke)


def run_create(args: argparse.Namespace, settings: Settings) -> int:
    name = args.name.strip()
    if not name or len(name) > 128:
        raise ValueError("--name must be 1-128 characters")
    store = _store(settings)
    try:
        record, key = store.api_keys.create(name, args.role, actor=ACTOR)
    finally:
        store.close()
    text = f"{key}\n(role {record.role}, id {record.id}; store it now: it cannot be shown again)"
    emit({"key": key, "role": record.role, "id": record.id, "name": record.name}, args.json, text)
    return 0


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    store = _store(settings)
    try:
        records = store.api_keys.list(include_revoked=args.all)
    finally:
        store.close()
    rows = [
        {
            "id": r.id,
            "name": r.name,
            "role": r.role,
            "prefix": r.prefix,
            "created_at": r.created_at.isoformat(),
            "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None,
        }
        for r in records
    ]
    lines = [
        f"{r['id']}  fa_{r['prefix']}_…  {r['role']:<6}  {r['name']}" + ("  (revoked)" if r["revoked_at"] else "")
        for r in rows
    ]
    emit(rows, args.json, "\n".join(lines) or "no keys")
    return 0


def run_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.store import NotFoundError

    store = _store(settings)
    try:
        record = store.api_keys.revoke(args.key_id, actor=ACTOR)
    except NotFoundError as exc:
        raise ValueError(str(exc)) from None
    finally:
        store.close()
    emit(
        {"id": record.id, "revoked_at": record.revoked_at.isoformat() if record.revoked_at else None},
        args.json,
        f"revoked {record.id} ({record.name})",
    )
    return 0

"""`finassist ask`: one member message through the agent, printing the same reply object as POST /v1/chat."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cli.output import CliError, emit

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.service import ChatReply


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("ask", parents=[common], help="ask the member-service agent one message")
    p.add_argument("message", metavar="MESSAGE")
    p.add_argument(
        "--session",
        metavar="ID",
        help="continue this conversation: the session id a previous reply printed (a new one when omitted)",
    )
    p.set_defaults(handler=run_ask)


def _text(reply: ChatReply) -> str:
    lines = [reply.answer]
    if reply.citations:
        lines.append("")
        lines += [f"[{i}] {c.title}（{c.source}）" for i, c in enumerate(reply.citations, 1)]
    if reply.escalation:
        lines.append(f"\n转人工：{reply.escalation.type}（{reply.escalation.id}）")
    lines.append(f"\nsession: {reply.session_id}  intent: {reply.intent}")
    return "\n".join(lines)


def run_ask(args: argparse.Namespace, settings: Settings) -> int:
    message = args.message.strip()
    if not message:
        raise CliError("the message is empty")
    if len(message) > settings.max_message_chars:
        raise CliError(f"the message is longer than {settings.max_message_chars} characters")
    from assistant.service.sessions import SessionRefused
    from assistant.services import build_services  # heavy imports only when the command runs

    services = build_services(settings)
    try:
        reply = services.agent.reply(args.session, message, client="cli")
    except SessionRefused as exc:
        raise CliError(f"--session: {exc}") from None
    finally:
        services.close()
    emit(reply.to_dict(), args.json, _text(reply))
    return 0

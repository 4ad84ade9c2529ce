"""`finassist draft --type T --topic X`: write, check and store a draft (exit 1 when something blocks approval,
or when the knowledge base has nothing about the topic)."""

from __future__ import annotations

import argparse
import getpass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.drafting import DraftView
from cli.output import CliError, emit


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    # Types and channels are validated by Brief when the command runs, so `finassist --help` stays fast.
    types = "policy_explainer, product_intro, event_notice, faq_digest, case_story"
    p = sub.add_parser("draft", parents=[common], help="draft a post from the knowledge base (stored as version 1)")
    p.add_argument("--type", required=True, metavar="T", help=f"post type: {types}")
    p.add_argument("--topic", required=True, metavar="X", help="what the post is about: a product, policy or event")
    p.add_argument("--audience", help="who reads it, e.g. 科技型中小企业财务负责人")
    p.add_argument("--channel", help="wechat_article, group_message, moments, event_notice")
    p.add_argument("--tone", help="e.g. 专业、亲切")
    p.add_argument("--length", help="short, medium, long, or a character count")
    p.add_argument(
        "--format", choices=["markdown", "text"], help="print the export (Markdown or plain text) instead of the review"
    )
    p.set_defaults(handler=run_draft)


def _author() -> str:
    try:
        return f"cli:{getpass.getuser()}"[:128]
    except (KeyError, OSError):  # no user name in some containers
        return "cli"


def _review(view: DraftView) -> str:
    lines = [view.text, ""]
    lines += [f"[{c.n}] 《{c.title}》 {c.heading.split('>')[-1].strip()}（{c.source}）" for c in view.citations]
    supported = sum(c.supported for c in view.claims)
    lines.append(f"\n核对：{len(view.claims)} 处数字/条件，{supported} 处有引用支持")
    lines += [f"  ✗ {c.message}" for c in view.claims if not c.supported]
    for f in view.findings:
        lines.append(f"  {f['severity']} [{f['rule']}] 「{f['matched']}」 {f['message']}")
    verdict = "可以提交审核" if not view.blocking else f"{len(view.blocking)} 处问题需修改后才能审核通过"
    lines.append(f"\ndraft {view.id} v{view.version}（{view.status}）：{verdict}")
    return "\n".join(lines)


def run_draft(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.drafting import Brief

    brief = Brief(
        type=args.type,
        topic=args.topic,
        audience=args.audience,
        channel=args.channel,
        tone=args.tone,
        length=args.length,
    )
    try:
        brief = brief.normalised()
    except ValueError as error:
        raise CliError(str(error)) from None
    from assistant.drafting import NoSourcesError
    from assistant.services import build_services  # heavy imports only when the command runs

    services = build_services(settings)
    try:
        drafts = services.drafts
        view = drafts.create(brief, author=_author())
        exported = drafts.export(view.id, args.format) if args.format else None
    except NoSourcesError as error:  # a finding, not bad input: the knowledge base lacks the topic
        emit({"error": {"code": "no_sources", "message": str(error)}}, args.json, str(error))
        return 1
    finally:
        services.close()
    if exported is not None:
        emit({"id": view.id, "format": args.format, "text": exported}, args.json, exported.rstrip("\n"))
    else:
        emit(view.to_dict(), args.json, _review(view))
    return 1 if view.blocking else 0

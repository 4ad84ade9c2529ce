"""Member service over the WeChat Official Account and WeCom callbacks (see gateway.py)."""

from __future__ import annotations

from assistant.channels.gateway import ChannelGateway, NotConfigured, Reply, RunTurn
from assistant.channels.outbound import CustomerService
from assistant.channels.platforms import BadMessage, BadSignature, Platform, configured_platforms, secret
from assistant.config import Settings
from assistant.store import Store

__all__ = ["BadMessage", "BadSignature", "ChannelGateway", "NotConfigured", "Reply", "RunTurn", "build_gateway"]


def build_gateway(settings: Settings, store: Store) -> ChannelGateway:
    """The gateway for the platforms Settings configure (none: every callback answers 404)."""
    platforms: dict[str, Platform] = configured_platforms(settings)
    senders: dict[str, CustomerService] = {}
    app_secret, wecom_secret = secret(settings.wechat_app_secret), secret(settings.wecom_secret)
    timeout = settings.channel_api_timeout
    if "wechat" in platforms and settings.wechat_app_id and app_secret:
        senders["wechat"] = CustomerService.official_account(
            store, settings.wechat_app_id, app_secret, settings.wechat_api_base, timeout
        )
    if "wecom" in platforms and settings.wecom_corp_id and wecom_secret and settings.wecom_agent_id is not None:
        senders["wecom"] = CustomerService.wecom(
            store, settings.wecom_corp_id, wecom_secret, settings.wecom_agent_id, settings.wecom_api_base, timeout
        )
    shared = secret(settings.channel_id_secret)
    keys = {
        "wechat": (shared or secret(settings.wechat_token) or "").encode(),
        "wecom": (shared or secret(settings.wecom_token) or "").encode(),
    }
    return ChannelGateway(
        store, platforms, senders, keys, budget=settings.channel_reply_budget, max_chars=settings.max_message_chars
    )

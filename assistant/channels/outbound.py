"""Replies after the 5-second window, through the platforms' customer-service message APIs.

Official Account: `GET cgi-bin/token` then `POST cgi-bin/message/custom/send`; WeCom: `GET cgi-bin/gettoken`
then `POST cgi-bin/message/send` with the app's agentid. The access token is kept in the store with its
expiry (shared by every worker); when the platform calls it invalid or expired (40001, 40014, 42001) it is
dropped, fetched again and the send retried once.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from assistant.store import Store

log = logging.getLogger(__name__)
TOKEN_ERRORS = {40001, 40014, 42001}


class PlatformError(Exception):
    def __init__(self, errcode: int | None, message: str) -> None:
        super().__init__(f"{message} (errcode {errcode})")
        self.errcode = errcode


class TokenExpired(PlatformError):
    pass


def _json(response: httpx.Response) -> dict[str, Any]:
    if response.status_code >= 500:
        raise httpx.HTTPStatusError("platform unavailable", request=response.request, response=response)
    try:
        data = response.json()
    except ValueError as exc:
        raise PlatformError(None, f"not JSON: HTTP {response.status_code}") from exc
    code = int(data.get("errcode") or 0)
    if code in TOKEN_ERRORS:
        raise TokenExpired(code, str(data.get("errmsg", "")))
    if code != 0 or response.status_code >= 400:
        raise PlatformError(code, str(data.get("errmsg", f"HTTP {response.status_code}")))
    return dict(data)


class CustomerService:
    """Sends a text to one member of one platform (OA openid or WeCom userid)."""

    def __init__(
        self,
        store: Store,
        *,
        name: str,
        base_url: str,
        token_path: str,
        token_params: dict[str, str],
        send_path: str,
        extra: dict[str, Any],
        timeout: float = 10.0,
    ) -> None:
        self.store = store
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.token_path = token_path
        self.token_params = token_params
        self.send_path = send_path
        self.extra = extra
        self.timeout = timeout

    @classmethod
    def official_account(cls, store: Store, app_id: str, secret: str, base_url: str, timeout: float) -> CustomerService:
        params = {"grant_type": "client_credential", "appid": app_id, "secret": secret}
        return cls(
            store,
            name=f"wechat:{app_id}",
            base_url=base_url,
            token_path="/cgi-bin/token",
            token_params=params,
            send_path="/cgi-bin/message/custom/send",
            extra={},
            timeout=timeout,
        )

    @classmethod
    def wecom(
        cls, store: Store, corp_id: str, secret: str, agent_id: int, base_url: str, timeout: float
    ) -> CustomerService:
        return cls(
            store,
            name=f"wecom:{corp_id}:{agent_id}",
            base_url=base_url,
            token_path="/cgi-bin/gettoken",
            token_params={"corpid": corp_id, "corpsecret": secret},
            send_path="/cgi-bin/message/send",
            extra={"agentid": agent_id},
            timeout=timeout,
        )

    def _token(self, client: httpx.Client) -> str:
        cached = self.store.channel_tokens.get(self.name)
        if cached:
            return cached
        data = _json(client.get(self.base_url + self.token_path, params=self.token_params))
        token = str(data["access_token"])
        self.store.channel_tokens.put(self.name, token, int(data.get("expires_in", 7200)))
        log.info("fetched a %s access token", self.name.split(":")[0])
        return token

    @retry(
        retry=retry_if_exception_type((httpx.TransportError, httpx.HTTPStatusError)),
        stop=stop_after_attempt(3),
        wait=wait_exponential(multiplier=0.5, max=4),
        reraise=True,
    )
    def send_text(self, user: str, text: str) -> None:
        """Deliver `text`; network failures are retried with backoff, an expired token is refreshed once."""
        body = {"touser": user, "msgtype": "text", "text": {"content": text}, **self.extra}
        with httpx.Client(timeout=self.timeout) as client:
            for attempt in range(2):
                token = self._token(client)
                try:
                    url = self.base_url + self.send_path
                    _json(client.post(url, params={"access_token": token}, json=body))
                    return
                except TokenExpired:
                    self.store.channel_tokens.drop(self.name, token)
                    if attempt:
                        raise

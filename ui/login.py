"""The editors' login page (our own, in Chinese whatever the browser's language) and the logout route.

``add_login_routes(app, auth, path)`` adds ``GET|POST <path>/login`` and ``GET <path>/logout`` to the FastAPI
app before Gradio is mounted at ``path`` (so they take precedence over Gradio's own login routes). The session
lives in an HttpOnly cookie scoped to ``path``; its value is a token bound to the key's id.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ui import render
from ui.auth import ApiKeys, EditorAuth
from ui.gate import EditorGate

COOKIE = "finassist-ui-session"
TITLE = "融资社区助手 · 编辑工作台"
HINT = "请输入编辑或管理员的 API 密钥（由管理员用 <code>finassist keys create --role editor --name 名称</code> 创建）。"
MAX_KEY_CHARS = 200
PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>登录 · {title}</title>
<style>
body {{ margin: 0; min-height: 100vh; display: flex; align-items: center; justify-content: center;
  background: #f1f5f9; color: #0f172a;
  font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "Source Han Sans SC", sans-serif; }}
main {{ background: #fff; border-radius: 12px; box-shadow: 0 4px 24px rgba(15, 23, 42, .08); padding: 28px 32px;
  width: min(420px, 92vw); }}
h1 {{ font-size: 1.25rem; margin: 0 0 8px; }}
p.hint {{ font-size: .88rem; color: #475569; line-height: 1.6; margin: 0 0 16px; }}
code {{ background: #f1f5f9; border-radius: 4px; padding: 0 4px; font-size: .85em; }}
label {{ display: block; font-size: .9rem; margin-bottom: 6px; font-weight: 600; }}
input {{ width: 100%; box-sizing: border-box; padding: 10px 12px; font-size: 1rem; border: 1px solid #cbd5e1;
  border-radius: 8px; }}
button {{ margin-top: 16px; width: 100%; padding: 10px; font-size: 1rem; border: 0; border-radius: 8px;
  background: #2563eb; color: #fff; cursor: pointer; }}
button:hover {{ background: #1d4ed8; }}
.error {{ margin: 0 0 14px; padding: 10px 12px; border-radius: 8px; background: #fef2f2; color: #991b1b;
  border-left: 4px solid #dc2626; font-size: .9rem; line-height: 1.5; }}
.notice {{ margin: 0 0 14px; padding: 10px 12px; border-radius: 8px; background: #f0fdf4; color: #166534;
  border-left: 4px solid #16a34a; font-size: .9rem; }}
</style></head>
<body><main>
<h1>{title}</h1>
<p class="hint">{hint}</p>
{message}
<form method="post" action="{action}" autocomplete="off">
<label for="key">API 密钥</label>
<input id="key" name="key" type="password" required autofocus placeholder="fa_…" maxlength="{max_key}">
<button type="submit" id="login">登录</button>
</form>
</main></body></html>
"""


def login_page(message: str = "", *, kind: str = "error", action: str = "login", status_code: int = 200) -> Response:
    box = f'<div class="{"notice" if kind == "notice" else "error"}" role="alert">{render.esc(message)}</div>'
    body = PAGE.format(
        title=TITLE, hint=HINT, message=box if message else "", action=render.esc(action), max_key=MAX_KEY_CHARS
    )
    headers = {"Cache-Control": "no-store"}
    return HTMLResponse(body, status_code=status_code, headers=headers)


def add_login_routes(app: FastAPI, auth: EditorAuth, path: str = "/ui") -> None:
    """Our login and logout routes under ``path`` (call before mounting Gradio there)."""
    home = f"{path}/"

    async def show(request: Request) -> Response:
        if await run_in_threadpool(auth.user, request.cookies.get(COOKIE)):
            return RedirectResponse(home, status_code=303)
        message = "已退出登录。" if request.query_params.get("left") else ""
        return login_page(message, kind="notice")

    async def submit(request: Request) -> Response:
        form = await request.form()
        key = str(form.get("key") or "")[:MAX_KEY_CHARS]
        outcome = await run_in_threadpool(auth.login, key)
        if outcome.token is None:
            return login_page(outcome.message, status_code=outcome.status)
        response = RedirectResponse(home, status_code=303)
        response.set_cookie(
            COOKIE,
            outcome.token,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path=path,
        )
        return response

    async def logout(request: Request) -> Response:
        response = RedirectResponse(f"{path}/login?left=1", status_code=303)
        response.delete_cookie(COOKIE, path=path)
        return response

    app.add_api_route(f"{path}/login", show, methods=["GET"], include_in_schema=False)
    app.add_api_route(f"{path}/login", submit, methods=["POST"], include_in_schema=False)
    app.add_api_route(f"{path}/logout", logout, methods=["GET"], include_in_schema=False)


def guard_ui(app: FastAPI, api_keys: ApiKeys, path: str = "/ui") -> EditorAuth:
    """Our login page and its gate in front of ``path``: what must be on the app before it starts (middleware
    cannot be added later), without Gradio."""
    auth = EditorAuth(api_keys)
    add_login_routes(app, auth, path)
    app.add_middleware(EditorGate, path=path, user=auth.user, cookie=COOKIE)
    return auth

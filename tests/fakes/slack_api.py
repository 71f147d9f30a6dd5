"""A fake Slack: the Web API (the methods CodeDesk calls), response_url endpoints and a Socket Mode
websocket, on 127.0.0.1. It records every call, and can answer 429 or an API error on demand.

Point the real WebClient at `fake.api_url` (SLACK_API_URL). It runs aiohttp on its own thread, so
tests and the benchmark use it from ordinary synchronous code.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

DEFAULT_TEAM = "T0CODEDESK"
BOT_USER = "UCODEDESK"
BOT_ID = "BCODEDESK"


@dataclass(frozen=True)
class Call:
    method: str  # "chat.postMessage", or "response_url" for a post to a response URL
    params: dict[str, Any]
    token: str = ""
    path: str = ""

    @property
    def blocks(self) -> list[dict[str, Any]]:
        blocks = self.params.get("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else list(blocks)


@dataclass
class _Scripted:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.channel_errors: dict[str, str] = {}  # channel id -> the error chat.postMessage answers
        self.oauth_team = ("T0INSTALL", "Installed Team")
        self._scripted: dict[str, list[_Scripted]] = {}
        self._held: dict[str, threading.Event] = {}  # method -> released when set
        self._changed = threading.Condition()
        self._ts = itertools.count(1)
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._sockets: list[web.WebSocketResponse] = []
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.port = 0
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-slack", daemon=True)

    # --- life cycle ----------------------------------------------------------------------------
    def start(self) -> FakeSlack:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(10)
        return self

    def stop(self) -> None:
        for method in list(self._held):
            self.release(method)
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, name: str) -> str:
        return f"{self.base_url}/response/{name}"

    # --- scripting -----------------------------------------------------------------------------
    def set_user(self, user_id: str, *, is_admin: bool = False, is_owner: bool = False,
                 name: str = "", tz: str = "") -> None:
        self.users[user_id] = {"id": user_id, "name": name or user_id.lower(), "real_name": name or user_id,
                               "is_admin": is_admin, "is_owner": is_owner,
                               "profile": {"display_name": name or user_id.lower()}}
        if tz:
            self.users[user_id]["tz"] = tz  # Slack's profile zone, an IANA name

    def hold(self, method: str) -> None:
        """Calls to `method` get no answer until `release(method)`: a Slack that is slow to reply."""
        self._held[method] = threading.Event()

    def release(self, method: str) -> None:
        gate = self._held.pop(method, None)
        if gate is not None:
            gate.set()

    def rate_limit(self, method: str, times: int = 1, retry_after: int = 2) -> None:
        """The next `times` calls to `method` answer 429 with Retry-After."""
        self._scripted.setdefault(method, []).extend(
            _Scripted(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})
            for _ in range(times))

    def fail(self, method: str, error: str, times: int = 1) -> None:
        self._scripted.setdefault(method, []).extend(
            _Scripted(200, {"ok": False, "error": error}) for _ in range(times))

    # --- reading what happened -----------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        with self._changed:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Block until `count` calls to `method` arrived (answers sent from worker threads)."""
        with self._changed:
            self._changed.wait_for(lambda: len([c for c in self.calls if c.method == method]) >= count,
                                   timeout)
            found = [c for c in self.calls if c.method == method]
        if len(found) < count:
            raise AssertionError(f"expected {count} call(s) to {method}, got {len(found)}: "
                                 f"{[c.method for c in self.calls]}")
        return found

    def clear(self) -> None:
        with self._changed:
            self.calls.clear()

    # --- socket mode ---------------------------------------------------------------------------
    def wait_socket(self, timeout: float = 10.0) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: bool(self._sockets), timeout):
                raise AssertionError("no Socket Mode client connected")

    def socket_send(self, envelope: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
        """Send one envelope to the connected Socket Mode client and return its acknowledgement."""
        return asyncio.run_coroutine_threadsafe(self._send_envelope(envelope), self._loop).result(timeout)

    async def _send_envelope(self, envelope: dict[str, Any]) -> dict[str, Any]:
        waiter: asyncio.Future[dict[str, Any]] = self._loop.create_future()
        self._acks[envelope["envelope_id"]] = waiter
        await self._sockets[-1].send_str(json.dumps(envelope))
        return await waiter

    # --- the server ----------------------------------------------------------------------------
    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{name}", self._response_url)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def _record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        raw = await request.read()
        if raw:
            if request.content_type == "application/json":
                params.update(json.loads(raw))
            else:
                params.update(parse_qsl(raw.decode()))
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip() or \
            str(params.get("token", ""))
        self._record(Call(method, params, token, request.path))
        gate = self._held.get(method)
        if gate is not None:
            await asyncio.to_thread(gate.wait, 30)
        queue = self._scripted.get(method)
        if queue:
            scripted = queue.pop(0)
            return web.json_response(scripted.body, status=scripted.status, headers=scripted.headers)
        handler: Callable[[dict[str, Any], str], dict[str, Any]] = getattr(
            self, "_m_" + method.replace(".", "_"), lambda p, t: {"ok": True})
        return web.json_response(handler(params, token))

    async def _response_url(self, request: web.Request) -> web.Response:
        params = json.loads(await request.read() or b"{}")
        self._record(Call("response_url", params, "", request.path))
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        with self._changed:
            self._sockets.append(ws)
            self._changed.notify_all()
        async for message in ws:
            if message.type is not WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            waiter = self._acks.pop(str(data.get("envelope_id", "")), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(data)
        with self._changed:
            self._sockets.remove(ws)
        return ws

    # --- Web API methods -----------------------------------------------------------------------
    def _team_of(self, token: str) -> str:
        parts = token.split("-")  # test tokens look like xoxb-<TEAM>-<anything>
        return parts[1] if len(parts) >= 3 and parts[1].startswith("T") else DEFAULT_TEAM

    def _m_auth_test(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        if not token:
            return {"ok": False, "error": "not_authed"}
        team = self._team_of(token)
        return {"ok": True, "url": "https://example.slack.com/", "team": "Example", "user": "codedesk",
                "team_id": team, "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": False}

    def _m_users_info(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        user_id = str(params.get("user", ""))
        user = self.users.get(user_id) or {"id": user_id, "name": user_id.lower(), "real_name": user_id,
                                            "is_admin": False, "is_owner": False, "profile": {}}
        return {"ok": True, "user": user}

    def _m_chat_postMessage(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        error = self.channel_errors.get(str(params.get("channel", "")))
        if error:
            return {"ok": False, "error": error}
        return {"ok": True, "channel": params.get("channel"), "ts": f"1700000000.{next(self._ts):06d}"}

    def _m_chat_postEphemeral(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        error = self.channel_errors.get(str(params.get("channel", "")))
        if error:
            return {"ok": False, "error": error}
        return {"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"}

    def _m_views_open(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        if not params.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        return {"ok": True, "view": {"id": "V0FAKE"}}

    def _m_apps_connections_open(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}

    def _m_oauth_v2_access(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        if params.get("code") != "good-code":
            return {"ok": False, "error": "invalid_code"}
        team_id, team_name = self.oauth_team
        return {"ok": True, "app_id": "A0CODEDESK", "authed_user": {"id": "U0INSTALLER"},
                "scope": "commands,chat:write", "token_type": "bot", "access_token": f"xoxb-{team_id}-bot",
                "bot_user_id": BOT_USER, "team": {"id": team_id, "name": team_name}, "enterprise": None,
                "is_enterprise_install": False}

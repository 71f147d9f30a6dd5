"""A fake Discord for tests: the REST endpoints CodeDesk's bot uses and a gateway websocket that
speaks the real protocol (HELLO, IDENTIFY, READY, heartbeat/ACK, dispatches, zlib-stream frames).

The real discord.py client connects to it through DISCORD_API_BASE / DISCORD_GATEWAY_URL. Every REST
call is recorded; tests push gateway events with `dispatch` and wait for the calls the bot makes.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

API_PREFIX = "/api/v10"
TOKEN = "fake-discord-bot-token"
APPLICATION_ID = "1300000000000000001"
BOT_USER_ID = "1300000000000000002"
OWNER_ID = "1300000000000000003"
TIMESTAMP = "2026-11-28T12:00:00.000000+00:00"
EPHEMERAL = 64

OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_RESUME = 0, 1, 2, 6
OP_HELLO, OP_HEARTBEAT_ACK = 10, 11


@dataclass(frozen=True)
class Call:
    """One REST request the bot made."""

    method: str
    path: str  # without the /api/v10 prefix
    body: Any
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class GatewaySession:
    ws: web.WebSocketResponse
    compressor: Any  # a zlib compress object when the client asked for zlib-stream, else None
    shard: tuple[int, int] = (0, 1)
    identify: dict[str, Any] = field(default_factory=dict)
    sequence: int = 0

    async def send(self, payload: dict[str, Any]) -> None:
        raw = json.dumps(payload).encode()
        if self.compressor is not None:
            await self.ws.send_bytes(self.compressor.compress(raw) + self.compressor.flush(zlib.Z_SYNC_FLUSH))
        else:
            await self.ws.send_str(raw.decode())

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        self.sequence += 1
        await self.send({"op": OP_DISPATCH, "t": event, "s": self.sequence, "d": data})


def user_object(user_id: str, username: str, *, bot: bool = False,
                global_name: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"id": user_id, "username": username, "global_name": global_name,
                            "discriminator": "0", "avatar": None, "public_flags": 0, "flags": 0}
    if bot:
        data["bot"] = True
    return data


class FakeDiscord:
    """REST under http://127.0.0.1:PORT/api/v10, the gateway at ws://127.0.0.1:PORT/gateway."""

    def __init__(self, guilds: list[dict[str, Any]] | None = None) -> None:
        self.guilds = guilds or []
        self.calls: list[Call] = []
        self.sessions: list[GatewaySession] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}  # "global" or a guild id -> commands
        self.channel_errors: dict[str, tuple[int, int, str]] = {}  # channel id -> (status, code, message)
        self.bot_user = user_object(BOT_USER_ID, "CodeDesk", bot=True)
        self._ids = itertools.count(1_310_000_000_000_000_000)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle ---------------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets
        self.port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        for session in self.sessions:
            await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def new_id(self) -> str:
        return str(next(self._ids))

    # --- what tests use ----------------------------------------------------------------------------
    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway event to the shard that owns its guild (or to every shard for DMs)."""
        guild_id = data.get("guild_id")
        for session in list(self.sessions):
            if guild_id is None or shard_of(int(guild_id), session.shard[1]) == session.shard[0]:
                await session.dispatch(event, data)

    async def wait_for(self, predicate: Callable[[Call], bool], timeout: float = 10.0) -> Call:
        """The first recorded call matching `predicate`, waiting for it to arrive."""
        async def first() -> Call:
            async with self._changed:
                while True:
                    for call in self.calls:
                        if predicate(call):
                            return call
                    await self._changed.wait()
        return await asyncio.wait_for(first(), timeout)

    async def wait_for_sessions(self, count: int = 1, timeout: float = 10.0) -> None:
        """Until exactly `count` gateway sessions are identified (0: every client has gone)."""
        async def enough() -> None:
            async with self._changed:
                while len(self.sessions) != count:
                    await self._changed.wait()
        await asyncio.wait_for(enough(), timeout)

    def calls_to(self, method: str, pattern: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and re.fullmatch(pattern, c.path)]

    # --- gateway -----------------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        compressed = request.query.get("compress") == "zlib-stream"
        session = GatewaySession(ws, zlib.compressobj() if compressed else None)
        await session.send({"op": OP_HELLO, "d": {"heartbeat_interval": 41250, "_trace": ["fake-gateway"]},
                            "s": None, "t": None})
        async for message in ws:
            if message.type is not WSMsgType.TEXT:
                continue
            payload = json.loads(message.data)
            op = payload.get("op")
            if op == OP_HEARTBEAT:
                await session.send({"op": OP_HEARTBEAT_ACK, "d": None, "s": None, "t": None})
            elif op == OP_IDENTIFY:
                await self._identify(session, payload["d"])
            elif op == OP_RESUME:
                await session.dispatch("RESUMED", {"_trace": ["fake-gateway"]})
        async with self._changed:
            if session in self.sessions:
                self.sessions.remove(session)
            self._changed.notify_all()
        return ws

    async def _identify(self, session: GatewaySession, data: dict[str, Any]) -> None:
        if data.get("token") not in (TOKEN, f"Bot {TOKEN}"):
            await session.ws.close(code=4004, message=b"Authentication failed.")
            return
        session.identify = data
        shard = data.get("shard") or [0, 1]
        session.shard = (int(shard[0]), int(shard[1]))
        mine = [g for g in self.guilds if shard_of(int(g["id"]), session.shard[1]) == session.shard[0]]
        await session.dispatch("READY", {
            "v": 10, "user": self.bot_user, "guilds": [{"id": g["id"], "unavailable": True} for g in mine],
            "session_id": f"session-{self.new_id()}", "resume_gateway_url": self.gateway_url,
            "shard": list(session.shard), "application": {"id": APPLICATION_ID, "flags": 0},
            "private_channels": [], "presences": [], "relationships": [], "guild_join_requests": [],
            "user_settings": {}, "geo_ordered_rtc_regions": [], "auth": {}, "_trace": ["fake-gateway"],
        })
        for guild in mine:
            await session.dispatch("GUILD_CREATE", guild)
        async with self._changed:
            self.sessions.append(session)
            self._changed.notify_all()

    # --- REST --------------------------------------------------------------------------------------
    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body: Any = None
        if request.can_read_body:
            text = await request.text()
            if request.content_type == "multipart/form-data":
                body = {"multipart": True}
            else:
                body = json.loads(text) if text else None
        call = Call(request.method, path, body, dict(request.query), dict(request.headers))
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        return self._answer(call)

    def _answer(self, call: Call) -> web.StreamResponse:
        bot_route = not path_is_webhook(call.path)
        if bot_route and call.headers.get("Authorization") != f"Bot {TOKEN}":
            return _error(401, 0, "401: Unauthorized")
        method, path = call.method, call.path
        if method == "GET" and path == "/gateway/bot":
            return _json({"url": self.gateway_url, "shards": 1, "session_start_limit": {
                "total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1}})
        if method == "GET" and path == "/gateway":
            return _json({"url": self.gateway_url})
        if method == "GET" and path == "/users/@me":
            return _json(self.bot_user)
        if method == "GET" and path == "/oauth2/applications/@me":
            return _json(self.application())
        if match := re.fullmatch(rf"/applications/{APPLICATION_ID}(?:/guilds/(\d+))?/commands", path):
            scope = match[1] or "global"
            if method == "PUT":
                self.commands[scope] = [self._registered(c, match[1]) for c in call.body]
            return _json(self.commands.get(scope, []))
        if match := re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", path):
            return _json(self._callback(match[1], call.body))
        if match := re.fullmatch(rf"/webhooks/{APPLICATION_ID}/([^/]+)", path):
            data = call.body or {}
            return _json(self.message(
                "0", content=data.get("content") or "", embeds=data.get("embeds", []),
                components=data.get("components", []), flags=data.get("flags", 0), webhook=True))
        if match := re.fullmatch(rf"/webhooks/{APPLICATION_ID}/([^/]+)/messages/(@original|\d+)", path):
            if method == "DELETE":
                return web.Response(status=204)
            data = call.body or {}
            return _json(self.message("0", content=data.get("content") or "",
                                                  embeds=data.get("embeds", []),
                                                  components=data.get("components", []), webhook=True))
        if match := re.fullmatch(r"/channels/(\d+)/typing", path):
            return web.Response(status=204)
        if match := re.fullmatch(r"/channels/(\d+)/messages", path):
            if match[1] in self.channel_errors:
                status, code, text = self.channel_errors[match[1]]
                return _error(status, code, text)
            data = call.body or {}
            return _json(self.message(match[1], content=data.get("content") or "",
                                                  embeds=data.get("embeds", []),
                                                  components=data.get("components", []),
                                                  reference=data.get("message_reference")))
        if method == "POST" and path == "/users/@me/channels":
            recipient = str((call.body or {}).get("recipient_id", ""))
            return _json({"id": f"9{recipient[1:]}", "type": 1, "last_message_id": None,
                                      "flags": 0, "recipients": [user_object(recipient, "someone")]})
        return _error(404, 0, "404: Not Found")

    def _registered(self, command: dict[str, Any], guild_id: str | None) -> dict[str, Any]:
        out = dict(command, id=self.new_id(), application_id=APPLICATION_ID, version=self.new_id(),
                   default_member_permissions=command.get("default_member_permissions"))
        if guild_id:
            out["guild_id"] = guild_id
        return out

    def _callback(self, interaction_id: str, body: dict[str, Any]) -> dict[str, Any]:
        kind = int(body["type"])
        data = body.get("data") or {}
        flags = int(data.get("flags", 0) or 0)
        answer: dict[str, Any] = {"interaction": {
            "id": interaction_id, "type": 2, "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(flags & EPHEMERAL)}}
        if kind in (4, 5):
            message = self.message("0", content=data.get("content") or "", embeds=data.get("embeds", []),
                                   components=data.get("components", []), flags=flags, webhook=True)
            answer["interaction"]["response_message_id"] = message["id"]
            answer["resource"] = {"type": kind, "message": message}
        return answer

    def application(self) -> dict[str, Any]:
        return {"id": APPLICATION_ID, "name": "CodeDesk", "icon": None, "description": "Medical coding desk",
                "summary": "", "type": None, "bot_public": True, "bot_require_code_grant": False,
                "verify_key": "0" * 64, "flags": 0, "owner": user_object(OWNER_ID, "owner"),
                "bot": self.bot_user, "team": None, "redirect_uris": [], "interactions_endpoint_url": None,
                "tags": [], "approximate_guild_count": len(self.guilds)}

    def message(self, channel_id: str, *, content: str = "", embeds: list[Any] | None = None,
                components: list[Any] | None = None, flags: int = 0, webhook: bool = False,
                reference: dict[str, Any] | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.new_id(), "type": 19 if reference else 0, "channel_id": channel_id or "1",
            "author": self.bot_user, "content": content, "timestamp": TIMESTAMP, "edited_timestamp": None,
            "tts": False, "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [],
            "embeds": embeds or [], "pinned": False, "flags": flags, "components": components or []}
        if webhook:
            out["webhook_id"] = APPLICATION_ID
            out["application_id"] = APPLICATION_ID
        if reference:
            out["message_reference"] = reference
        return out


def shard_of(guild_id: int, shard_count: int) -> int:
    """Discord's rule for which shard receives a guild's events."""
    return (guild_id >> 22) % shard_count


def path_is_webhook(path: str) -> bool:
    """Interaction callbacks and webhook followups are authorised by their token, not the bot's."""
    return path.startswith("/interactions/") or path.startswith("/webhooks/")


def _json(data: Any, status: int = 200) -> web.Response:
    """JSON with Discord's exact content type (discord.py compares it literally)."""
    return web.Response(body=json.dumps(data).encode(), status=status, content_type="application/json")


def _error(status: int, code: int, message: str) -> web.Response:
    return _json({"message": message, "code": code}, status=status)

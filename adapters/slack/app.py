"""The Bolt app: every Slack command, mention, direct message, button and modal goes to the Desk,
and every Reply comes back as Block Kit.

Fast answers go inside the 3-second acknowledgement; an answer still working after
`inline_budget_seconds` is acknowledged with a short note and followed up through `response_url`.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltResponse, Respond
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

from adapters.slack import mapping
from adapters.slack.config import BOT_SCOPES, SlackConfig
from adapters.slack.people import People
from adapters.slack.render import (
    FORM_CALLBACK,
    SlackMessage,
    form_view,
    render,
    result_view,
)
from adapters.slack.retry import retry_handlers
from adapters.slack.seen import FirstSight, SeenKeys, signature_memory
from core import logsafe
from core.desk import Desk
from core.replies import Reply
from core.requests import Actor, Request

log = logging.getLogger(__name__)

APOLOGY = "Sorry, Slack did not accept CodeDesk's answer just now (ref {ref}). Please try again in a moment."
WORKING = "Working on it… the answer will appear here shortly."
OAUTH_STATE_SECONDS = 600


@dataclass
class SlackParts:
    """What the HTTP server and the tests need besides the Bolt app itself."""

    app: App
    client: WebClient
    seen: SeenKeys  # event ids, in the database
    signatures: FirstSight  # request signatures already used (replays)
    config: SlackConfig


def web_client(config: SlackConfig, token: str | None = None,
               sleep: Callable[[float], None] = time.sleep) -> WebClient:
    return WebClient(token=token or None, base_url=config.api_url, retry_handlers=retry_handlers(sleep))


def build_app(desk: Desk, config: SlackConfig, engine: Engine, *, people: People | None = None,
              clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep,
              workers: int = 16) -> SlackParts:
    client = web_client(config, config.bot_token, sleep)
    oauth_settings = None
    if config.multi_workspace:
        oauth_settings = OAuthSettings(
            client_id=config.client_id, client_secret=config.client_secret, scopes=list(BOT_SCOPES),
            installation_store=SQLAlchemyInstallationStore(client_id=config.client_id, engine=engine),
            state_store=SQLAlchemyOAuthStateStore(expiration_seconds=OAUTH_STATE_SECONDS, engine=engine),
            install_path="/slack/install", redirect_uri_path="/slack/oauth_redirect")
        if isinstance(oauth_settings.authorize, InstallationStoreAuthorize):
            # Remember auth.test per bot token: otherwise every command waits on a Slack round trip.
            oauth_settings.authorize.cache_enabled = True
    token = None if config.multi_workspace else config.bot_token
    app = App(signing_secret=config.signing_secret, token=token,
              client=client, oauth_settings=oauth_settings, process_before_response=True,
              raise_error_for_unhandled_request=False, logger=logging.getLogger("slack_bolt"))
    seen = SeenKeys(engine, clock)
    listeners = Listeners(desk, config, people or People(), seen,
                          ThreadPoolExecutor(workers, thread_name_prefix="desk"))
    listeners.attach(app)
    return SlackParts(app=app, client=client, seen=seen, signatures=signature_memory(engine, clock),
                      config=config)


class Listeners:
    """The Bolt listeners. Each maps a payload to a Request, asks the Desk, and delivers the Reply."""

    def __init__(self, desk: Desk, config: SlackConfig, people: People, seen: SeenKeys,
                 executor: ThreadPoolExecutor) -> None:
        self.desk = desk
        self.config = config
        self.people = people
        self.seen = seen
        self.executor = executor
        self.slash_names = config.slash_to_command(c.name for c in desk.registry.commands)

    def attach(self, app: App) -> None:
        app.use(self.drop_retried_events)
        app.command(re.compile(r"^/"))(self.on_command)
        app.event("app_mention")(ack=_ack, lazy=[self.on_mention])
        app.event("message")(ack=_ack, lazy=[self.on_direct_message])
        app.action(re.compile(r".*"))(ack=_ack, lazy=[self.on_action])
        app.view_submission(FORM_CALLBACK)(self.on_form_submit)
        app.view_closed(FORM_CALLBACK)(_ack)
        app.error(self.on_error)

    # --- middleware ----------------------------------------------------------------------------
    def drop_retried_events(self, body: dict[str, Any],
                            next: Callable[[], BoltResponse]) -> BoltResponse | None:
        """Slack re-sends an event it thinks we missed; the first delivery anywhere wins."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not self.seen.first_time(f"event:{event_id}"):
            return BoltResponse(status=200, body="")
        return next()

    # --- who -----------------------------------------------------------------------------------
    def actor(self, client: WebClient, who: mapping.Who) -> Actor:
        person = self.people.lookup(client, who.team_id, who.user_id, who.name)
        return who.actor(person.display_name, person.is_admin)

    # --- slash commands ------------------------------------------------------------------------
    def on_command(self, ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        who = mapping.who_of_command(body)
        request = mapping.command_request(self.actor(client, who), body, self.slash_names)
        trigger_id = str(body.get("trigger_id", ""))
        budget = self.config.inline_budget_seconds
        declared = self.desk.registry.get(request.command)
        slow_maybe = budget and not (declared is None or declared.fast)
        future = self.executor.submit(self.desk.handle, request) if slow_maybe else None
        try:
            reply = future.result(timeout=budget) if future else self.desk.handle(request)
        except FutureTimeout:
            assert future is not None
            ack(text=WORKING, response_type="ephemeral")
            future.add_done_callback(lambda done: self._follow_up(done, respond, client, request))
            return
        if reply.form is not None:
            ack()
            self._open_form(client, trigger_id, reply, request, respond)
            return
        messages = render(reply)
        first = messages[0]
        ack(text=first.text, blocks=first.blocks, response_type=_response_type(first))
        if len(messages) > 1:
            self.executor.submit(self._respond_all, respond, messages[1:])

    def _follow_up(self, done: Future[Reply], respond: Respond, client: WebClient, request: Request) -> None:
        reply = done.result()  # Desk.handle never raises: failures come back as an error Reply
        if reply.form is not None:
            reply = Reply(title="Run the command again to open the form",
                          subtitle="Slack only lets a form open within three seconds of the command.")
        self._respond_all(respond, render(reply))

    def _respond_all(self, respond: Respond, messages: list[SlackMessage]) -> None:
        for message in messages:
            try:
                respond(text=message.text, blocks=message.blocks, response_type=_response_type(message),
                        replace_original=False)
            except Exception as err:  # a response_url post failing must not take the worker down
                log.warning("response_url post failed: %s", type(err).__name__)

    def _open_form(self, client: WebClient, trigger_id: str, reply: Reply, request: Request,
                   respond: Respond | None) -> None:
        assert reply.form is not None
        try:
            client.views_open(trigger_id=trigger_id, view=form_view(reply.form, request.channel_id))
        except SlackApiError as err:
            ref = uuid.uuid4().hex[:8]
            log.warning("views.open failed ref=%s team=%s error=%s", ref, request.actor.workspace_id,
                        err.response.get("error"))
            if respond is not None:
                respond(text=APOLOGY.format(ref=ref), response_type="ephemeral", replace_original=False)

    # --- mentions and direct messages ----------------------------------------------------------
    def on_mention(self, body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        if mapping.is_bot_message(event) or str(event.get("channel", "")).startswith("D"):
            return  # a mention inside a direct conversation is answered as the direct message it also is
        self._answer_message(body, event, client)

    def on_direct_message(self, body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        if mapping.is_channel_thread_reply(body, event):  # e.g. an expert answering a consult's post
            self._answer_message(body, event, client, only_owned_threads=True)
            return
        if not mapping.is_plain_dm(event):
            return
        self._answer_message(body, event, client)

    def _answer_message(self, body: dict[str, Any], event: dict[str, Any], client: WebClient,
                        only_owned_threads: bool = False) -> None:
        who = mapping.who_of_event(body)
        actor = self.actor(client, who)
        request = mapping.message_request(actor, event)
        reply = self.desk.follow_thread(request) if only_owned_threads else self.desk.handle(request)
        if reply is None:
            return  # a thread no feature owns: people talking among themselves
        channel = str(event.get("channel", ""))
        in_dm = event.get("channel_type") == "im"
        thread = str(event.get("thread_ts", "")) if in_dm else mapping.thread_of(event)
        for message in render(reply):
            try:
                if message.error and not in_dm:  # errors and quota notes stay private, even in a thread
                    client.chat_postEphemeral(channel=channel, user=who.user_id, text=message.text,
                                              blocks=message.blocks, thread_ts=thread or None)
                else:
                    client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks,
                                            thread_ts=thread or None)
            except SlackApiError as err:
                self._apologise(client, channel, who.user_id, thread, err)
                return

    def _apologise(self, client: WebClient, channel: str, user: str, thread: str, err: SlackApiError) -> None:
        # The Slack error code only: the message itself may hold what the user typed.
        ref = uuid.uuid4().hex[:8]
        log.warning("Slack refused an answer ref=%s channel=%s error=%s", ref, channel,
                    err.response.get("error"))
        try:
            client.chat_postEphemeral(channel=channel, user=user, text=APOLOGY.format(ref=ref),
                                      thread_ts=thread or None)
        except SlackApiError as again:
            log.warning("apology failed too channel=%s error=%s", channel, again.response.get("error"))

    # --- buttons and modals --------------------------------------------------------------------
    def on_action(self, body: dict[str, Any], action: dict[str, Any], client: WebClient,
                  respond: Respond) -> None:
        who = mapping.who_of_interaction(body)
        request = mapping.action_request(self.actor(client, who), body, action)
        reply = self.desk.handle(request)
        if reply.form is not None:
            self._open_form(client, str(body.get("trigger_id", "")), reply, request,
                            respond if body.get("response_url") else None)
            return
        messages = render(reply)
        if body.get("response_url"):
            self._respond_all(respond, messages)
            return
        channel = request.channel_id or who.user_id  # a button in a modal: answer in the DM
        for message in messages:
            try:
                if request.channel_id and message.ephemeral:
                    client.chat_postEphemeral(channel=channel, user=who.user_id, text=message.text,
                                              blocks=message.blocks)
                else:
                    client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks)
            except SlackApiError as err:
                self._apologise(client, channel, who.user_id, "", err)
                return

    def on_form_submit(self, ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        who = mapping.who_of_interaction(body)
        request = mapping.form_request(self.actor(client, who), view)
        reply = self.desk.handle(request)
        if reply.form is not None:
            ack(response_action="update", view=form_view(reply.form, request.channel_id))
        else:
            ack(response_action="update", view=result_view(reply))

    def on_error(self, error: Exception, body: dict[str, Any]) -> None:
        # The payload type only: payloads carry what people typed.
        log.error("listener failed type=%s error=%s", body.get("type") or body.get("command", "")[:40],
                  logsafe.describe(error))


def _ack(ack: Ack) -> None:
    ack()


def _response_type(message: SlackMessage) -> str:
    return "ephemeral" if message.ephemeral else "in_channel"

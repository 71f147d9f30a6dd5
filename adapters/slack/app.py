"""The Bolt app: every Slack command, mention, direct message, button and modal goes to the Desk,
and every Reply comes back as Block Kit.

Fast answers go inside the 3-second acknowledgement; an answer still working after
`inline_budget_seconds` is acknowledged with a short note and followed up through `response_url`
(adapters/slack/budget.py). Nothing slow runs before an ack: the people lookup there asks once, briefly.
Every answer is sent by adapters/slack/delivery.py, which apologises with a reference id on failure.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltResponse, Respond
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import InstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

from adapters.slack import mapping
from adapters.slack.budget import AnswerBudget
from adapters.slack.config import BOT_SCOPES, SlackConfig
from adapters.slack.delivery import (
    Channel,
    Destination,
    ResponseUrl,
    apologise,
    deliver,
    response_type,
)
from adapters.slack.people import People, Person
from adapters.slack.render import FORM_CALLBACK, form_view, render, result_view
from adapters.slack.retry import retry_handlers
from adapters.slack.seen import FirstSight, SeenKeys, signature_memory
from core import logsafe
from core.desk import Desk
from core.replies import Reply
from core.requests import Actor, Request

log = logging.getLogger(__name__)

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
    if people is None:
        store = oauth_settings.installation_store if oauth_settings is not None else None
        people = People(installer=_installer_lookup(store) if store is not None else None)
    token = None if config.multi_workspace else config.bot_token
    app = App(signing_secret=config.signing_secret, token=token,
              client=client, oauth_settings=oauth_settings, process_before_response=True,
              raise_error_for_unhandled_request=False, logger=logging.getLogger("slack_bolt"))
    seen = SeenKeys(engine, clock)
    listeners = Listeners(desk, config, people, seen,
                          ThreadPoolExecutor(workers, thread_name_prefix="desk"))
    listeners.attach(app)
    return SlackParts(app=app, client=client, seen=seen, signatures=signature_memory(engine, clock),
                      config=config)


def _installer_lookup(store: InstallationStore) -> Callable[[str], str | None]:
    """Who installed the app in a workspace (their time zone is the workspace's), from the OAuth store."""
    def installer(team_id: str) -> str | None:
        installation = store.find_installation(enterprise_id=None, team_id=team_id)
        return installation.user_id if installation is not None else None
    return installer


class Listeners:
    """The Bolt listeners. Each maps a payload to a Request, asks the Desk, and delivers the Reply."""

    def __init__(self, desk: Desk, config: SlackConfig, people: People, seen: SeenKeys,
                 executor: ThreadPoolExecutor, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.desk = desk
        self.config = config
        self.people = people
        self.seen = seen
        self.executor = executor
        self.monotonic = monotonic
        self.budget = AnswerBudget(executor, config.inline_budget_seconds, monotonic)
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
    def person(self, client: WebClient, who: mapping.Who, *, quick: bool = False) -> Person:
        return self.people.lookup(client, who.team_id, who.user_id, who.name, quick=quick)

    def actor(self, who: mapping.Who, person: Person) -> Actor:
        return who.actor(person.display_name, person.is_admin)

    def zone(self, who: mapping.Who, person: Person) -> str:
        """The workspace's time zone for digests; the asker's own until the workspace's is known."""
        return self.people.zone_of(who.team_id) or person.timezone

    # --- slash commands ------------------------------------------------------------------------
    def on_command(self, ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        started = self.monotonic()
        who = mapping.who_of_command(body)
        # Before the ack: one quick users.info, no retries. If Slack is slow or rate-limiting,
        # acknowledge now and finish the lookup (retries and all) and the answer afterwards.
        person = self.person(client, who, quick=True)
        if person.unsure:
            ack(text=WORKING, response_type="ephemeral")
            self.budget.later(lambda: self.desk.handle(self._command_request(body, who, self.person(client, who))),
                              lambda reply: self._follow_up(reply, respond))
            return
        request = self._command_request(body, who, person)
        declared = self.desk.registry.get(request.command)
        reply = self.budget.answer(lambda: self.desk.handle(request), started=started,
                                   inline=declared is None or declared.fast,
                                   acknowledge=lambda: ack(text=WORKING, response_type="ephemeral"),
                                   follow_up=lambda late: self._follow_up(late, respond))
        if reply is None:
            return
        if reply.form is not None:
            ack()
            self._open_form(client, str(body.get("trigger_id", "")), reply, request, ResponseUrl(respond))
            return
        messages = render(reply)
        first = messages[0]
        ack(text=first.text, blocks=first.blocks, response_type=response_type(first))
        if len(messages) > 1:
            self.executor.submit(deliver, ResponseUrl(respond), messages[1:])

    def _command_request(self, body: dict[str, Any], who: mapping.Who, person: Person) -> Request:
        return mapping.command_request(self.actor(who, person), body, self.slash_names, self.zone(who, person))

    def _follow_up(self, reply: Reply, respond: Respond) -> None:
        if reply.form is not None:
            reply = Reply(title="Run the command again to open the form",
                          subtitle="Slack only lets a form open within three seconds of the command.")
        deliver(ResponseUrl(respond), render(reply))

    def _open_form(self, client: WebClient, trigger_id: str, reply: Reply, request: Request,
                   destination: Destination) -> None:
        assert reply.form is not None
        try:
            client.views_open(trigger_id=trigger_id, view=form_view(reply.form, request.channel_id))
        except SlackApiError as err:
            apologise(destination, err)

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
        person = self.person(client, who)  # events are acknowledged already: the lookup may wait
        request = mapping.message_request(self.actor(who, person), event, self.zone(who, person))
        reply = self.desk.follow_thread(request) if only_owned_threads else self.desk.handle(request)
        if reply is None:
            return  # a thread no feature owns: people talking among themselves
        in_dm = event.get("channel_type") == "im"
        thread = str(event.get("thread_ts", "")) if in_dm else mapping.thread_of(event)
        # A mention is answered in the open thread, but errors and quota notes stay with the asker.
        deliver(Channel(client, str(event.get("channel", "")), who.user_id, thread,
                        private=lambda message: message.error and not in_dm), render(reply))

    # --- buttons and modals --------------------------------------------------------------------
    def on_action(self, body: dict[str, Any], action: dict[str, Any], client: WebClient,
                  respond: Respond) -> None:
        who = mapping.who_of_interaction(body)
        person = self.person(client, who)
        request = mapping.action_request(self.actor(who, person), body, action, self.zone(who, person))
        reply = self.desk.handle(request)
        destination: Destination
        if body.get("response_url"):
            destination = ResponseUrl(respond)
        else:  # a button in a modal: answer in the channel the form came from, else in the DM
            in_channel = bool(request.channel_id)
            destination = Channel(client, request.channel_id or who.user_id, who.user_id,
                                  private=lambda message: in_channel and message.ephemeral)
        if reply.form is not None:
            self._open_form(client, str(body.get("trigger_id", "")), reply, request, destination)
            return
        deliver(destination, render(reply))

    def on_form_submit(self, ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        started = self.monotonic()
        who = mapping.who_of_interaction(body)
        person = self.person(client, who, quick=True)  # a form needs no admin role: never wait here
        request = mapping.form_request(self.actor(who, person), view, self.zone(who, person))
        reply = self.budget.answer(
            lambda: self.desk.handle(request), started=started, inline=False,
            acknowledge=lambda: ack(response_action="update", view=result_view(Reply(title=WORKING))),
            follow_up=lambda late: self._update_form(client, str(view.get("id", "")), late, request))
        if reply is not None:
            ack(response_action="update", view=self._form_answer(reply, request))

    def _form_answer(self, reply: Reply, request: Request) -> dict[str, Any]:
        return form_view(reply.form, request.channel_id) if reply.form is not None else result_view(reply)

    def _update_form(self, client: WebClient, view_id: str, reply: Reply, request: Request) -> None:
        """A slow form answer replaces the "working" view it was acknowledged with."""
        try:
            client.views_update(view_id=view_id, view=self._form_answer(reply, request))
        except SlackApiError as err:
            # No channel to apologise in: the modal may be gone. The Slack error code only.
            log.warning("views.update failed team=%s error=%s", request.actor.workspace_id,
                        err.response.get("error"))

    def on_error(self, error: Exception, body: dict[str, Any]) -> None:
        # The payload type only: payloads carry what people typed.
        log.error("listener failed type=%s error=%s", body.get("type") or body.get("command", "")[:40],
                  logsafe.describe(error))


def _ack(ack: Ack) -> None:
    ack()


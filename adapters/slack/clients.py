"""A Web API client per workspace: the single bot token, or the one the OAuth install stored."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import Engine

from adapters.slack.app import web_client
from adapters.slack.config import SlackConfig
from adapters.slack.poster import SlackPoster


class WorkspaceClients:
    def __init__(self, config: SlackConfig, engine: Engine) -> None:
        self.config = config
        self.store = SQLAlchemyInstallationStore(client_id=config.client_id, engine=engine) \
            if config.multi_workspace else None
        self.single = web_client(config, config.bot_token) if config.bot_token else None

    def __call__(self, team_id: str) -> WebClient | None:
        if self.store is None:
            return self.single
        bot = self.store.find_bot(enterprise_id=None, team_id=team_id)
        if bot is None or not bot.bot_token:
            return None
        return web_client(self.config, bot.bot_token)


def slack_poster(config: SlackConfig, engine: Engine) -> SlackPoster:
    """The ChannelPoster for digests and notices: `slack_poster(SlackConfig.from_env(os.environ), engine)`."""
    return SlackPoster(WorkspaceClients(config, engine))

"""The Slack app: slash commands, mentions, buttons and modals on slack-bolt, rendered as Block Kit."""

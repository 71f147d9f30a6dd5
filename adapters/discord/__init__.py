"""The Discord adapter: discord.py application commands, mentions, buttons and modals mapped onto the
core Desk, and Replies rendered as embeds with persistent buttons."""

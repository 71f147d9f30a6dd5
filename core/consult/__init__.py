"""Consult: coding questions routed to the workspace's human experts (a channel, email) and tracked
until answered."""

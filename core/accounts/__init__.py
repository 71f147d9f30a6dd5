"""Accounts: identities, free registration, tiers and grants, cross-platform links, and the atomic
code-view quota.

tables.py the rows · policy.py tiers, plans and limits (configuration) · windows.py monthly windows ·
counters.py the SQL that counts views · quota.py the ViewGate the code cards ask · service.py the
account operations, one transaction each · feature.py the chat commands and their wording ·
actions.py the Register button other features' replies carry.
"""

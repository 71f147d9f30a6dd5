"""The Reply decides who may see it; renderers only read `is_private`."""

from __future__ import annotations

from dataclasses import replace

from core.replies import ELLIPSIS, ErrorKind, Reply, Visibility, clip, error_reply, reference_id
from core.requests import Actor, Platform, Request

ALICE = Actor(Platform.SHELL, "local", "alice")


def test_errors_and_only_you_replies_are_private() -> None:
    assert Reply(title="card").is_private
    assert not Reply(title="card", visibility=Visibility.CHANNEL).is_private
    assert not Reply(title="card").shared().is_private
    assert replace(error_reply(ErrorKind.QUOTA, "No views left"), visibility=Visibility.CHANNEL).is_private


def test_share_is_read_once_in_core() -> None:
    shared = Request.command_of(ALICE, "cpt", "99213 share")
    assert shared.asks_to_share and shared.without_share() == "99213"
    assert not Request.command_of(ALICE, "cpt", "99213").asks_to_share
    assert not Request.command_of(ALICE, "codesearch", "shared decision making").asks_to_share
    assert not Request.message_of(ALICE, "please share").asks_to_share  # mentions are answered in thread


def test_reference_ids_are_short_and_distinct() -> None:
    ids = {reference_id() for _ in range(50)}
    assert len(ids) == 50 and all(len(i) == 8 for i in ids)


def test_clip_keeps_short_text_and_ends_a_cut_with_an_ellipsis() -> None:
    assert clip("E11.9", 10) == "E11.9"
    cut = clip("Type 2 diabetes mellitus without complications", 12)
    assert len(cut) == 12 and cut == "Type 2 diab" + ELLIPSIS

"""Feed import against a local HTTP server serving the RSS, Atom and JSON Feed files in feeds/:
mapping entries to postings, conditional requests and 304s, no duplicates, broken feeds told once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import time_machine
from sqlalchemy.orm import Session, sessionmaker

from core.db import transaction
from core.jobs.addresses import AddressPolicy
from core.jobs.feature import JobsFeature
from core.jobs.feeds import FeedImporter, board_feeds
from core.jobs.postings import Board, live_postings
from core.replies import ErrorKind
from tests.core.jobs.conftest import RecordingPoster, actor, command, utc

FEEDS = Path(__file__).parent / "feeds"
BOSS = actor("boss", "T1", admin=True)
LOCAL = AddressPolicy.allowing(["127.0.0.1"])  # the test server; real feeds must be public
TYPES = {".xml": "application/rss+xml", ".json": "application/feed+json"}


@dataclass
class FeedServer:
    """Serves feed files by path; answers 304 when the validators the client sends still match."""

    routes: dict[str, str] = field(default_factory=dict)  # URL path -> file name, or "500"
    etags: bool = True
    seen: list[dict[str, str]] = field(default_factory=list)
    base: str = ""

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


@pytest.fixture
def server() -> Iterator[FeedServer]:
    state = FeedServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.seen.append({k: v for k, v in self.headers.items()} | {"path": self.path})
            name = state.routes.get(self.path)
            if name and name.startswith("redirect:"):
                self.send_response(302)
                self.send_header("Location", name.removeprefix("redirect:"))
                self.end_headers()
                return
            if name is None or name == "500":
                self.send_error(404 if name is None else 500)
                return
            body = (FEEDS / name).read_bytes()
            etag = f'"{name}-{len(body)}"'
            modified = "Wed, 25 Nov 2026 12:00:00 GMT"
            if (state.etags and self.headers.get("If-None-Match") == etag) or \
                    (not state.etags and self.headers.get("If-Modified-Since") == modified):
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", TYPES[Path(name).suffix])
            if state.etags:
                self.send_header("ETag", etag)
            else:
                self.send_header("Last-Modified", modified)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def late_november() -> Iterator[None]:
    with time_machine.travel(utc(2026, 11, 27, 12, 0)):  # the test feeds' entries are from the days before
        yield


def add(feature: JobsFeature, url: str, who=BOSS) -> None:  # type: ignore[no-untyped-def]
    assert not feature.jobs(command(who, f"feed add {url}")).is_error


def board(sessions: sessionmaker[Session], workspace: str = "T1"):  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        return {p.apply_url: p for p in live_postings(session, Board("slack", workspace), utc(2026, 11, 27,
                                                                                              12))}


def test_rss_entries_become_postings_with_their_fields(sessions, server) -> None:  # type: ignore[no-untyped-def]
    server.routes["/rss"] = "rss.xml"
    feature, poster = JobsFeature(sessions, feed_policy=LOCAL), RecordingPoster()
    add(feature, server.url("/rss"))
    [run] = FeedImporter(sessions, {"slack": poster}, policy=LOCAL).run()
    assert (run.imported, run.skipped, run.error) == (2, 1, "")
    jobs = board(sessions)
    remote = jobs["https://careers.midwest.example/jobs/101"]
    assert (remote.title, remote.employer, remote.workplace) == ("Remote CPC Coder - Denials",
                                                                 "Prairie Health",
                                                                 "remote")
    assert remote.credentials == ("CPC", "CCS") and remote.salary == "$52k–$61k"
    assert remote.employment_type == "Full-time" and remote.experience == "2+ years"
    assert "<p>" not in remote.description and remote.source == "feed"
    inpatient = jobs["https://careers.midwest.example/jobs/102"]
    assert (inpatient.employer, inpatient.location, inpatient.workplace) == ("Lakeside Hospital",
                                                                             "Madison, WI",
                                                                           "onsite")
    assert inpatient.credentials == ("RHIT", "CCS")
    assert [r.title.split(" — ")[0] for r in feature.jobs(command(actor("ana"),
                                                                  "search remote cpc")).results] \
        == [f"#{remote.id} Remote CPC Coder - Denials"]


def test_atom_and_json_feed(sessions, server) -> None:  # type: ignore[no-untyped-def]
    server.routes.update({"/atom": "atom.xml", "/json": "jobs.json"})
    feature = JobsFeature(sessions, feed_policy=LOCAL)
    add(feature, server.url("/atom"))
    add(feature, server.url("/json"))
    runs = FeedImporter(sessions, {"slack": RecordingPoster()}, policy=LOCAL).run()
    assert [(r.imported, r.skipped) for r in runs] == [(1, 0), (1, 1)]  # the ftp:// link is skipped
    jobs = board(sessions)
    hybrid = jobs["https://gulf.example/jobs/7"]
    assert (hybrid.employer, hybrid.workplace, hybrid.location) == ("Gulf Coast Physicians", "hybrid",
                                                                    "Houston, TX")
    assert hybrid.salary == "$52k–$62k" and hybrid.employment_type == "Contract"
    risk = jobs["https://ra.example/jobs/1"]
    assert (risk.employer, risk.credentials, risk.workplace) == ("Summit Risk Partners", ("CRC",), "remote")
    assert "hcc" in risk.specialty


@pytest.mark.parametrize("etags", [True, False], ids=["etag", "last-modified"])
def test_conditional_requests_and_304(sessions, server, etags: bool) -> None:  # type: ignore[no-untyped-def]
    server.routes["/rss"], server.etags = "rss.xml", etags
    feature = JobsFeature(sessions, feed_policy=LOCAL)
    add(feature, server.url("/rss"))
    importer = FeedImporter(sessions, {"slack": RecordingPoster()}, policy=LOCAL)
    assert importer.run()[0].imported == 2
    second = importer.run()[0]
    assert second.not_modified and second.imported == 0
    header = "If-None-Match" if etags else "If-Modified-Since"
    assert header not in server.seen[0] and header in server.seen[1]
    assert len(board(sessions)) == 2
    listed = feature.jobs(command(BOSS, "feed list"))
    assert "2 postings imported" in listed.results[0].subtitle


def test_never_duplicates_by_entry_id_or_link(sessions, server) -> None:  # type: ignore[no-untyped-def]
    server.routes.update({"/rss": "rss.xml", "/dup": "duplicate.xml"})
    server.etags = False
    feature = JobsFeature(sessions, feed_policy=LOCAL)
    add(feature, server.url("/rss"))
    importer = FeedImporter(sessions, {"slack": RecordingPoster()}, policy=LOCAL)
    importer.run()
    with transaction(sessions) as session:  # forget the validators: the server sends the whole feed again
        for feed in board_feeds(session, Board("slack", "T1")):
            from core.jobs.models import JobFeedRow
            row = session.get(JobFeedRow, feed.id)
            assert row is not None
            row.last_modified = ""
    assert importer.run()[0].imported == 0
    add(feature, server.url("/dup"))
    assert [r.imported for r in importer.run()] == [0, 0]
    assert len(board(sessions)) == 2


def test_broken_feed_is_reported_once_to_the_admin_who_added_it(sessions, server) -> None:  # type: ignore[no-untyped-def]
    server.routes["/feed"] = "broken.xml"
    feature, poster = JobsFeature(sessions, feed_policy=LOCAL), RecordingPoster()
    add(feature, server.url("/feed"))
    importer = FeedImporter(sessions, {"slack": poster}, policy=LOCAL)
    first = importer.run()[0]
    assert "not well-formed XML" in first.error and first.reported
    assert [(ws, user) for ws, user, _ in poster.notices] == [("T1", "boss")]
    assert poster.notices[0][2].title == "A job feed you added is failing"
    for _ in range(3):
        importer.run()
    assert len(poster.notices) == 1
    assert "failing" in feature.jobs(command(BOSS, "feed list")).results[0].subtitle
    server.routes["/feed"] = "rss.xml"  # fixed
    assert importer.run()[0].imported == 2 and len(poster.notices) == 1
    server.routes["/feed"] = "500"  # broken again: that is news
    assert importer.run()[0].error == "the server answered HTTP 500"
    assert len(poster.notices) == 2


def test_other_failures_have_plain_reasons(sessions, server) -> None:  # type: ignore[no-untyped-def]
    server.routes.update({"/nf": "not-a-feed.json", "/moved": "redirect:ftp://127.0.0.1/feed.xml"})
    feature = JobsFeature(sessions, feed_policy=LOCAL)
    add(feature, server.url("/nf"))
    add(feature, server.url("/missing"))
    add(feature, "http://127.0.0.1:9/closed")
    add(feature, server.url("/moved"))
    runs = FeedImporter(sessions, {"slack": RecordingPoster()}, policy=LOCAL).run()
    assert [r.error for r in runs] == ["the JSON document is not a JSON Feed (no jsonfeed.org version)",
                                      "the server answered HTTP 404",
                                      "could not connect (ConnectionRefusedError)",
                                      "the feed redirects to an address that is not http or https"]


def test_feeds_belong_to_one_workspace_and_admins(sessions, server) -> None:  # type: ignore[no-untyped-def]
    server.routes["/rss"] = "rss.xml"
    feature = JobsFeature(sessions, feed_policy=LOCAL)
    refused = feature.jobs(command(actor("ana", "T1"), f"feed add {server.url('/rss')}"))
    assert refused.error is ErrorKind.FORBIDDEN
    assert feature.jobs(command(BOSS, "feed add ftp://x")).error is ErrorKind.BAD_INPUT
    add(feature, server.url("/rss"))
    assert feature.jobs(command(BOSS, f"feed add {server.url('/rss')}")).error is ErrorKind.BAD_INPUT
    FeedImporter(sessions, {"slack": RecordingPoster()}, policy=LOCAL).run()
    assert len(board(sessions, "T1")) == 2 and board(sessions, "T2") == {}
    other = actor("zed", "T2", admin=True)
    assert feature.jobs(command(other, "feed list")).title == "No job feeds yet"
    assert feature.jobs(command(other, f"feed remove {server.url('/rss')}")).error is ErrorKind.NOT_FOUND
    assert feature.jobs(command(BOSS, f"feed remove {server.url('/rss')}")).title == "Job feed removed"
    assert feature.jobs(command(BOSS, "feed list")).title == "No job feeds yet"

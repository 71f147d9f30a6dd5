"""Hostile feeds (issue 16, defects 3, 4, 6 and 12): no internal addresses at add time, fetch or
redirect; one bad feed never stops the run; a whole-fetch deadline; no markup through double
encoding. And feedparser reads old RSS and odd dates."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.db import transaction
from core.jobs.addresses import AddressPolicy, is_public
from core.jobs.feature import JobsFeature
from core.jobs.feeds import FeedError, FeedImporter, Fetched, board_feeds, fetch, parse_feed
from core.jobs.postings import Board
from core.replies import ErrorKind
from tests.core.jobs.conftest import RecordingPoster, actor, command

BOSS = actor("boss", "T1", admin=True)
RSS = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Jobs</title><item><title>Coder at Acme'
       b'</title><link>https://jobs.example/1</link><guid>1</guid></item></channel></rss>')


def public_dns(host: str, port: int) -> list[str]:
    """A resolver for names the tests make up: evil.example points inside, good.example outside."""
    named = {"evil.example": ["10.0.0.7"], "localhost": ["127.0.0.1"], "meta.example": ["169.254.169.254"]}
    if host in named:
        return named[host]
    return [host] if host[:1].isdigit() or ":" in host else ["93.184.215.14"]


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                                     "::1", "fe80::1", "224.0.0.1", "240.0.0.1", "0.0.0.0", "::ffff:127.0.0.1",
                                     "100.64.0.1", "fc00::1"])
def test_internal_addresses_are_not_public(address: str) -> None:
    assert not is_public(address)


def test_public_addresses_are() -> None:
    assert is_public("93.184.215.14") and is_public("2606:2800:220:1:248:1893:25c8:1946")


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/feed", "http://169.254.169.254/latest/meta-data",
                                 "http://[::1]/feed", "http://evil.example/feed", "http://localhost:5432/"])
def test_an_admin_cannot_add_an_internal_feed(sessions: sessionmaker[Session], url: str) -> None:
    feature = JobsFeature(sessions, feed_policy=AddressPolicy(resolver=public_dns))
    reply = feature.jobs(command(BOSS, f"feed add {url}"))
    assert reply.error is ErrorKind.BAD_INPUT and "private network" in reply.title
    with transaction(sessions) as session:
        assert board_feeds(session, Board("slack", "T1")) == []


def test_the_operator_may_allow_a_host(sessions: sessionmaker[Session]) -> None:
    policy = AddressPolicy.allowing(["evil.example"])
    feature = JobsFeature(sessions, feed_policy=AddressPolicy(policy.allow_hosts, public_dns))
    assert not feature.jobs(command(BOSS, "feed add http://evil.example/feed")).is_error


@pytest.fixture
def local_server() -> Iterator[dict[str, object]]:
    """Serves /feed (RSS), /hop (a redirect to `target`), /slow (a byte every 50 ms for 10 s)."""
    state: dict[str, object] = {"target": "", "hits": []}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state["hits"].append(self.path)  # type: ignore[attr-defined]
            if self.path == "/hop":
                self.send_response(302)
                self.send_header("Location", str(state["target"]))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if self.path == "/slow":
                self.send_response(200)
                self.send_header("Content-Length", "200")
                self.end_headers()
                for _ in range(200):
                    try:
                        self.wfile.write(b" ")
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(0.05)  # the hostile server's trickle (the client's deadline is what is tested)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(RSS)))
            self.end_headers()
            self.wfile.write(RSS)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state["base"] = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield state
    httpd.shutdown()
    httpd.server_close()


def test_fetch_refuses_internal_addresses_without_connecting(local_server: dict[str, object]) -> None:
    with pytest.raises(FeedError, match="private network"):
        fetch(f"{local_server['base']}/feed")
    assert local_server["hits"] == []
    # A closed internal port gives the same words as an open one: nothing to map.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    with pytest.raises(FeedError, match="private network"):
        fetch(f"http://127.0.0.1:{closed}/feed")


def test_a_redirect_to_an_internal_address_is_refused(local_server: dict[str, object]) -> None:
    """The allowed host redirects to one that is not allowed (the metadata address)."""
    local_server["target"] = "http://169.254.169.254/latest/meta-data/"
    policy = AddressPolicy.allowing(["127.0.0.1"])
    with pytest.raises(FeedError, match="private network"):
        fetch(f"{local_server['base']}/hop", policy=policy)
    local_server["target"] = f"http://localhost:{str(local_server['base']).rsplit(':', 1)[1]}/feed"
    with pytest.raises(FeedError, match="private network"):
        fetch(f"{local_server['base']}/hop", policy=policy)  # localhost is not on the list
    assert fetch(f"{local_server['base']}/feed", policy=policy).body == RSS


def test_a_trickling_server_cannot_hold_a_fetch_past_the_deadline(local_server: dict[str, object]) -> None:
    started = time.monotonic()
    with pytest.raises(FeedError, match="in time"):
        fetch(f"{local_server['base']}/slow", policy=AddressPolicy.allowing(["127.0.0.1"]), deadline=0.5)
    assert time.monotonic() - started < 3.0  # each read was quick; only the overall deadline stops it


def test_one_bad_feed_is_marked_failing_and_the_run_goes_on(sessions: sessionmaker[Session]) -> None:
    deep = b'{"version": "https://jsonfeed.org/version/1.1", "items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    bodies = {"https://a.example/deep.json": Fetched(False, deep, "application/feed+json"),
              "https://b.example/boom": None,
              "https://c.example/ok.xml": Fetched(False, RSS, "application/rss+xml")}

    def fetcher(url: str, etag: str, modified: str) -> Fetched:
        found = bodies[url]
        if found is None:
            raise ValueError("a bug in some parser")
        return found

    feature = JobsFeature(sessions, feed_policy=AddressPolicy(resolver=public_dns))
    for url in bodies:
        assert not feature.jobs(command(BOSS, f"feed add {url}")).is_error
    runs = FeedImporter(sessions, {"slack": RecordingPoster()}, fetcher=fetcher).run()
    assert [bool(r.error) for r in runs] == [True, True, False]
    assert runs[0].error == "the JSON Feed is nested too deeply"
    assert runs[1].error == "the feed could not be read (ValueError)"
    assert runs[2].imported == 1
    with transaction(sessions) as session:
        states = [f.error for f in board_feeds(session, Board("slack", "T1"))]
    assert states[0] and states[1] and not states[2]


def test_double_encoded_markup_stays_text() -> None:
    body = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>J</title><item>'
            b"<title>Coder &amp;amp;lt;!channel&amp;amp;gt; now</title><link>https://jobs.example/2</link>"
            b"<description>&amp;amp;amp;lt;https://evil.example|click&amp;amp;amp;gt; apply</description>"
            b"</item></channel></rss>")
    _, [entry] = parse_feed(body, "application/rss+xml")
    for text in (entry.title, entry.text):
        assert "<" not in text and ">" not in text and "&lt;" not in text and "&gt;" not in text
    assert entry.title.startswith("Coder") and entry.text.endswith("apply")  # the words stay


def test_feedparser_reads_rss_1_and_0_91_and_odd_dates() -> None:
    rdf = (b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
           b'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
           b'<channel rdf:about="https://jobs.example/"><title>Old</title></channel>'
           b'<item rdf:about="https://jobs.example/9"><title>Biller</title><link>https://jobs.example/9</link>'
           b"<dc:date>2026-11-20T08:00:00-05:00</dc:date></item></rdf:RDF>")
    title, [entry] = parse_feed(rdf)
    assert (title, entry.title, entry.url) == ("Old", "Biller", "https://jobs.example/9")
    assert entry.published is not None and entry.published.hour == 13
    old = (b'<rss version="0.91"><channel><title>Older</title><item><title>Coder</title>'
           b"<link>https://jobs.example/3</link><pubDate>Fri, 20 Nov 2026 08:00:00 EST</pubDate></item>"
           b"</channel></rss>")
    _, [entry] = parse_feed(old)
    assert entry.url == "https://jobs.example/3" and entry.published is not None

"""`/coverage` and `/crosswalk` on the test export, on SQLite and PostgreSQL, as a coder reads them."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from core.codes.catalog import Catalog
from core.coverage.feature import COVERAGE_PAGE, CoverageFeature
from core.desk import Desk
from core.replies import ErrorKind, Reply, Visibility
from core.requests import Actor, Platform, Request

ACTOR = Actor(Platform.SHELL, "local", "coder")


def ask(feature: CoverageFeature, command: str, text: str) -> Reply:
    handler = feature.coverage if command == "coverage" else feature.crosswalk
    return handler(Request.command_of(ACTOR, command, text))


def body(reply: Reply) -> str:
    return "\n".join([reply.title, reply.subtitle, *(f"{s.heading}\n{s.text}" for s in reply.sections),
                      reply.footer])


def test_listing_shows_each_article_with_contractors_link_and_numbered_groups(feature: CoverageFeature) -> None:
    reply = ask(feature, "coverage", "93000")
    assert reply.title == "Coverage for 93000: 3 articles"
    assert "CMS MCD export of 2026-11-27" in reply.subtitle
    headings = [s.heading for s in reply.sections]
    assert headings == ["A54321 — Billing and Coding: Ambulatory Heart Rhythm Monitoring",
                        "A57326 — Billing and Coding: Electrocardiography"]
    a57326 = reply.sections[1].text
    assert "First Coast Service Options, Inc. (09102); Novitas Solutions, Inc. (12502)" in a57326
    assert "https://www.cms.gov/medicare-coverage-database/view/article.aspx?articleid=57326" in a57326
    assert "*Group 2* (2 codes):\n- `R00.1` Bradycardia, unspecified\n- `R55` Syncope and collapse *" in a57326
    assert "range I48.0–I48.91:" in a57326 and "`I48.91` Unspecified atrial fibrillation" in a57326
    assert "*Group 3* (codes 1–11 of 25)" in a57326
    assert reply.footer.startswith("Page 1 of 2")
    assert [(a.label, a.action_id, a.value) for a in reply.actions] == [("Next ▶", COVERAGE_PAGE, "93000 page:2")]


def test_the_page_button_continues_the_group_and_reaches_the_article_without_limits(
        feature: CoverageFeature) -> None:
    page2 = feature.actions()[COVERAGE_PAGE](Request.action_of(ACTOR, COVERAGE_PAGE, "93000 page:2"))
    text = body(page2)
    assert "*Group 3* (codes 12–25 of 25)" in text and "`I21.19`" in text and "`I10`" not in text
    assert "A58888" in text and "does not limit which diagnoses support it" in text
    assert [a.value for a in page2.actions] == ["93000"]  # back to page 1
    assert page2.footer.startswith("Page 2 of 2")


def test_each_diagnosis_is_covered_not_covered_or_not_listed_by_named_articles(feature: CoverageFeature) -> None:
    reply = ask(feature, "coverage", "93000 I48.91 Z00.00 R00.2")
    by_code = {s.heading.split(" — ")[0]: s.text for s in reply.sections}
    assert "*Covered* by A54321 (group 1) — Palmetto GBA (11202)" in by_code["I48.91"]
    assert "*Covered* by A57326 (group 1, range I48.0-I48.91)" in by_code["I48.91"]
    assert "*Not covered* by A57326 (group 1)" in by_code["Z00.00"]
    assert "*Not covered* by A54321 (group 1)" in by_code["Z00.00"]
    assert "*Not listed* in A57326" in by_code["R00.2"] and "lists 93000 but not this diagnosis" in by_code["R00.2"]
    assert "*No diagnosis limits* in A58888" in by_code["R00.2"]
    assert reply.sections[0].heading == "I48.91 — Unspecified atrial fibrillation"


def test_a_code_inside_a_range_given_only_by_its_ends_is_found(feature: CoverageFeature) -> None:
    reply = ask(feature, "coverage", "93000 Z01.812")
    assert "*Not covered* by A57326 (group 1, range Z01.810-Z01.818)" in reply.sections[0].text
    ranged = ask(feature, "coverage", "93005")  # listed inside the procedure range 93000-93010
    assert ranged.title == "Coverage for 93005: 1 article"


def test_state_and_contractor_narrow_the_articles(feature: CoverageFeature) -> None:
    florida = ask(feature, "coverage", "93000 I48.91 state:FL")
    assert "A57326" in body(florida) and "A54321" not in body(florida)  # Palmetto left Florida in 2024
    assert "contractors serving FL" in florida.subtitle
    upstate = ask(feature, "coverage", "93000 state:NY")  # Novitas serves "New York - Upstate"
    assert [s.heading[:6] for s in upstate.sections] == ["A57326"]
    palmetto = ask(feature, "coverage", "93000 contractor:11202")
    assert [s.heading[:6] for s in palmetto.sections] == ["A54321", "A58888"]
    assert ask(feature, "coverage", "G0121 state:FL").error is ErrorKind.NOT_FOUND


def test_share_posts_to_the_channel(feature: CoverageFeature) -> None:
    desk = Desk((feature,))  # `share` is read once, by the Desk, for every shareable command
    assert desk.handle(Request.command_of(ACTOR, "coverage", "93000 share")).visibility is Visibility.CHANNEL
    assert desk.handle(Request.command_of(ACTOR, "coverage", "93000")).visibility is Visibility.ONLY_YOU


def test_crosswalk_both_ways(feature: CoverageFeature) -> None:
    forward = ask(feature, "crosswalk", "93000")
    lines = forward.sections[0].text.splitlines()
    assert lines[0] == "- `I48.91` Unspecified atrial fibrillation — covered in 2 of 3"
    assert len(lines) == 25 and "across 3 articles" in forward.subtitle
    reverse = ask(feature, "crosswalk", "I48.91")
    lines = reverse.sections[0].text.splitlines()
    assert lines[0].startswith("- `93000`") and lines[0].endswith("in 2 of 2")
    assert any(line.startswith("- `G0121`") for line in lines)
    assert "Unspecified atrial fibrillation" in reverse.subtitle


def test_a_token_read_two_ways_falls_back_to_the_diagnosis_without_locking_itself(feature: CoverageFeature) -> None:
    # J1100 is a HCPCS shape no article lists, and ICD-10-CM J11.00; the second reading used to be asked
    # inside the first one's transaction, which on SQLite waited on its own lock ("database is locked").
    reply = ask(feature, "crosswalk", "J1100")
    assert reply.error is ErrorKind.NOT_FOUND and reply.title.startswith("No coverage article lists as covered J11.00")


def test_bad_input_gets_a_clear_reply(feature: CoverageFeature) -> None:
    cases = {
        "": "Which procedure?",
        "9300": "“9300” is not a CPT or HCPCS code.",
        "I48.91": "I48.91 is a diagnosis; put the procedure first.",
        "93000 hello": "“hello” is not an ICD-10-CM code.",
        "93000 I48.99": "I48.99 is not in the ICD-10-CM code set.",
        "93000 state:Florida": "“FLORIDA” is not a state.",
        "93000 state:ZZ": "No contractor in the export serves ZZ.",
        "93000 contractor:99999": "No contractor numbered 99999 is in the export.",
        "93000 payer:aetna": "“payer:” is not something coverage can be narrowed by.",
    }
    for text, title in cases.items():
        reply = ask(feature, "coverage", text)
        assert reply.error is ErrorKind.BAD_INPUT and reply.title == title, text
        assert reply.sections and reply.sections[0].text, text  # says what to type instead
    unknown = ask(feature, "coverage", "99499")
    assert unknown.error is ErrorKind.NOT_FOUND and unknown.title == "No coverage article lists 99499."
    assert ask(feature, "crosswalk", "93000 I48.91").error is ErrorKind.BAD_INPUT


def test_with_no_export_loaded_it_says_what_to_import(sessions: sessionmaker[Session], catalog: Catalog) -> None:
    empty = CoverageFeature(sessions, catalog)
    for command, text in (("coverage", "93000"), ("coverage", "93000 I48.91"), ("crosswalk", "I48.91")):
        reply = ask(empty, command, text)
        assert reply.title == "No coverage data is loaded."
        assert "`codedesk import coverage FILE`" in reply.sections[0].text


def test_the_commands_are_in_the_registry_and_help(feature: CoverageFeature) -> None:
    names = {c.name: c for c in feature.commands()}
    assert set(names) == {"coverage", "crosswalk"}
    assert names["coverage"].usage == "/coverage 93000 I48.91" and names["coverage"].fast

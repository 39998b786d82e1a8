"""The documented payload shapes translate into the values the adapter acts on, and no others."""

from __future__ import annotations

import adapters.slack.translate as edge
from bot.domain import MessageRef, WorkspaceRef
from tests.adapters.slack import builders


def test_thread_reply_fixture_is_a_reply_in_its_parents_thread() -> None:
    event = builders.load("event_message_thread_reply")["event"]

    assert edge.parse_message_event(event) == edge.ThreadReply(
        user_id="U222222222",
        text="Is there an update on this?",
        message=MessageRef("C123ABC456", "1483037603.017503"),
        thread_key="C123ABC456/1482960137.003543",
    )


def test_top_level_messages_and_bot_messages_are_not_answers() -> None:
    event = builders.load("event_message_thread_reply")["event"]
    top_level = {**event, "thread_ts": event["ts"]}
    unthreaded = {k: v for k, v in event.items() if k != "thread_ts"}
    from_a_bot = {**event, "bot_id": "B0OTHER"}
    joined = {**event, "subtype": "channel_join"}

    for message in (top_level, unthreaded, from_a_bot, joined):
        assert edge.parse_message_event(message) is None


def test_edit_of_a_thread_reply_carries_the_new_text() -> None:
    envelope = builders.message_changed(
        user="U2", text="new &amp; better", ts="5.1", thread_ts="4.1"
    )

    assert edge.parse_message_event(envelope["event"]) == edge.MessageEdited(
        MessageRef("C123ABC456", "5.1"), "new & better"
    )


def test_edit_fixture_of_a_top_level_message_is_ignored() -> None:
    assert edge.parse_message_event(builders.load("event_message_changed")["event"]) is None


def test_deletion_fixture_names_the_deleted_message() -> None:
    event = builders.load("event_message_deleted")["event"]

    assert edge.parse_message_event(event) == edge.MessageDeleted(
        MessageRef("C123ABC456", "1358878749.000002")
    )


def test_reaction_fixtures_become_votes_on_the_reacted_message() -> None:
    added = edge.parse_reaction(builders.load("event_reaction_added")["event"])
    removed = edge.parse_reaction(builders.load("event_reaction_removed")["event"])
    message = MessageRef("C123ABC456", "1360782400.498405")

    assert added == edge.Reaction("U222222222", "thumbsup", message, added=True)
    assert removed == edge.Reaction("U222222222", "thumbsup", message, added=False)


def test_reactions_on_files_are_not_votes() -> None:
    event = builders.load("event_reaction_added")["event"]
    event["item"] = {"type": "file", "file": "F123"}

    assert edge.parse_reaction(event) is None


def test_anon_flag_is_taken_out_of_the_question() -> None:
    assert edge.parse_ask_text("How? --anon #ml") == ("How? #ml", True)
    assert edge.parse_ask_text("--anonymous How?") == ("How?", True)
    assert edge.parse_ask_text("Is --anonymity a word?") == ("Is --anonymity a word?", False)
    assert edge.parse_ask_text("a &lt;b&gt; &amp; c") == ("a <b> & c", False)


def test_every_payload_kind_names_its_workspace() -> None:
    expected = WorkspaceRef("slack", "T123ABC456")
    for name in ("slash_command", "event_reaction_added", "block_actions", "view_submission"):
        assert edge.workspace_of(builders.load(name)) == expected, name


def test_form_fixture_reads_the_question_and_channel() -> None:
    form = edge.parse_ask_form(builders.load("view_submission"))

    assert form == edge.AskForm(
        WorkspaceRef("slack", "T123ABC456"),
        "U222222222",
        "C123ABC456",
        "Where is the on-call runbook?",
        (),
        False,
    )


def test_button_fixture_names_who_clicked_where() -> None:
    click = edge.parse_click(builders.load("block_actions"))

    assert (click.user_id, click.channel_id, click.value) == (
        "U222222222",
        "C123ABC456",
        "answered",
    )


def test_missing_fields_give_empty_values_rather_than_errors() -> None:
    # After ack() nothing may raise; translation is total, the core refuses empty values.
    assert edge.parse_command({}).channel_id == ""
    assert edge.parse_click({"actions": []}).value == ""
    assert edge.parse_answer_form({"view": {"private_metadata": "not json"}}).question == ""

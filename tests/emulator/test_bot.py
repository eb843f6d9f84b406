"""The scripted bot: greeting, typing before each reply, handover, goodbye, rich content."""
import time

from emulator_harness import is_event, is_text


def _bot_turn(guest):
    """Typing then a Bot text; returns (typing frame, text frame) and checks their order."""
    typing = guest.expect(lambda f: is_event(f, "Typing") or is_text(f, "Bot"))
    assert is_event(typing, "Typing"), "bot text arrived before its typing event"
    assert typing["body"]["events"][0]["typing"] == {"type": "On", "duration": 5000}
    text = guest.expect(lambda f: is_text(f, "Bot"))
    return typing, text


def test_join_gets_typing_then_greeting(emulator):
    emulator.patch(botDelaySeconds=0.3)
    guest = emulator.guest()
    guest.configure()
    started = time.monotonic()
    guest.join()
    guest.expect(lambda f: is_event(f, "Presence", "Join", direction="Inbound"))
    _, greeting = _bot_turn(guest)
    assert time.monotonic() - started >= 0.25  # the deployment's botDelaySeconds
    body = greeting["body"]
    assert body["direction"] == "Outbound" and body["type"] == "Text" and body["originatingEntity"] == "Bot"
    assert body["channel"]["from"]["nickname"] == "Demo Bot" and body["text"]
    assert greeting["type"] == "message" and "tracingId" not in greeting
    guest.close()


def test_greeting_only_once(emulator):
    guest = emulator.guest()
    guest.configure()
    guest.join()
    _bot_turn(guest)
    guest.close()
    again = emulator.guest(token=guest.token)
    again.configure()
    again.join()
    again.expect(lambda f: is_event(f, "Presence", "Join", direction="Inbound"))
    assert not [f for f in again.quiet(0.3) if is_text(f, "Bot")]
    again.close()


def test_first_text_without_join_is_greeted_and_answered(emulator):
    guest = emulator.guest()
    guest.configure()
    guest.say("hello")
    guest.expect(lambda f: is_text(f, direction="Inbound"))
    _, greeting = _bot_turn(guest)
    _, reply = _bot_turn(guest)
    assert greeting["body"]["text"] != reply["body"]["text"] and "hello" in reply["body"]["text"]
    guest.close()


def test_reply_to_each_text(emulator):
    guest = emulator.guest()
    guest.configure()
    guest.join()
    _bot_turn(guest)
    guest.say("what are your hours?")
    inbound = guest.expect(lambda f: is_text(f, direction="Inbound"))
    assert inbound["body"]["text"] == "what are your hours?"
    _, reply = _bot_turn(guest)
    assert "what are your hours?" in reply["body"]["text"]
    guest.close()


def test_agent_word_hands_over(emulator):
    guest = emulator.guest()
    guest.configure()
    guest.join()
    _bot_turn(guest)
    guest.say("I want an Agent please")
    _, reply = _bot_turn(guest)
    assert "agent" in reply["body"]["text"].lower()
    summary = emulator.http.get("/_emulator/sessions").json()["sessions"][0]
    assert summary["waitingForAgent"] is True and summary["agent"] is None
    guest.close()


def test_bye_says_goodbye_and_disconnects(emulator):
    guest = emulator.guest()
    guest.configure()
    guest.join()
    _bot_turn(guest)
    guest.say("ok bye")
    _, goodbye = _bot_turn(guest)
    assert "goodbye" in goodbye["body"]["text"].lower()
    disconnect = guest.expect(lambda f: is_event(f, "Presence", "Disconnect"))
    assert disconnect["body"]["metadata"]["readOnly"] == "true"
    guest.close()
    again = emulator.guest(token=guest.token)
    assert again.configure()["body"]["readOnly"] is True
    again.close()


def test_bye_with_send_disconnect_type_is_not_read_only(emulator):
    emulator.patch(conversationDisconnectType="Send")
    guest = emulator.guest()
    guest.configure()
    guest.say("bye")
    disconnect = guest.expect(lambda f: is_event(f, "Presence", "Disconnect"))
    assert "readOnly" not in disconnect["body"].get("metadata", {})
    assert guest.configure()["body"]["readOnly"] is False
    guest.close()


def test_bot_is_silent_once_an_agent_joined(emulator):
    guest = emulator.guest()
    guest.configure()
    guest.join()
    _bot_turn(guest)
    emulator.control(guest.token, "agent/join", {"firstName": "Sam", "lastName": "Lee"})
    guest.say("hi Sam")
    guest.expect(lambda f: is_text(f, direction="Inbound"))
    assert not [f for f in guest.quiet(0.3) if is_text(f, "Bot") or is_event(f, "Typing")]
    guest.close()


def test_menu_sends_quick_replies_and_a_button_response_is_understood(emulator):
    guest = emulator.guest()
    guest.configure()
    guest.say("menu")
    _bot_turn(guest)  # greeting
    _, menu = _bot_turn(guest)
    assert menu["body"]["type"] == "Structured"
    replies = [c["quickReply"] for c in menu["body"]["content"] if c["contentType"] == "QuickReply"]
    assert {"text", "payload", "action"} <= set(replies[0])
    card_reply = next(r for r in replies if r["payload"] == "card")
    time.sleep(0.5)  # stay under 2 messages per second
    guest.action("onMessage", message={"type": "Text", "text": card_reply["text"], "content": [
        {"contentType": "ButtonResponse", "buttonResponse": {"type": "QuickReply", "text": card_reply["text"],
                                                             "payload": card_reply["payload"]}}]})
    echo = guest.expect(lambda f: is_text(f, direction="Inbound"))
    assert echo["body"]["content"][0]["buttonResponse"]["payload"] == "card"
    _, card = _bot_turn(guest)
    card_body = card["body"]["content"][0]["card"]
    assert card_body["title"] and {a["type"] for a in card_body["actions"]} == {"Postback", "Link"}
    postback = next(a for a in card_body["actions"] if a["type"] == "Postback")
    time.sleep(0.5)
    guest.action("onMessage", message={"type": "Structured", "text": postback["text"], "content": [
        {"contentType": "ButtonResponse", "buttonResponse": {"type": "Button", "text": postback["text"],
                                                             "payload": postback["payload"]}}]})
    _, handover = _bot_turn(guest)
    assert "agent" in handover["body"]["text"].lower()
    guest.close()


def test_bot_delay_from_create_app_and_per_deployment(emulator):
    settings = emulator.http.get("/_emulator/deployments/f3b8c4d2-5a6e-4b7f-8c9d-0e1f2a3b4c5d").json()
    assert settings["botDelaySeconds"] == 0.05  # what the suite passed to create_app
    emulator.patch(botDelaySeconds=0.5)
    guest = emulator.guest()
    guest.configure()
    guest.join()
    guest.expect(lambda f: is_event(f, "Typing"))
    started = time.monotonic()
    guest.expect(lambda f: is_text(f, "Bot"))
    assert time.monotonic() - started >= 0.45
    guest.close()

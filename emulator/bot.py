"""The scripted bot that answers a guest until a human agent joins.

Each turn is typing, a pause (`botDelaySeconds` of the deployment), then the message, so a
client sees the same typing-then-text rhythm as a real Architect bot flow.
"""
import asyncio
import re

from . import bot_content, conversation

GREETING = "Hi, I'm the demo bot. Ask me anything, type 'menu' for options, 'agent' for a person, or 'bye' to end."

# keyword(s) -> (reply text, content builder taking (region, session, HTTP base)); first match
# wins, so the more specific words come before "file".
RICH_REPLIES = [
    (("menu",), "What would you like to see?", lambda region, session, base: bot_content.QUICK_REPLIES),
    (("carousel",), "Here are our plans.", lambda region, session, base: bot_content.carousel(base)),
    (("card",), "Here is a card.", lambda region, session, base: bot_content.card(base)),
    (("markdown",), bot_content.MARKDOWN_TEXT, lambda region, session, base: None),
    (("date", "appointment"), "When would you like to come in?",
     lambda region, session, base: bot_content.date_picker()),
    (("list",), "Choose a topic.", lambda region, session, base: bot_content.LIST_PICKER),
    (("pdf", "document"), "Here is a PDF document.", bot_content.pdf_attachment),
    (("picture", "image", "photo"), "Here is a photo.", bot_content.photo_attachment),
    (("file",), "Here is our logo.", lambda region, session, base: bot_content.logo_attachment(base)),
]

# "everything": one message per content kind, in this order (each after its own typing pause),
# then the menu again.
EVERYTHING = ("card", "carousel", "markdown", "date", "list", "file", "picture", "pdf", "menu")


def _has_word(text, word):
    return re.search(r"\b%s\b" % word, text, re.IGNORECASE) is not None


class Bot:
    def __init__(self, region):
        self.region = region

    def _enabled(self, session):
        deployment = self.region.deployments.get(session.deployment_id)
        return deployment is None or deployment.bot

    def on_join(self, session):
        if not self._enabled(session):
            return
        if not session.greeted:
            session.greeted = True
            self.region.spawn(self._turn(session, session.conversation_id, self._greet))

    def on_text(self, session, text, button=None, http_base=""):
        """React to a guest text or button response unless a human has the conversation.

        `http_base` is where the guest reached us, for content that links back to the emulator."""
        if session.agent or not self._enabled(session):
            return
        if not session.greeted:
            session.greeted = True
            self.region.spawn(self._turn(session, session.conversation_id, self._greet))
        self.region.spawn(self._turn(session, session.conversation_id,
                                     lambda s: self._answer(s, text, button, http_base)))

    async def _turn(self, session, conversation_id, act):
        async with session.bot_lock:
            if not self._current(session, conversation_id):
                return
            await conversation.typing(self.region, session)
            deployment = self.region.deployments.get(session.deployment_id)
            await asyncio.sleep(deployment.bot_delay_seconds if deployment else self.region.default_bot_delay)
            if self._current(session, conversation_id):
                await act(session)

    def _current(self, session, conversation_id):
        # A turn is dropped if, while it waited, the session was cleared or restarted, it
        # became read-only, or a human took over.
        return (self.region.sessions.get(session.token) is session and session.conversation_id == conversation_id
                and not session.read_only and not session.agent)

    async def _greet(self, session):
        await conversation.bot_say(self.region, session, GREETING)

    async def _answer(self, session, text, button, http_base):
        region = self.region
        # A button's payload is the command (quick replies and postbacks carry keywords); the
        # reply names what was picked so a client can see its ButtonResponse arrived intact.
        command = button["payload"] if button else text
        picked = "You picked: %s. " % bot_content.picked_label(button) if button else ""
        if button and button.get("type") in ("DatePicker", "ListPicker"):
            await conversation.bot_say(region, session, picked + "Thanks, that's noted.")
        elif _has_word(command, "bye"):
            await conversation.bot_say(region, session, picked + "Goodbye, and thanks for chatting!")
            await conversation.disconnect(region, session)
        elif _has_word(command, "agent"):
            session.waiting_for_agent = True
            await conversation.bot_say(region, session,
                                       picked + "I'm handing you over to a person. An agent will join shortly.")
        elif _has_word(command, "everything"):
            await self._everything(session, picked, http_base)
        elif rich := _rich_reply(command):
            reply, build = rich
            await conversation.bot_say(region, session, picked + reply, content=build(region, session, http_base))
        elif button:
            await conversation.bot_say(region, session, picked.strip())
        elif not text.strip():
            await conversation.bot_say(region, session, "Thanks, I received your file.")
        elif session.waiting_for_agent:
            await conversation.bot_say(region, session, "You're in the queue. An agent will be with you shortly.")
        else:
            reply = "You said: \u201c%s\u201d. Type 'menu' for options." % text[:200]
            await conversation.bot_say(region, session, reply)

    async def _everything(self, session, picked, http_base):
        region = self.region
        conversation_id = session.conversation_id
        await conversation.bot_say(region, session, picked + "Here is every kind of content I can send.")
        deployment = region.deployments.get(session.deployment_id)
        for keyword in EVERYTHING:
            await conversation.typing(region, session)
            await asyncio.sleep(deployment.bot_delay_seconds if deployment else region.default_bot_delay)
            if not self._current(session, conversation_id):
                return
            reply, build = _rich_reply(keyword)
            await conversation.bot_say(region, session, reply, content=build(region, session, http_base))


def _rich_reply(text):
    for words, reply, build in RICH_REPLIES:
        if any(_has_word(text, word) for word in words):
            return reply, build
    return None

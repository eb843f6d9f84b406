"""The scripted bot that answers a guest until a human agent joins.

Each turn is typing, a pause (`botDelaySeconds` of the deployment), then the message, so a
client sees the same typing-then-text rhythm as a real Architect bot flow.
"""
import asyncio
import re

from . import conversation

GREETING = "Hi, I'm the demo bot. Ask me anything, type 'menu' for options, 'agent' for a person, or 'bye' to end."

QUICK_REPLIES = [
    {"contentType": "QuickReply", "quickReply": {"text": "Talk to an agent", "payload": "agent", "action": "Message"}},
    {"contentType": "QuickReply", "quickReply": {"text": "Show a card", "payload": "card", "action": "Message"}},
    {"contentType": "QuickReply", "quickReply": {"text": "Goodbye", "payload": "bye", "action": "Message"}},
]

CARD = [{"contentType": "Card", "card": {
    "title": "Demo product",
    "description": "A card with a postback button and a link.",
    "image": "https://example.com/product.png",
    "defaultAction": {"type": "Link", "text": "Open", "url": "https://example.com/product"},
    "actions": [
        {"type": "Postback", "text": "Talk to an agent", "payload": "agent"},
        {"type": "Link", "text": "Learn more", "url": "https://example.com/product"},
    ],
}}]


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

    def on_text(self, session, text):
        """React to a guest text (or button payload) unless a human has the conversation."""
        if session.agent or not self._enabled(session):
            return
        if not session.greeted:
            session.greeted = True
            self.region.spawn(self._turn(session, session.conversation_id, self._greet))
        self.region.spawn(self._turn(session, session.conversation_id, lambda s: self._answer(s, text)))

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

    async def _answer(self, session, text):
        region = self.region
        if _has_word(text, "bye"):
            await conversation.bot_say(region, session, "Goodbye, and thanks for chatting!")
            await conversation.disconnect(region, session)
        elif _has_word(text, "agent"):
            session.waiting_for_agent = True
            await conversation.bot_say(region, session, "I'm handing you over to a person. An agent will join shortly.")
        elif _has_word(text, "menu"):
            await conversation.bot_say(region, session, "What would you like to do?", content=QUICK_REPLIES)
        elif _has_word(text, "card"):
            await conversation.bot_say(region, session, "Here is a card.", content=CARD)
        elif not text.strip():
            await conversation.bot_say(region, session, "Thanks, I received your file.")
        elif session.waiting_for_agent:
            await conversation.bot_say(region, session, "You're in the queue. An agent will be with you shortly.")
        else:
            reply = "You said: \u201c%s\u201d. Type 'menu' for options." % text[:200]
            await conversation.bot_say(region, session, reply)

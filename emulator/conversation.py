"""What the platform side of a conversation can do to a guest: bot and agent messages,
typing, disconnect. The socket handler, the scripted bot and the control API all use these,
so a message looks the same whoever triggers it.
"""
from . import frames


def sender_of(session):
    return session.agent if session.agent else frames.DEMO_BOT


async def typing(region, session):
    await region.push_message(session, frames.event_body([frames.typing_event()], "Outbound"))


async def bot_say(region, session, text, content=None):
    body = frames.text_body(text, "Outbound", "Bot", frames.DEMO_BOT, content=content)
    await region.push_message(session, body)
    return body


async def agent_say(region, session, text, content=None):
    body = frames.text_body(text, "Outbound", "Human", session.agent, content=content)
    await region.push_message(session, body)
    return body


def agent_join(session, first_name, last_name=None, nickname=None, image=None):
    """A human takes the conversation. The guest gets no frame: the reference documents none."""
    agent = {"firstName": first_name}
    if last_name:
        agent["lastName"] = last_name
    agent["nickname"] = nickname or first_name
    if image:
        agent["image"] = image
    session.agent = agent
    session.waiting_for_agent = False
    return agent


async def disconnect(region, session, read_only=None):
    """Outbound Presence Disconnect; with `readOnly:"true"` metadata the conversation is over."""
    deployment = region.deployments.get(session.deployment_id)
    if read_only is None:
        read_only = deployment is None or deployment.disconnect_type == "ReadOnly"
    metadata = {"readOnly": "true"} if read_only else None
    body = frames.event_body([frames.presence_event("Disconnect")], "Outbound", metadata)
    session.agent = None
    session.waiting_for_agent = False
    if read_only:
        session.read_only = True
    await region.push_message(session, body)
    return body


async def expire(region, session, close=False):
    """SessionExpiredEvent to every socket, which leave the session; `close` also closes them
    (the TTL ran out on its own: nothing more can happen on those sockets)."""
    # type "response" as in the transport SDK's fixture, although nothing asked for it
    await region.push(session, frames.envelope("response", "SessionExpiredEvent", {}))
    region.drop_session(session)
    for connection in session.connections:
        connection.token = None
        if close:
            await connection.close(1000, "session expired")
    session.connections.clear()

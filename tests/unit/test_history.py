"""Gap-free history after (re)configure, and no double sends. Portable."""
from app.chat.controller import Controller
from app.protocol import history as h
from tests.unit.fakes import FakePorts, server, text_from
from tests.unit.test_controller import DEPLOYMENT, PAGE, SETTINGS

T0 = "2026-01-01T00:00:"


def entity(msg_id, text, direction="Outbound", second=10, entity_kind="Bot"):
    return {"id": msg_id, "type": "Text", "text": text, "direction": direction,
            "channel": {"time": T0 + "%02d.000Z" % second}, "originatingEntity": entity_kind}


def numbered(first, last):
    """Messages m<i> "msg <i>" for i in [first, last), one a second."""
    return [entity("m%03d" % i, "msg %d" % i, second=i % 60) for i in range(first, last)]


def missing(ports, count):
    """Which of "msg 0" ... "msg <count - 1>" the panel does not show."""
    shown = set(r.text for r in ports.view.rows)
    return [t for t in ("msg %d" % i for i in range(count)) if t not in shown]


class FakeHistory:
    """Pages newest first, like the service."""

    def __init__(self, entities, page_size=25):
        self.entities = list(entities)  # oldest first
        self.page_size = page_size
        self.calls = []
        self.status = 200

    def __call__(self, url, headers):
        page = int(url.split("pageNumber=")[1])
        self.calls.append((page, headers))
        if self.status != 200:
            return self.status, None
        newest = list(reversed(self.entities))
        chunk = newest[(page - 1) * self.page_size: page * self.page_size]
        count = (len(newest) + self.page_size - 1) // self.page_size
        return 200, {"entities": chunk, "pageSize": self.page_size, "pageNumber": page,
                     "total": len(newest), "pageCount": count}


def setup(history):
    ports = FakePorts({"/deployments/dep-1/config.json": (200, DEPLOYMENT), "8765/config.json": (200, SETTINGS),
                       "?pageSize=": history})
    ctl = Controller(ports)
    ctl.boot(PAGE)
    ctl.open_panel()
    ctl.on_open()
    return ctl, ports


def answer_jwt(ctl, ports, jwt="jwt-1"):
    requests = [f for f in ports.sent if f["action"] == "getJwt"]
    if requests:
        ctl.on_text(server("JwtResponse", {"jwt": jwt, "exp": ports.epoch_s() + 900}, kind="response",
                           tracing_id=requests[-1]["tracingId"]))


def session_ok(ctl, new=False):
    ctl.on_text(server("SessionResponse", {"connected": True, "newSession": new}, kind="response"))


def configure(ctl, ports, new=False):
    session_ok(ctl, new)
    answer_jwt(ctl, ports)


def reopen(ctl, ports):
    ports.advance(2000)
    ctl.on_open()


def sent_texts(ports):
    return [f["message"].get("text") for f in ports.sent if f["action"] == "onMessage"]


def submit_then_drop(ctl, ports, text):
    configure(ctl, ports, new=True)
    ports.advance(600)
    ctl.submit(text)
    ports.advance(10)
    ctl.on_close(1006)  # dropped before the echo


def test_history_url_and_page_parsing():
    assert h.history_url("https://api.x", 2) == "https://api.x/api/v2/webmessaging/messages?pageSize=25&pageNumber=2"
    page = h.parse_page({"entities": [entity("b", "2"), entity("a", "1")], "pageNumber": 1, "pageCount": 3,
                         "total": 52, "pageSize": 2})
    assert [m.id for m in page.messages] == ["a", "b"] and page[1:] == (1, 3, 52, 2)
    assert h.parse_page("junk") == ([], 0, 0, None, 25)
    assert h.parse_page({"entities": [1, None]})[0] == []


def test_after_configure_history_fills_what_the_socket_missed():
    history = FakeHistory([entity("m1", "Hello"), entity("m2", "Sent while you were away", second=20)])
    ctl, ports = setup(history)
    configure(ctl, ports)
    assert history.calls[0] == (1, {"Authorization": "bearer jwt-1"})
    assert [r.text for r in ports.view.rows] == ["Hello", "Sent while you were away"]


def test_fresh_page_loads_the_newest_page_and_offers_earlier():
    history = FakeHistory(numbered(0, 60), page_size=10)
    ctl, ports = setup(history)
    configure(ctl, ports)
    assert [c[0] for c in history.calls] == [1]
    assert [r.text for r in ports.view.rows] == ["msg %d" % i for i in range(50, 60)]
    assert ports.view.earlier is True


def _reconnect(ctl, ports):
    ctl.on_close(1006)
    reopen(ctl, ports)
    configure(ctl, ports)


def test_catch_up_pages_back_to_the_newest_message_seen_before_the_gap():
    history = FakeHistory(numbered(0, 10), page_size=10)
    ctl, ports = setup(history)
    configure(ctl, ports)
    ports.advance(1000)
    # 25 agent messages while the socket is down; one more arrives live right after the reconnect,
    # and it must not end the search (it is newer than the gap).
    history.entities += numbered(10, 35)
    history.entities.append(entity("live", "live one", second=59))
    ctl.on_close(1006)
    reopen(ctl, ports)
    session_ok(ctl)
    ctl.on_text(text_from("Outbound", "live one", "live", time=T0 + "59.000Z"))
    answer_jwt(ctl, ports)
    assert [c[0] for c in history.calls] == [1, 1, 2, 3, 4]  # one page past the anchor: the reorder margin
    assert missing(ports, 35) == []


def test_catch_up_stops_after_reading_its_limit():
    from app.chat.history import MAX_CATCH_UP
    history = FakeHistory(numbered(0, 2))
    ctl, ports = setup(history)
    configure(ctl, ports)
    history.entities += numbered(2, MAX_CATCH_UP + 100)
    _reconnect(ctl, ports)
    ports.advance(10 * 60_000)  # the catch-up is paced at 10 fetches a minute
    pages = MAX_CATCH_UP // history.page_size
    assert [c[0] for c in history.calls] == [1] + list(range(1, pages + 1))
    assert ports.view.earlier is True


def test_catch_up_skips_pages_that_slid_while_the_conversation_went_on():
    # Page numbers count from the newest message: 30 new messages between two fetches move every
    # page back by three (page size 10). The cursor then asks for the page that now holds the
    # oldest unread message instead of re-reading pages 3 and 4.
    history = FakeHistory(numbered(0, 3), page_size=10)
    ctl, ports = setup(history)
    configure(ctl, ports)
    history.entities += numbered(3, 50)
    answer = ports.responses["?pageSize="]

    def growing(url, headers):
        status, data = answer(url, headers)
        if len(history.calls) == 2:  # right after the catch-up's first page
            history.entities += numbered(50, 80)
        return status, data
    ports.responses["?pageSize="] = growing
    _reconnect(ctl, ports)
    ports.advance(60_000)
    assert [c[0] for c in history.calls] == [1, 1, 2, 5, 6, 7, 8]
    assert missing(ports, 50) == []


def test_load_earlier_fetches_the_next_older_page():
    history = FakeHistory(numbered(0, 30), page_size=5)
    ctl, ports = setup(history)
    configure(ctl, ports)
    assert len(ports.view.rows) == 5
    ctl.load_earlier()
    assert history.calls[-1][0] == 2 and len(ports.view.rows) == 10
    assert ports.view.rows[0].text == "msg 20"


def test_history_token_refused_by_rate_limit_is_asked_again():
    history = FakeHistory([entity("m1", "Hello")])
    ctl, ports = setup(history)
    ctl.on_text(server("SessionResponse", {"connected": True, "newSession": False}, kind="response"))
    jwt = [f for f in ports.sent if f["action"] == "getJwt"][-1]
    ctl.on_text(server("TooManyRequestsErrorMessage", {"retryAfter": 2, "errorCode": 4029, "errorMessage": "slow",
                                                       "name": "n", "message": "m"}, 429, "response", jwt["tracingId"]))
    ports.advance(2100)
    again = [f for f in ports.sent if f["action"] == "getJwt"]
    assert len(again) == 2
    ctl.on_text(server("JwtResponse", {"jwt": "jwt-9", "exp": ports.epoch_s() + 900}, kind="response",
                       tracing_id=again[-1]["tracingId"]))
    assert [r.text for r in ports.view.rows] == ["Hello"]


def test_held_sends_go_anyway_when_history_never_answers():
    history = FakeHistory([entity("b1", "Hi", second=1)])
    ctl, ports = setup(history)
    submit_then_drop(ctl, ports, "waiting")
    reopen(ctl, ports)
    session_ok(ctl)  # getJwt is never answered
    ports.advance(16_000)
    assert sent_texts(ports).count("waiting") == 2


def test_an_attempted_send_found_in_history_is_not_sent_again():
    history = FakeHistory([entity("b1", "Hi", second=1)])
    ctl, ports = setup(history)
    submit_then_drop(ctl, ports, "did this arrive?")
    history.entities.append(entity("g1", "did this arrive?", direction="Inbound", second=30, entity_kind=""))
    reopen(ctl, ports)
    configure(ctl, ports)
    ports.advance(2000)
    assert sent_texts(ports).count("did this arrive?") == 1
    row = [r for r in ports.view.rows if r.side == "guest"]
    assert [(r.key, r.status) for r in row] == [("g1", "sent")] and ctl.outbox.items == []


def test_an_attempted_send_missing_from_history_goes_again_once():
    history = FakeHistory([entity("b1", "Hi", second=1)])
    ctl, ports = setup(history)
    submit_then_drop(ctl, ports, "lost in transit")
    reopen(ctl, ports)
    configure(ctl, ports)
    ports.advance(2000)
    assert sent_texts(ports).count("lost in transit") == 2
    assert [r.status for r in ports.view.rows if r.side == "guest"] == ["pending"]


def test_history_failure_releases_held_sends():
    history = FakeHistory([])
    history.status = 500
    ctl, ports = setup(history)
    submit_then_drop(ctl, ports, "x")
    reopen(ctl, ports)
    configure(ctl, ports)
    ports.advance(1000)
    assert sent_texts(ports).count("x") == 1  # history is asked again first
    ports.advance(15_000)
    assert sent_texts(ports).count("x") == 2  # then at least once beats never


def test_expired_history_token_is_replaced_once():
    history = FakeHistory([entity("m1", "Hello")])
    ctl, ports = setup(history)
    history.status = 401
    configure(ctl, ports)
    assert [f["action"] for f in ports.sent].count("getJwt") == 2
    history.status = 200
    ctl.on_text(server("JwtResponse", {"jwt": "jwt-2", "exp": ports.epoch_s() + 900}, kind="response"))
    assert history.calls[-1][1] == {"Authorization": "bearer jwt-2"}
    assert [r.text for r in ports.view.rows] == ["Hello"]


def test_history_fetches_stay_within_ten_a_minute():
    history = FakeHistory([entity("m%02d" % i, "m", second=i % 60) for i in range(300)], page_size=5)
    ctl, ports = setup(history)
    configure(ctl, ports)
    for _ in range(10):
        ctl.load_earlier()
    assert len(history.calls) == 10
    ports.advance(61_000)
    assert len(history.calls) == 11


def test_catch_up_looks_past_the_anchor_for_messages_reordered_around_a_drop():
    # m2 was delivered before m1 (reordering), then the socket dropped with m1 still in flight.
    history = FakeHistory([entity("m0", "zero", second=1), entity("m1", "one", second=10),
                           entity("m2", "two", second=11)], page_size=1)
    ctl, ports = setup(history)
    ctl.on_text(server("SessionResponse", {"connected": True, "newSession": False}, kind="response"))
    ctl.on_text(text_from("Outbound", "two", "m2", time=T0 + "11.000Z"))
    jwt = [f for f in ports.sent if f["action"] == "getJwt"][-1]
    history.entities = [entity("m0", "zero", second=1)]  # the first page load saw only the oldest
    ctl.on_text(server("JwtResponse", {"jwt": "j", "exp": ports.epoch_s() + 900}, kind="response",
                       tracing_id=jwt["tracingId"]))
    history.entities = [entity("m0", "zero", second=1), entity("m1", "one", second=10),
                        entity("m2", "two", second=11)]
    _reconnect(ctl, ports)
    assert "one" in [r.text for r in ports.view.rows]


def test_a_catch_up_cut_short_by_another_drop_resumes_from_the_same_anchor():
    history = FakeHistory(numbered(0, 3), page_size=3)
    ctl, ports = setup(history)
    configure(ctl, ports)
    history.entities += numbered(3, 12)
    ctl.on_close(1006)
    ports.advance(2000)
    ctl.on_open()
    ctl.on_text(server("SessionResponse", {"connected": True, "newSession": False}, kind="response"))
    ctl.on_text(text_from("Outbound", "live", "live", time=T0 + "59.000Z"))
    ctl.on_close(1006)  # dropped again before the history token came
    ports.advance(2000)
    ctl.on_open()
    configure(ctl, ports)
    assert missing(ports, 12) == []


def test_a_busy_history_page_is_asked_again_not_given_up():
    history = FakeHistory([entity("m1", "Hello")])
    history.status = 429
    ctl, ports = setup(history)
    configure(ctl, ports)
    assert len(history.calls) == 1 and ports.view.rows == ()
    history.status = 200
    ports.advance(6100)
    assert len(history.calls) == 2 and [r.text for r in ports.view.rows] == ["Hello"]


def test_two_reconnects_in_a_row_still_fill_the_whole_gap():
    history = FakeHistory(numbered(0, 3), page_size=3)
    ctl, ports = setup(history)
    configure(ctl, ports)
    history.entities += numbered(3, 20)
    pending = []
    history_answer = ports.responses["?pageSize="]
    ports.responses["?pageSize="] = lambda url, headers: pending.append((url, headers)) or (0, None)
    ctl.on_close(1006)
    reopen(ctl, ports)
    configure(ctl, ports)  # this catch-up's page 1 is in flight ...
    ctl.on_close(1006)
    reopen(ctl, ports)
    ports.responses["?pageSize="] = history_answer
    configure(ctl, ports)  # ... when a second reconnect starts another one
    ports.advance(60_000)
    assert missing(ports, 20) == []


def test_a_reload_before_the_catch_up_finished_still_fills_the_gap():
    history = FakeHistory(numbered(0, 3), page_size=3)
    ctl, ports = setup(history)
    configure(ctl, ports)
    history.entities += numbered(3, 12)
    history_answer = ports.responses["?pageSize="]
    ports.responses["?pageSize="] = lambda url, headers: (0, None)  # the catch-up never gets an answer
    ctl.on_close(1006)
    reopen(ctl, ports)
    configure(ctl, ports)
    history.entities.append(entity("live", "live one", second=59))
    ctl.on_text(text_from("Outbound", "live one", "live", time=T0 + "59.000Z"))
    ctl.flush()  # the page is closed: what it showed is in storage, the gap is not
    again = FakePorts(dict(ports.responses), start_ms=ports.now + 1000)
    again.store = ports.store
    again.responses["?pageSize="] = history_answer
    ctl = Controller(again)
    ctl.boot(PAGE)
    ctl.on_open()
    configure(ctl, again)
    again.advance(60_000)
    assert missing(again, 12) == []


def test_catch_up_cursor_without_a_total_reads_pages_in_turn():
    from app.chat.history import CatchUp
    cursor = CatchUp()
    cursor.reconnected("a")
    assert cursor.next_page() == 1
    assert cursor.read(["x%d" % i for i in range(3)], 1, None, 3) is True and cursor.next_page() == 2
    assert cursor.read(["y0", "a", "y1"], 2, None, 3) is True and cursor.next_page() == 3
    assert cursor.read(["z0", "z1", "z2"], 3, None, 3) is True  # 4 past the anchor: one more
    assert cursor.read(["w0", "w1", "w2"], 4, None, 3) is False and cursor.complete


def test_catch_up_cursor_reads_each_gap_and_skips_what_came_live_between_them():
    from app.chat.history import CatchUp
    cursor = CatchUp()
    ids = ["m%03d" % i for i in range(200)]  # position = index

    def page(number, total):
        newest = list(reversed(ids[:total]))
        return newest[(number - 1) * 10: number * 10]
    cursor.reconnected("m050")  # the first drop: m051... were missed
    assert cursor.read(page(1, 60), 1, 60, 10) is True  # 59..50: the anchor, not yet 5 past it
    cursor.reconnected("m120")  # page 2 never came: another drop, with m121... missed
    assert cursor.next_page() == 1
    assert cursor.read(page(1, 130), 1, 130, 10) is True  # 129..120
    assert cursor.next_page() == 2  # 119..115 for the margin; 60..119 came live
    assert cursor.read(page(2, 130), 2, 130, 10) is True
    assert cursor.next_page() == 9  # 49..40: 5 below the first gap's anchor
    assert cursor.read(page(9, 130), 9, 130, 10) is False and cursor.complete


def test_catch_up_gaps_survive_a_reload():
    from app.chat.history import CatchUp
    cursor = CatchUp()
    cursor.reconnected("m1")
    cursor.read(["m9", "m8"], 1, 100, 2)
    again = CatchUp.restored(cursor.saved())
    assert again.saved() == {"counted": True, "gaps": [["m1", 99]]}
    assert CatchUp.restored("junk").complete and CatchUp.restored({"gaps": [[1, "x"]]}).gaps[0].anchor is None


def test_a_catch_up_restarted_by_a_reconnect_skips_what_it_already_read():
    history = FakeHistory(numbered(0, 3), page_size=10)
    ctl, ports = setup(history)
    configure(ctl, ports)
    history.entities += numbered(3, 63)
    answer = ports.responses["?pageSize="]

    def counting(url, headers):  # the third call (the catch-up's page 3) fails
        if len(history.calls) == 3:
            history.calls.append((int(url.split("pageNumber=")[1]), headers))
            return 0, None
        return answer(url, headers)
    ports.responses["?pageSize="] = counting
    _reconnect(ctl, ports)
    _reconnect(ctl, ports)  # before the failed page is asked again
    ports.advance(60_000)
    assert [c[0] for c in history.calls] == [1, 1, 2, 3, 1, 3, 4, 5, 6, 7]
    assert missing(ports, 63) == []


def test_after_a_refused_page_no_other_catch_up_asks_before_the_wait():
    history = FakeHistory([entity("m1", "Hello")])
    ctl, ports = setup(history)
    history.status = 429
    configure(ctl, ports)
    assert len(history.calls) == 1
    _reconnect(ctl, ports)  # 2 s later, a new catch-up: it waits too
    assert len(history.calls) == 1
    history.status = 200
    ports.advance(4100)
    assert len(history.calls) == 2 and [r.text for r in ports.view.rows] == ["Hello"]


def test_a_send_found_early_in_a_long_catch_up_is_confirmed_at_once_and_never_sent_again():
    history = FakeHistory(numbered(0, 3), page_size=5)
    ctl, ports = setup(history)
    configure(ctl, ports)  # a returning guest: their conversation so far is read back (the gap's anchor)
    ports.advance(600)
    ctl.submit("did this arrive?")
    ports.advance(10)
    ctl.on_close(1006)  # dropped before the echo
    history.entities += numbered(3, 80)
    history.entities.append(entity("g1", "did this arrive?", direction="Inbound", second=59, entity_kind=""))
    reopen(ctl, ports)
    configure(ctl, ports)
    assert [(r.key, r.status) for r in ports.view.rows if r.side == "guest"] == [("g1", "sent")]
    ports.advance(20_000)  # past the hold limit, with the catch-up still reading (16 pages, 10 a minute)
    assert ctl.sync.catch_up is not None
    assert sent_texts(ports).count("did this arrive?") == 1 and ctl.outbox.items == []


def test_a_message_that_overtakes_the_session_response_does_not_move_the_gap():
    history = FakeHistory(numbered(0, 3), page_size=3)
    ctl, ports = setup(history)
    configure(ctl, ports)
    history.entities += numbered(3, 12)
    history.entities.append(entity("live", "live one", second=59))
    ctl.on_close(1006)
    reopen(ctl, ports)
    ctl.on_text(text_from("Outbound", "live one", "live", time=T0 + "59.000Z"))  # before SessionResponse
    configure(ctl, ports)
    ports.advance(60_000)
    assert missing(ports, 12) == []

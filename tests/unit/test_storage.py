"""The saved transcript: encoded row by row (MicroPython's json.dumps of one long list is slow),
read back the same, and only changed rows encoded again. Portable: CPython, MicroPython, Pyodide."""
import json

from app.chat import transcript as transcript_mod
from app.chat.storage import Storage
from app.chat.transcript import ChatState, Row, guest_row
from app.protocol.jsontext import loads
from tests.unit.fakes import FakePorts


def _state(count):
    state = ChatState()
    for i in range(count):
        state.put(Row("m%d" % i, "bot", "Bot", "", "line %d \U0001F600" % i, "", "2026-01-01T%02d:%02d:%02d.000Z" % (8 + i // 3600, i // 60 % 60, i % 60),
                      "", ()))
    return state


def test_saved_transcript_reads_back_as_the_rows_themselves():
    ports = FakePorts()
    storage = Storage(ports, "dep")
    state = _state(5)
    state.put(guest_row("g1", "hello \"quoted\" \\ and a newline\n"))
    storage.flush(state, None)
    text = ports.load("gc-chat:dep:transcript")
    assert loads(text) == json.loads(json.dumps(state.saved()))
    again = ChatState(loads(text))
    assert [r.key for r in again.ordered()] == [r.key for r in state.ordered()]
    assert again.ordered()[0].text == "line 0 \U0001F600"


def test_only_changed_rows_are_encoded_again_and_the_newest_are_kept():
    ports = FakePorts()
    storage = Storage(ports, "dep")
    state = _state(transcript_mod.MAX_ROWS + 3)
    storage.flush(state, None)
    first = loads(ports.load("gc-chat:dep:transcript"))
    assert len(first) == transcript_mod.MAX_ROWS and first[0]["key"] == "m3"
    cached = dict(storage._row_texts)
    state.set_status("m10", "failed", "no")
    storage.flush(state, None)
    assert storage._row_texts["m11"] is cached["m11"]  # unchanged: its text was reused
    assert storage._row_texts["m10"] is not cached["m10"]
    again = loads(ports.load("gc-chat:dep:transcript"))
    assert [r for r in again if r["key"] == "m10"][0]["status"] == "failed"


def test_the_ordered_rows_grow_by_one_and_stay_right_whatever_the_order_of_arrival():
    state = ChatState()
    seed = 11
    for i in range(120):
        seed = (seed * 1103515245 + 12345) % 2147483648
        second = (i * 7 + (seed >> 16) % 40) % 3600  # mostly later, sometimes earlier than the last
        time = "" if (seed >> 8) % 13 == 0 else "2026-01-01T08:%02d:%02d.000Z" % (second // 60, second % 60)
        state.put(Row("k%d" % i, "bot", "Bot", "", "m%d" % i, "pending" if not time else "", time, "", ()))
        if i % 3 == 0:
            state.ordered()  # cached now: the next put extends or replaces it
        assert state.ordered() == tuple([state.rows[k] for k in state._sorted])
    keys = [r.key for r in state.ordered()]
    assert len(keys) == 120 and len(set(keys)) == 120


def test_a_transcript_of_long_messages_is_saved_within_what_a_reload_can_read():
    from app.chat import storage as storage_mod
    ports = FakePorts()
    storage = Storage(ports, "dep")
    state = ChatState()
    for i in range(400):
        state.put(Row("m%03d" % i, "bot", "Bot", "", "x" * 4000, "", "2026-01-01T%02d:%02d:00.000Z" % (8 + i // 60, i % 60),
                      "", ()))
    storage.flush(state, None)
    text = ports.load("gc-chat:dep:transcript")
    assert len(text) <= storage_mod.MAX_SAVED_CHARS
    rows = loads(text)
    assert 100 < len(rows) < 400 and rows[-1]["key"] == "m399"  # the newest kept, in order
    assert [r["key"] for r in rows] == sorted(r["key"] for r in rows)

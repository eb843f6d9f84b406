"""The transcript's layout made again after a new message from the previous one (render.extended)
must be exactly the layout of everything (render.layout): separators, groups and their ends.
Portable: CPython, MicroPython, Pyodide."""
from app.chat import render as render_mod
from app.chat.transcript import Row

SIDES = (("bot", "Bot"), ("agent", "Sam"), ("guest", "You"), ("system", ""), ("agent", "Kim"))


def _day_key(iso):
    return iso[:10] if iso else None


def _rows(count, seed):
    state = seed
    rows = []
    seconds = 0
    for i in range(count):
        state = (state * 1103515245 + 12345) % 2147483648
        side, author = SIDES[(state >> 8) % len(SIDES)]
        seconds += (30, 200, 400, 3600 * 20)[(state >> 4) % 4]  # within a group, past its gap, next day
        day, rest = divmod(seconds, 86400)
        time = "2026-03-%02d T%02d:%02d:%02d.000Z".replace(" ", "") % (1 + day % 28, rest // 3600, rest // 60 % 60,
                                                                       rest % 60)
        if (state >> 12) % 9 == 0:
            time = ""  # pending: no time yet
        rows.append(Row("k%d" % i, side, author, "", "m%d" % i, "", time, "", ()))
    return tuple(rows)


def test_extended_is_the_layout_of_everything():
    checked = 0
    for seed in range(40):
        rows = _rows(30, seed)
        cut = 1 + seed % 20
        step = 1 + seed % 3
        old = rows[:cut]
        items = render_mod.layout(old, _day_key)
        while len(old) < len(rows):
            new = rows[:len(old) + step]
            again = render_mod.extended(items, old, new, _day_key)
            whole = render_mod.layout(new, _day_key)
            assert again == whole, (seed, len(new))
            items, old = again, new
            checked += 1
    assert checked > 200


def test_anything_but_an_addition_is_laid_out_again():
    rows = _rows(10, 7)
    items = render_mod.layout(rows[:6], _day_key)
    changed = rows[:2] + (Row("k2", "bot", "Bot", "", "edited", "", rows[2].time, "", ()),) + rows[3:8]
    assert render_mod.extended(items, rows[:6], changed, _day_key) is None  # a row before the end changed
    assert render_mod.extended(items, rows[:6], rows[:6], _day_key) is None  # nothing added
    assert render_mod.extended(items, rows[:6], rows[1:9], _day_key) is None  # the first went
    assert render_mod.extended([], (), rows[:3], _day_key) is None  # nothing before

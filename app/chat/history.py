"""When and how far to fetch history, within the service's limit of 10 fetches a minute.

After every (re)configure the controller reads history back from the newest message until it is a
few messages past the anchor (the newest message shown before the gap), so messages sent while the
socket was down are filled in. "Load earlier" asks for the next older page. A JWT is reused until
5 s before expiry.
"""
FETCHES_PER_MINUTE = 10
MAX_CATCH_UP = 1000  # messages read back in one catch-up; beyond, "Load earlier"
REORDER_MARGIN = 5  # delivery order is not guaranteed: read this many messages past the anchor
JWT_MARGIN_S = 5


class HistoryPolicy:
    def __init__(self):
        self.jwt = ""
        self.jwt_expires_s = 0
        self.fetch_times = []  # ms of recent fetches, for the per-minute budget
        self.blocked_until_ms = 0  # after a refusal: no fetch before then, whoever asks
        self.oldest_page = 0  # the oldest page loaded so far (0: none)
        self.page_count = 0

    def jwt_valid(self, epoch_s):
        return bool(self.jwt) and epoch_s < self.jwt_expires_s - JWT_MARGIN_S

    def set_jwt(self, jwt, expires_s):
        self.jwt = jwt
        self.jwt_expires_s = expires_s or 0

    def drop_jwt(self):
        self.jwt = ""
        self.jwt_expires_s = 0

    def wait_ms(self, now_ms):
        """How long until another fetch fits the per-minute budget (0: now)."""
        self.fetch_times = [t for t in self.fetch_times if now_ms - t < 60_000]
        blocked = max(0, self.blocked_until_ms - now_ms)
        if len(self.fetch_times) < FETCHES_PER_MINUTE:
            return blocked
        return max(blocked, 60_000 - (now_ms - self.fetch_times[0]) + 1)

    def refused(self, now_ms, wait_ms):
        """The service refused (or failed) a fetch. Its count may include fetches this page never
        made (an earlier page load), so every fetch waits, not only the retry."""
        self.blocked_until_ms = max(self.blocked_until_ms, now_ms + wait_ms)

    def note_fetch(self, now_ms):
        self.fetch_times.append(now_ms)

    def page_loaded(self, page_number, page_count):
        self.page_count = page_count
        if page_number > self.oldest_page:
            self.oldest_page = page_number

    @property
    def has_earlier(self):
        return self.oldest_page < self.page_count


class Gap:
    """What one drop may have hidden: from a little below the anchor (the newest message shown
    before the drop) up to the ceiling (the newest message when page 1 was read after the
    reconnect; anything newer came live on the socket)."""

    def __init__(self, anchor, ceiling=None):
        self.anchor = anchor  # message id, or None when nothing was shown
        self.ceiling = ceiling  # a position (0: the conversation's first message), once known
        self.anchor_at = None  # the anchor's position, once read


class CatchUp:
    """Fills the gaps that drops left, reading history pages within the service's limits.

    Page numbers count from the newest message, so while the conversation goes on every page
    slides towards older messages between two fetches. Each message is therefore placed by its
    position from the oldest (the page's `total` tells it; history only grows), the positions read
    are kept, and the next page asked for is the one holding the newest position still needed,
    computed from the last total seen. The real total can only be larger, so a page may overlap
    what was read but never skip past it.

    Every reconnect adds a gap; what lies between two gaps came live on the socket and is not read
    again, so frequent drops in a busy conversation do not make each pass start over from the
    newest message. A gap more than MAX_CATCH_UP messages deep is left to "Load earlier". A service
    that gives no total gets pages 1, 2, 3... from the oldest gap's anchor.
    """

    def __init__(self):
        self.gaps = []  # oldest first
        self.page_size = 0  # as the service answered
        self.total = 0  # the last total seen
        self.counted = False  # the service gives totals
        self.read_ranges = []  # [low, high] positions read, newest first
        self.positions = {}  # message id -> position, for anchors read before they became anchors
        self.fresh = True  # the next page is page 1

    # -- bookkeeping across reconnects and reloads --------------------------------------------
    def reconnected(self, anchor):
        """A (re)configure: `anchor` is the id of the newest message shown (None: nothing)."""
        self.fresh = True
        if not self.counted and self.gaps:  # positions from an older pass mean nothing: start over
            self.gaps = [Gap(self.gaps[0].anchor)]
            self.read_ranges = []
            self.positions = {}
        elif not self.gaps or self.gaps[-1].ceiling is not None:
            gap = Gap(anchor)
            gap.anchor_at = self.positions.get(anchor)
            self.gaps.append(gap)
        # else the last gap never got its page 1: it now reaches up to this reconnect's

    @property
    def complete(self):
        return not self.gaps

    def saved(self):
        return {"counted": self.counted, "gaps": [[g.anchor, g.ceiling] for g in self.gaps]}

    @classmethod
    def restored(cls, data):
        catch_up = cls()
        if isinstance(data, dict) and isinstance(data.get("gaps"), list):
            catch_up.counted = data.get("counted") is True
            for item in data["gaps"]:
                if isinstance(item, list) and len(item) == 2:
                    ceiling = item[1] if isinstance(item[1], int) and catch_up.counted else None
                    catch_up.gaps.append(Gap(item[0] if isinstance(item[0], str) else None, ceiling))
        return catch_up

    # -- reading ---------------------------------------------------------------------------
    def next_page(self):
        position = self._needed()
        if self.fresh or not self.page_size or position is None:
            return 1
        return (self.total - 1 - position) // self.page_size + 1

    def _unread_below(self, position):
        for low, high in self.read_ranges:  # newest first
            if low <= position <= high:
                position = low - 1
        return position

    def _floor(self, gap):
        if gap.anchor is None:  # nothing was shown: the newest page, the rest is "Load earlier"
            return gap.ceiling - max(1, self.page_size) + 1
        if gap.anchor_at is None:
            return None  # not found yet: keep reading down
        return gap.anchor_at - REORDER_MARGIN

    def _needed(self):
        """The newest position some gap still needs (None: none), closing the gaps that are done."""
        best = None
        for gap in list(self.gaps):
            if gap.ceiling is None:
                continue
            position = self._unread_below(gap.ceiling)
            floor = self._floor(gap)
            done = position < 0 if self.counted else False
            if floor is not None and position < floor:
                done = True
            if gap.ceiling - position >= MAX_CATCH_UP:
                done = True  # deeper than one catch-up goes: "Load earlier" has the rest
            if done:
                self.gaps.remove(gap)
            elif best is None or position > best:
                best = position
        return best

    def _mark_read(self, low, high):
        merged = []
        for r_low, r_high in sorted(self.read_ranges + [[low, high]], key=lambda r: -r[1]):
            if merged and r_high >= merged[-1][0] - 1:
                merged[-1][0] = min(merged[-1][0], r_low)
            else:
                merged.append([r_low, r_high])
        self.read_ranges = merged

    def read(self, ids, page_number, total, page_size):
        """A page arrived (ids newest first). True: read another page (`next_page()`)."""
        self.page_size = page_size
        if total is not None:
            self.counted = True
            self.total = max(self.total, total)
        top = (total if total is not None else 0) - 1 - (page_number - 1) * page_size
        if self.fresh:
            self.fresh = False
            for gap in self.gaps:
                if gap.ceiling is None:
                    gap.ceiling = top
        if ids:
            self._mark_read(top - len(ids) + 1, top)
        anchors = {}
        for gap in self.gaps:
            if gap.anchor is not None and gap.anchor_at is None:
                anchors[gap.anchor] = gap
        for i, message_id in enumerate(ids):
            self.positions[message_id] = top - i
            if message_id in anchors:
                anchors[message_id].anchor_at = top - i
        if len(ids) < page_size:  # the conversation's first page: nothing older to read
            self.gaps = []
        return self._needed() is not None

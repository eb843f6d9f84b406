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
        if len(self.fetch_times) < FETCHES_PER_MINUTE:
            return 0
        return 60_000 - (now_ms - self.fetch_times[0]) + 1

    def note_fetch(self, now_ms):
        self.fetch_times.append(now_ms)

    def page_loaded(self, page_number, page_count):
        self.page_count = page_count
        if page_number > self.oldest_page:
            self.oldest_page = page_number

    @property
    def has_earlier(self):
        return self.oldest_page < self.page_count


class CatchUp:
    """One pass reading history back from the newest message to a little past the anchor.

    Page numbers count from the newest message, so while the conversation goes on every page
    slides towards older messages between two fetches. Reading page 1, 2, 3... would then re-read
    what it already has, and at 10 fetches a minute a busy conversation can outrun it. Instead each
    message gets its position from the oldest (the page's `total` tells it; history only grows),
    and the next page asked for is the one that holds the message just below the oldest one read,
    computed from the last total seen. The real total can only be larger, so a page can overlap the
    last one but never skip past it. A service that gives no total gets pages 1, 2, 3...
    """

    def __init__(self, anchor):
        self.anchor = anchor  # id of the newest message shown before the gap (None: nothing shown)
        self.page_size = 0  # as the service answered
        self.total = 0  # the largest total seen
        self.first_total = None
        self.low = None  # position of the oldest message read so far (0: the conversation's first)
        self.anchor_at = None  # the anchor's position, once read
        self.complete = False  # reached the anchor (or the conversation's start)

    def next_page(self):
        if self.low is None:
            return 1
        return (self.total - self.low) // self.page_size + 1

    def read(self, ids, page_number, total, page_size):
        """A page arrived (ids newest first). True: read another page (`next_page()`)."""
        self.page_size = page_size
        if total is not None and total > self.total:
            self.total = total
        if self.first_total is None:
            self.first_total = self.total
        top = self.total - 1 - (page_number - 1) * self.page_size
        for i, message_id in enumerate(ids):
            if message_id == self.anchor and self.anchor_at is None:
                self.anchor_at = top - i
        if ids:
            bottom = top - len(ids) + 1
            self.low = bottom if self.low is None else min(self.low, bottom)
        at_start = len(ids) < self.page_size or (self.total and self.low is not None and self.low <= 0)
        past_anchor = self.anchor is None or (self.anchor_at is not None and self.low <= self.anchor_at - REORDER_MARGIN)
        if past_anchor or at_start:
            self.complete = True
            return False
        return self.first_total - self.low < MAX_CATCH_UP

"""When and how far to fetch history, within the service's limit of 10 fetches a minute.

After every (re)configure the controller fetches page 1 and keeps paging back until a page overlaps
what is already shown (or the conversation's start), so messages sent while the socket was down
are filled in. "Load earlier" asks for the next older page. A JWT is reused until 5 s before expiry.
"""
FETCHES_PER_MINUTE = 10
MAX_CATCH_UP_PAGES = 40  # 1,000 messages; paced by the 10-a-minute budget; beyond, "Load earlier"
JWT_MARGIN_S = 5


class HistoryPolicy:
    def __init__(self):
        self.jwt = ""
        self.jwt_expires_s = 0
        self.fetch_times = []  # ms of recent fetches, for the per-minute budget
        self.oldest_page = 0  # the oldest page loaded so far (0: none)
        self.page_count = 0
        self.catching_up = False
        self.catch_up_pages = 0

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

    def start_catch_up(self):
        self.catching_up = True
        self.catch_up_pages = 0

    def more_to_catch_up(self, overlapped, page_number, page_count):
        """After a catch-up page: fetch the next older one?"""
        self.catch_up_pages += 1
        if overlapped or page_number >= page_count or self.catch_up_pages >= MAX_CATCH_UP_PAGES:
            self.catching_up = False
            return False
        return True

    @property
    def has_earlier(self):
        return self.oldest_page < self.page_count

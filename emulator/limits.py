"""Sliding-window rate limits (anchors §0 item 4, reference §3.9), each a per-deployment setting.

| limit | scope | default | over it |
|---|---|---|---|
| `requestsPerMinute` | every socket request, per connection | 60 | 429 TooManyRequestsErrorMessage |
| `healthChecksPerMinute` | `echo`, per connection | 2 | 429 TooManyRequestsErrorMessage |
| `historyFetchesPerMinute` | history REST, per session | 10 | HTTP 429 + `Retry-After` |
| `messagesPerSecond` | `onMessage`, per session | 2 | 429 (socket.py, kept where it was) |

A rejected request does not count, so a client that backs off for `retryAfter` gets through.
0 turns a limit off. Each function returns None when the call may proceed, else the whole
seconds to wait (at least 1).
"""
import math
import time

MINUTE = 60.0


def _take(times, limit, window):
    now = time.monotonic()
    times[:] = [t for t in times if now - t < window]
    if limit and len(times) >= limit:
        return max(1, math.ceil(window - (now - times[0])))
    times.append(now)
    return None


def socket_request(connection):
    return _take(connection.request_times, connection.deployment.requests_per_minute, MINUTE)


def health_check(connection):
    return _take(connection.echo_times, connection.deployment.health_checks_per_minute, MINUTE)


def history_fetch(session, deployment):
    return _take(session.history_times, deployment.history_fetches_per_minute, MINUTE)

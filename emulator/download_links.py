"""Signed, expiring download URLs for guest attachments.

A real region hands out S3 presigned GET URLs that stop working after about ten minutes
(reference §3.9); clients are expected to ask `getAttachment` for a fresh one. The emulator
signs `?expires=<epoch s>&sig=<hmac>` so an old link fails the same way without keeping
per-link state.
"""
import hashlib
import hmac
import secrets
import time
import urllib.parse


class DownloadLinks:
    def __init__(self):
        self._key = secrets.token_bytes(32)

    def _sig(self, attachment_id, expires):
        message = ("%s\n%d" % (attachment_id, expires)).encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def url(self, base, attachment_id, seconds):
        # Rounded up so a link is never shorter-lived than the deployment's setting.
        expires = int(time.time() + seconds) + (0 if float(seconds).is_integer() else 1)
        query = urllib.parse.urlencode({"expires": expires, "sig": self._sig(attachment_id, expires)})
        return "%s/uploads/%s?%s" % (base, urllib.parse.quote(attachment_id, safe=""), query)

    def check(self, attachment_id, query):
        """None when the link is good, else "invalid" (not ours / tampered) or "expired"."""
        try:
            expires = int(query.get("expires", ""))
        except ValueError:
            return "invalid"
        if not hmac.compare_digest(self._sig(attachment_id, expires), query.get("sig", "")):
            return "invalid"
        return "expired" if time.time() >= expires else None

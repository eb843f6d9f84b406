"""A corpus of hostile strings for the chat's renderer, and the checks that go with it.

Everything a message carries comes from the network; none of it may execute or inject markup.

- `PAYLOADS`: HTML / Markdown / URL / template / Unicode attacks (strings). Payload `i` calls
  `window.__xss(i)` if it ever runs, so a recorder (`RECORDER_JS`, `XssRecorder`) tells which one
  got through. Some payloads cannot execute in a browser at all (vbscript:, template syntax for
  engines the page does not have, CSS expression()); they are there to be shown as text.
- `UNSAFE_URLS`: values for fields that hold a URL; none may become an `href` or `src` (they are
  not absolute http(s) URLs, or they are and carry quotes/control characters a careless string
  builder would break out of). URL `j` calls `window.__xss(1000 + j)` if it runs.
- `messages(kinds=None)`: bodies for `POST /_emulator/sessions/{token}/bot/say` (or agent/say) that
  together put every payload through every field a message can carry, and every unsafe URL through
  every URL field. At most 10 payloads per message; one pass of ~21 messages per kind
  (MESSAGE_KINDS), so a test per kind (a fresh chat each) keeps the DOM and the run short: a whole
  kind renders in a few seconds on either interpreter, all kinds in one chat take about a minute.
  Attachment messages carry several Attachment items (the schema's MessageContent text says a
  message with an Attachment has only one; a renderer should still draw them all).
- `agent_identities()`: bodies for `POST /_emulator/sessions/{token}/agent/join`.
- `DOM_CHECK_JS`: a function for `page.evaluate(DOM_CHECK_JS, "#chat-panel")` that lists what
  should not be in the rendered chat (foreign elements, event-handler attributes, script URLs,
  links that are not http(s)/mailto/tel or open a new tab without rel=noopener noreferrer).
  It sees only what is in the DOM when it runs: quick replies a renderer removes once a newer
  message arrives are checked only if the test runs it before that.
- `RECORDER_JS` / `XssRecorder(page)`: record `window.__xss` calls (all frames) and dialogs.

Typical use in a test:

    recorder = XssRecorder(page)          # before page.goto: init script + dialog listener
    ...open the chat, get the token...
    for body in xss_corpus.messages(["card"]):
        httpx.post(emulator + "/_emulator/sessions/%s/bot/say" % token, json=body)
    ...wait until the messages are rendered...
    assert recorder.fired() == [], recorder.explain()
    assert page.evaluate(xss_corpus.DOM_CHECK_JS, "#chat-panel") == []

All bodies validate against the shyrka schema (test_harness_blocks.py checks each content item
against its Content* definition and each body as a StructuredMessage frame), so they pass the
`emu` fixture's frame validation. No string holds a lone surrogate (JSON text we send must be UTF-8).
"""
import base64
import datetime
import json

URL_ID_BASE = 1000


def _x(n):
    return "window.__xss(%d)" % n


def _b64(text):
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _entities(text, hex_=False):
    return "".join(("&#x%X;" % ord(c)) if hex_ else ("&#%d;" % ord(c)) for c in text)


# Each template is a string, where "§X" becomes `window.__xss(<id>)` and "§N" the bare id, or a
# function of the id. The id of a payload is its index in PAYLOADS.
_TEMPLATES = [
    # --- script tags: plain, mixed case, broken, nested ---------------------------------------
    "<script>§X</script>",
    "<SCRIPT>§X</SCRIPT>",
    "<ScRiPt>§X</sCrIpT>",
    "<script >§X</script >",
    "<script/src=data:,§X></script>",
    "<script\n>§X</script\n>",
    "<script>§X",
    "<scr<script>ipt>§X</scr</script>ipt>",
    "<<script>§X//<</script>",
    "<script>eval('window.__x'+'ss(§N)')</script>",
    "<script type=module>§X</script>",
    "<script src=\"data:text/javascript,§X\"></script>",
    "\"><script>§X</script>",
    "'><script>§X</script>",
    "</textarea><script>§X</script>",
    "</title></style></noscript><script>§X</script>",
    "</script><script>§X</script>",
    "<script>/*</script><script>*/§X</script>",
    "<noscript><p title=\"</noscript><img src=x onerror=§X>\">",
    "<x:script xmlns:x=\"http://www.w3.org/1999/xhtml\">§X</x:script>",
    # --- event handlers ------------------------------------------------------------------------
    "<img src=x onerror=§X>",
    "<img src=\"x\" onerror=\"§X\">",
    "<IMG SRC=x ONERROR=§X>",
    "<img/src=\"x\"/onerror=§X>",
    "<img src=x onerror  =  '§X'>",
    "<img src=x onerror=§X//",
    "<img src=x onerror=&#119;indow.__xss(§N)>",
    "<img src=x onerror=\\u0077indow.__xss(§N)>",
    "<img src=x onerror=`§X`>",
    "<img src=\"x`\" `onerror=§X>",
    "<image src=x onerror=§X>",
    "<svg onload=§X>",
    "<svg/onload=§X>",
    "<body onload=§X>",
    "<body onpageshow=§X>",
    "<details open ontoggle=§X>",
    "<details/open/ontoggle=\"§X\"><summary>x</summary></details>",
    "<input autofocus onfocus=§X>",
    "<select autofocus onfocus=§X></select>",
    "<textarea autofocus onfocus=§X></textarea>",
    "<xss id=x tabindex=1 autofocus onfocus=§X></xss>",
    "<input type=image src=x onerror=§X>",
    "<video><source onerror=§X></video>",
    "<audio src=x onerror=§X>",
    "<video src=x onerror=§X></video>",
    "<marquee onstart=§X>x</marquee>",
    "<div onmouseover=§X style=\"position:fixed;inset:0\">hover</div>",
    "<button onclick=§X>click me</button>",
    "<a onmouseover=§X>hover</a>",
    "<style onload=§X></style>",
    "<iframe onload=§X></iframe>",
    "<object data=x onerror=§X></object>",
    "<div style=\"animation:spin 1s\" onanimationstart=§X>x</div>",
    "<form><button formaction=javascript:§X>go</button></form>",
    "<isindex type=image src=x onerror=§X>",
    # --- javascript: URLs in every disguise ------------------------------------------------------
    "<a href=\"javascript:§X\">link</a>",
    "<a href=\"JaVaScRiPt:§X\">link</a>",
    "<a href=\"  javascript:§X\">link</a>",
    "<a href=\"\tjavascript:§X\">link</a>",
    "<a href=\"java\tscript:§X\">link</a>",
    "<a href=\"java\nscript:§X\">link</a>",
    "<a href=\"java\rscript:§X\">link</a>",
    "<a href=\"\x01javascript:§X\">link</a>",
    "<a href=\"java\x00script:§X\">link</a>",
    "<a href=\"&#106;avascript:§X\">link</a>",
    "<a href=\"&#x6A;avascript:§X\">link</a>",
    "<a href=\"&#0000106&#0000097vascript:§X\">link</a>",
    "<a href=\"javascript&colon;§X\">link</a>",
    "<a href=\"java&Tab;script:§X\">link</a>",
    "<a href=\"java&NewLine;script:§X\">link</a>",
    "<a href=\"jav&#x09;ascript:§X\">link</a>",
    lambda n: "<a href=\"%s%s\">link</a>" % (_entities("javascript:"), _x(n)),
    lambda n: "<a href=\"%s%s\">link</a>" % (_entities("javascript:", hex_=True), _x(n)),
    "<a href=\"javascript:%77indow.__xss(§N)\">link</a>",
    "<a href=\"javascript:\\u0077indow.__xss(§N)\">link</a>",
    "<a href=\"javascript://%0a§X\">link</a>",
    "<a href=\"javascript:void(0)\" onclick=\"§X\">link</a>",
    "<iframe src=\"javascript:§X\"></iframe>",
    "javascript:§X",
    "  JAVASCRIPT:§X",
    # --- data: and vbscript: URLs ----------------------------------------------------------------
    "<a href=\"data:text/html,<script>§X</script>\">link</a>",
    lambda n: "<a href=\"data:text/html;base64,%s\">link</a>" % _b64("<script>%s</script>" % _x(n)),
    "<a href=\" DATA:text/html,<script>§X</script>\">link</a>",
    "<iframe src=\"data:text/html,<script>§X</script>\"></iframe>",
    "<img src=\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' onload='§X'/>\">",
    lambda n: "<object data=\"data:image/svg+xml;base64,%s\"></object>" % _b64(
        "<svg xmlns='http://www.w3.org/2000/svg'><script>%s</script></svg>" % _x(n)),
    "<embed src=\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' onload='§X'/>\">",
    "<a href=\"vbscript:msgbox(§N)\">link</a>",
    "<a href=\"VBScript:§X\">link</a>",
    # --- SVG and MathML --------------------------------------------------------------------------
    "<svg><script>§X</script></svg>",
    "<svg><script href=\"data:,§X\"/></svg>",
    "<svg><a xlink:href=\"javascript:§X\"><text x=\"20\" y=\"20\">svg link</text></a></svg>",
    "<svg><a href=\"javascript:§X\"><text x=\"20\" y=\"20\">svg link</text></a></svg>",
    "<svg><animate onbegin=§X attributeName=x dur=1s>",
    "<svg><animate xlink:href=#xss attributeName=href values=javascript:§X />"
    "<a id=xss><text x=20 y=20>x</text></a></svg>",
    "<svg><foreignObject><img src=x onerror=§X></foreignObject></svg>",
    "<svg><image href=x onerror=§X></image></svg>",
    "<svg><style><img src=x onerror=§X></style></svg>",
    "<svg aria-hidden=\"true\"><path d=\"M0 0\"/><script>§X</script></svg>",
    "<svg aria-hidden=\"true\" onload=§X><path d=\"M0 0\"/></svg>",
    "<math href=\"javascript:§X\">math link</math>",
    "<math><maction actiontype=\"statusline#\" xlink:href=\"javascript:§X\">x</maction></math>",
    "<math><mtext><table><mglyph><style><img src=x onerror=§X>",
    "<math><mi xlink:href=\"data:x,<script>§X</script>\">x</mi></math>",
    # --- iframe srcdoc, object, embed, form, meta, base, link, style -----------------------------
    "<iframe srcdoc=\"<script>§X</script>\"></iframe>",
    "<iframe srcdoc=\"&lt;img src=x onerror=§X&gt;\"></iframe>",
    "<object data=\"javascript:§X\"></object>",
    "<object type=\"text/html\" data=\"data:text/html,<script>§X</script>\"></object>",
    "<embed src=\"javascript:§X\">",
    "<form action=\"javascript:§X\"><input type=submit value=go></form>",
    "<form id=xf§N></form><button form=xf§N formaction=\"javascript:§X\">go</button>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:§X\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=data:text/html,<script>§X</script>\">",
    "<base href=\"javascript:§X//\">",
    "<base href=\"https://evil.example/§N/\">",
    "<link rel=import href=\"data:text/html,<script>§X</script>\">",
    "<link rel=stylesheet href=\"javascript:§X\">",
    "<style>@import 'javascript:§X';</style>",
    "<style>@import url(\"https://evil.example/§N.css\");</style>",
    "<div style=\"width: expression(§X)\">css</div>",
    "<div style=\"background:url(javascript:§X)\">css</div>",
    "<style>li{background:url(\"javascript:§X\")}*{color:red!important}</style>",
    "<div style=\"behavior:url(x§N.htc);-moz-binding:url(x.xml#xss)\">css</div>",
    # --- template injection --------------------------------------------------------------------
    "{{constructor.constructor('§X')()}}",
    "{{$on.constructor('§X')()}}",
    "${§X}",
    "#{§X}",
    "<%= §X %>",
    "{{= §X}}",
    "[[${§X}]]",
    "{{'a'.constructor.prototype.charAt=[].join;$eval('x=§X');}}",
    "<div v-html=\"'<img src=x onerror=§X>'\"></div>",
    "{% print(§N) %}{{7*7}}",
    # --- entities and Unicode tricks -------------------------------------------------------------
    "&lt;script&gt;§X&lt;/script&gt;",
    "&#60;img src=x onerror=§X&#62;",
    "&#x3C;img src=x onerror=§X&#x3E;",
    "\\u003cimg src=x onerror=§X\\u003e",
    "\\x3cscript\\x3e§X\\x3c/script\\x3e",
    "%3Cscript%3E§X%3C/script%3E",
    "\uff1cscript\uff1e§X\uff1c/script\uff1e",
    "\uff1cimg src=x onerror=§X\uff1e",
    "\u202e<img src=x onerror=§X>",
    "invoice§N\u202egnp.exe",
    "<scr\u200bipt>§X</scr\u200bipt>",
    "<a href=\"java\u200bscript:§X\">link</a>",
    "\ufeff<img src=x onerror=§X>",
    "<scr\u0000ipt>§X</scr\u0000ipt>",
    "<\u017fcript>§X</\u017fcript>",
    "<\u0131mg src=x onerror=§X>",
    "\u2028<img src=x onerror=§X>\u2029",
    "\U0001F600<img src=x onerror=§X>\U0001F600",
    "e\u0301\u0301\u0301<svg onload=§X>",
    lambda n: "A" * 1500 + "<img src=x onerror=%s>" % _x(n),
    # --- polyglots and breakouts -----------------------------------------------------------------
    "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=§X )//%0D%0A%0d%0a//</stYle/</titLe/</teXtarEa/"
    "</scRipt/--!>\\x3csVg/<sVg/oNloAd=§X//>\\x3e",
    "'\"><img src=x onerror=§X>",
    "\"><svg/onload=§X>",
    "'-§X-'",
    "\";§X;//",
    "--><img src=x onerror=§X>",
    "<!--<img src=\"--><img src=x onerror=§X//\">",
    "]]><img src=x onerror=§X>",
    "<![CDATA[<script>§X</script>]]>",
    "<a href=\"#\" title=\"</a><img src=x onerror=§X>\">t</a>",
    # --- Markdown links, images and nesting --------------------------------------------------------
    "[x](javascript:§X)",
    "[x](JAVASCRIPT:§X)",
    "[x]( javascript:§X)",
    "[x](<javascript:§X>)",
    "[x](javascript&#58;§X)",
    "[x](<java\tscript:§X>)",
    "[x](javascript:§X \"title\")",
    "![x](javascript:§X)",
    "![x](x\" onerror=\"§X)",
    "![x](https://ok.example/x.png\"onerror=\"§X)",
    "![x](data:image/svg+xml,<svg/onload=§X>)",
    "[x](data:text/html,<script>§X</script>)",
    lambda n: "[x](data:text/html;base64,%s)" % _b64("<script>%s</script>" % _x(n)),
    "[x](vbscript:§X)",
    "[x][ref§N]\n\n[ref§N]: javascript:§X",
    "[x]\n\n[x]: javascript:§X \"title\"",
    "[x](https://ok.example/\"onmouseover=\"§X)",
    "[x](https://ok.example/'onmouseover='§X)",
    "[x](https://ok.example/ \"t\\\" onmouseover=\\\"§X\")",
    "[x](#\" onclick=\"§X)",
    "[[x](javascript:§X)](https://ok.example/)",
    "[![x](javascript:§X)](javascript:§X)",
    "[<img src=x onerror=§X>](https://ok.example/)",
    "\\[x\\](javascript:§X)",
    "<javascript:§X>",
    "<https://ok.example/\"onmouseover=\"§X>",
    "https://ok.example/<img src=x onerror=§X>",
    "**<img src=x onerror=§X>**",
    "_<svg onload=§X>_",
    "~~<img src=x onerror=§X>~~",
    "**[x](javascript:§X)**",
    "<b>**[x](javascript:§X)**</b>",
    "`<img src=x onerror=§X>`",
    "``<script>§X</script>``",
    "```\n</code><script>§X</script>\n```",
    "```html\n<img src=x onerror=§X>\n```",
    "```\n</pre></code><img src=x onerror=§X>\n",
    "* <img src=x onerror=§X>\n* two",
    "> <img src=x onerror=§X>",
    "# <img src=x onerror=§X>",
    "| a | <img src=x onerror=§X> |\n|---|---|\n| 1 | 2 |",
]


def _build(templates, base=0):
    out = []
    for i, template in enumerate(templates):
        n = base + i
        if callable(template):
            out.append(template(n))
        else:
            out.append(template.replace("§X", _x(n)).replace("§N", str(n)))
    return out


PAYLOADS = _build(_TEMPLATES)

_URL_TEMPLATES = [
    "javascript:§X",
    "JavaScript:§X",
    "JAVASCRIPT:§X",
    "  javascript:§X",
    "\tjavascript:§X",
    "\njavascript:§X",
    "java\tscript:§X",
    "java\nscript:§X",
    "java\rscript:§X",
    "\x00javascript:§X",
    "\x01javascript:§X",
    "java\x00script:§X",
    "&#106;avascript:§X",
    "&#x6A;avascript:§X",
    "javascript&colon;§X",
    "javascript%3A§X",
    "%6A%61%76%61%73%63%72%69%70%74:§X",
    "javascript:%77indow.__xss(§N)",
    "javascript://%0a§X",
    "javascript:\\u0077indow.__xss(§N)",
    "java\u200bscript:§X",
    "\uff4aavascript:§X",
    "data:text/html,<script>§X</script>",
    lambda n: "data:text/html;base64," + _b64("<script>%s</script>" % _x(n)),
    "DATA:text/html,<script>§X</script>",
    " data:text/html,<script>§X</script>",
    "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' onload='§X'/>",
    lambda n: "data:image/svg+xml;base64," + _b64(
        "<svg xmlns='http://www.w3.org/2000/svg'><script>%s</script></svg>" % _x(n)),
    "data:text/javascript,§X",
    "data:,§X",
    "vbscript:msgbox(§N)",
    "VBScript:§X",
    "livescript:§X",
    "blob:https://ok.example/00000000-0000-0000-0000-§N",
    "file:///etc/passwd?§N",
    "//evil.example/§N.png",
    "\\\\evil.example\\§N.png",
    "/\\evil.example/§N.png",
    "///evil.example/§N.png",
    "https:evil.example/§N.png",
    "https:/evil.example/§N.png",
    "x§N.png",
    "./x§N.png",
    "../../_emulator/reset?§N",
    "/_emulator/reset?§N",
    "#§N",
    "https://ok.example/x§N.png\" onerror=\"§X",
    "https://ok.example/x§N.png' onerror='§X",
    "https://ok.example/\"><img src=x onerror=§X>",
    "https://ok.example/x.png#\"><script>§X</script>",
    "https://ok.example/\x01x§N.png",
]

UNSAFE_URLS = _build(_URL_TEMPLATES, base=URL_ID_BASE)


def payload_for(call_id):
    """The string whose execution calls `window.__xss(call_id)`."""
    call_id = int(call_id)
    if call_id >= URL_ID_BASE:
        return UNSAFE_URLS[call_id - URL_ID_BASE]
    return PAYLOADS[call_id]


# --- message bodies -------------------------------------------------------------------------------

PER_MESSAGE = 10
MESSAGE_KINDS = ("text", "quick_replies", "card", "carousel", "date_picker", "list_picker", "attachment")
MEDIA_TYPES = ("Image", "File", "Video", "Audio", "Link")
BOGUS_DATES = ("not-a-date", "2025-13-45T99:99:99Z", "", "9999999-01-01T00:00:00Z",
               "1970-01-01T00:00:00Z", "2030-01-01T10:00:00+99:00", "Infinity", "0", "-1",
               "2030-02-30T10:00:00Z")
DANGEROUS_MIMES = ("text/html", "image/svg+xml", "application/javascript", "application/xhtml+xml",
                   "application/x-msdownload")


def _url(g):
    return UNSAFE_URLS[g % len(UNSAFE_URLS)]


def _chunks(per_message, indices):
    for at in range(0, len(indices), per_message):
        yield [(g, PAYLOADS[g]) for g in indices[at:at + per_message]]


def _label(kind, chunk):
    return "XSS corpus, %s: payloads %s" % (kind, ", ".join(str(g) for g, _ in chunk))


def _text(chunk):
    # Each payload raw (its own paragraph), then inside bold, a link label, a code span and italics.
    parts = []
    for g, p in chunk:
        parts.append(p)
        parts.append("**%s** [%s](https://ok.example/%d) `%s` _%s_" % (p, p, g, p, p))
    return {"text": "\n\n".join(parts)}


def _quick_replies(chunk):
    content = [{"contentType": "QuickReply", "quickReply": {
        "text": p, "payload": p, "image": _url(g), "action": "Message"}} for g, p in chunk]
    return {"text": _label("quick replies", chunk), "content": content}


def _card(g, p):
    return {
        "title": p,
        "description": p,
        "image": _url(g),
        "defaultAction": {"type": "Link", "text": p, "url": _url(g + 1)},
        "actions": [
            {"type": "Postback", "text": p, "payload": p},
            {"type": "Link", "text": p, "url": _url(g + 2)},
            {"type": "Link", "text": "payload as url %d" % g, "url": p},
        ],
    }


def _cards(chunk):
    content = [{"contentType": "Card", "card": _card(g, p)} for g, p in chunk]
    return {"text": _label("cards", chunk), "content": content}


def _carousel(chunk):
    content = [{"contentType": "Carousel", "carousel": {"cards": [_card(g, p) for g, p in chunk]}}]
    return {"text": _label("carousel", chunk), "content": content}


def _date_pickers(chunk, now):
    tomorrow = (now + datetime.timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    good = tomorrow.strftime("%Y-%m-%dT%H:%M:%SZ")
    content = []
    for g, p in chunk:
        content.append({"contentType": "DatePicker", "datePicker": {
            "id": "xss-date-%d" % g,
            "title": p,
            "subtitle": p,
            "imageUrl": _url(g),
            "availableTimes": [
                {"dateTime": good, "duration": 1800},
                {"dateTime": p, "duration": 1800},
                {"dateTime": BOGUS_DATES[g % len(BOGUS_DATES)], "duration": 1800},
                {"dateTime": good, "duration": -1 if g % 2 else 1e12},
            ],
        }})
    return {"text": _label("date pickers", chunk), "content": content}


def _list_pickers(chunk):
    content = []
    for g, p in chunk:
        content.append({"contentType": "ListPicker", "listPicker": {
            "id": "xss-list-%d" % g,
            "receivedMessage": {"title": p, "subtitle": p, "buttonLabel": p, "imageUrl": _url(g)},
            "replyMessage": {"title": p},
            "sections": [{"title": p, "multipleSelection": bool(g % 2), "items": [
                # the schema names the item image `imageUrl`; `image` is set too, for a renderer
                # reading the name the other content types use
                {"id": p, "title": p, "subtitle": p, "imageUrl": _url(g + 1), "image": _url(g + 2)},
                {"id": "xss-item-%d" % g, "title": "plain item %d" % g},
            ]}],
        }})
    return {"text": _label("list pickers", chunk), "content": content}


def _attachments(chunk):
    content = [{"contentType": "Attachment", "attachment": {
        "id": "xss-attachment-%d" % g,
        "mediaType": MEDIA_TYPES[g % len(MEDIA_TYPES)],
        "filename": p,
        "mime": p,
        "text": p,
        "url": _url(g),
        "fileSize": 1234,
    }} for g, p in chunk]
    return {"text": _label("attachments", chunk), "content": content}


def _dangerous_attachments():
    # Plausible file names with the mime types and URLs a browser would run or render inline.
    names = ("report.html", "logo.svg", "run.js", "page.xhtml", "invoice\u202egnp.exe")
    data_urls = [u for u in UNSAFE_URLS if u.lower().startswith("data:")]
    content = []
    for i, (name, mime) in enumerate(zip(names, DANGEROUS_MIMES)):
        content.append({"contentType": "Attachment", "attachment": {
            "id": "xss-dangerous-%d" % i, "mediaType": ("File", "Image", "File", "File", "File")[i],
            "filename": name, "mime": mime, "text": name, "url": data_urls[i % len(data_urls)], "fileSize": 10}})
    return {"text": "XSS corpus, attachments: dangerous mime types", "content": content}


def messages(kinds=None, per_message=PER_MESSAGE, indices=None, now=None):
    """Bodies for `POST /_emulator/sessions/{token}/bot/say` (`{"text", "content"?}`), in order.

    `kinds` picks some of MESSAGE_KINDS (default all): each kind is one pass over PAYLOADS,
    `per_message` payloads a message, each payload in every field of that kind:
    - text: the payload raw, and inside `**…**`, a link label `[…](https://…)`, a code span and `_…_`
    - quick_replies: QuickReply text and payload (image: an unsafe URL)
    - card / carousel: Card title, description, defaultAction.text, actions[].text/payload (and one
      Link action whose url is the payload); image, defaultAction.url, Link urls: unsafe URLs
    - date_picker: DatePicker title, subtitle, an availableTimes dateTime (plus bogus dateTimes and
      durations); imageUrl: unsafe URL
    - list_picker: ListPicker receivedMessage title/subtitle/buttonLabel, replyMessage title, the
      section title, item id/title/subtitle; receivedMessage.imageUrl and item imageUrl/image: unsafe URLs
    - attachment: Attachment filename, mime, text; url: unsafe URL (plus one message of dangerous
      mime types)
    Every unsafe URL reaches every URL field (when all payloads are used). `indices` limits the
    pass to those payload indices (e.g. range(0, len(PAYLOADS), 7) for a quick run). `now` (UTC
    datetime) fixes the valid date-picker slot.
    """
    kinds = MESSAGE_KINDS if kinds is None else tuple(kinds)
    unknown = set(kinds) - set(MESSAGE_KINDS)
    if unknown:
        raise ValueError("unknown message kinds: %s" % sorted(unknown))
    if not 1 <= per_message <= 10:
        raise ValueError("per_message must be between 1 and 10")
    indices = list(range(len(PAYLOADS)) if indices is None else indices)
    if not indices or any(not 0 <= g < len(PAYLOADS) for g in indices):
        raise ValueError("indices must be payload indices")
    now = now or datetime.datetime.now(datetime.timezone.utc)
    builders = {
        "text": _text,
        "quick_replies": _quick_replies,
        "card": _cards,
        "carousel": _carousel,
        "date_picker": lambda chunk: _date_pickers(chunk, now),
        "list_picker": _list_pickers,
        "attachment": _attachments,
    }
    out = []
    for kind in kinds:
        for chunk in _chunks(per_message, indices):
            out.append(builders[kind](chunk))
        if kind == "attachment":
            out.append(_dangerous_attachments())
    return out


def agent_identities():
    """Bodies for `POST /_emulator/sessions/{token}/agent/join`: every payload as a firstName or a
    nickname (two payloads per identity), and every unsafe URL as the avatar `image`."""
    out = []
    count = max((len(PAYLOADS) + 1) // 2, len(UNSAFE_URLS))
    for j in range(count):
        first = PAYLOADS[(2 * j) % len(PAYLOADS)]
        nick = PAYLOADS[(2 * j + 1) % len(PAYLOADS)]
        out.append({"firstName": first, "nickname": nick, "image": UNSAFE_URLS[j % len(UNSAFE_URLS)]})
    return out


# --- detection -------------------------------------------------------------------------------------

# Init script (page.add_init_script or context.add_init_script): every frame gets a recorder that
# a payload cannot overwrite. A srcdoc/data: frame records in its own window; XssRecorder reads all
# frames.
RECORDER_JS = """
(() => {
  if (Object.prototype.hasOwnProperty.call(window, "__xss")) return;
  const calls = [];
  Object.defineProperty(window, "__xssCalls", {value: calls, writable: false, configurable: false});
  Object.defineProperty(window, "__xss", {
    value: function (id) { calls.push(String(id)); },
    writable: false, configurable: false,
  });
})();
"""


class XssRecorder:
    """Records `window.__xss(id)` calls in every frame of `page` and every alert / confirm /
    prompt / beforeunload dialog (dismissed). Make it before the page navigates (the document
    already there gets the recorder too). Calls made in a document that was since navigated away
    are lost; dialogs are kept."""

    def __init__(self, page):
        self.page = page
        self.dialogs = []
        page.add_init_script(RECORDER_JS)
        page.on("dialog", self._on_dialog)
        for frame in page.frames:  # the document already there (e.g. for page.set_content)
            try:
                frame.evaluate(RECORDER_JS)
            except Exception:
                pass

    def _on_dialog(self, dialog):
        self.dialogs.append("%s: %s" % (dialog.type, dialog.message))
        try:
            dialog.dismiss()
        except Exception:
            pass

    def calls(self):
        """The ids passed to window.__xss in any frame (strings, in order per frame)."""
        out = []
        for frame in self.page.frames:
            try:
                out.extend(frame.evaluate("() => Array.from(window.__xssCalls || [])"))
            except Exception:
                continue  # a frame that went away, or a cross-origin one Playwright cannot reach
        return out

    def fired(self):
        """Everything that executed: ["xss:<id>", …, "dialog:<type>: <message>", …]."""
        return ["xss:" + c for c in self.calls()] + ["dialog:" + d for d in self.dialogs]

    def explain(self):
        lines = []
        for item in self.fired():
            if item.startswith("xss:"):
                try:
                    lines.append("%s ran: %r" % (item, payload_for(item[4:])))
                    continue
                except (ValueError, IndexError):
                    pass
            lines.append(item)
        return "\n".join(lines) or "nothing executed"


# Elements of the forbidden kinds that the app itself puts inside the chat panel: the composer
# (index.html) and the list picker's form (app/chat/render_rich.py). Keep in step with the renderer.
APP_ELEMENTS = ("form#chat-composer", "form.gcw-picker")

# page.evaluate(DOM_CHECK_JS, "#chat-panel") -> list of problem strings ([] = clean).
# The argument may also be {"root": selector, "allow": [selector, …]}: elements matching an
# `allow` selector are exempt from the forbidden-element rule (their attributes and children are
# still checked). `allow` defaults to APP_ELEMENTS; pass [] to allow nothing. With
# "strict": true, every src and every link href must also be an absolute http(s) URL with a host
# (no relative paths, no `//host`, no `https:host`): for checks after UNSAFE_URLS were sent.
DOM_CHECK_JS = r"""
(arg) => {
  const opts = typeof arg === "string" ? {root: arg} : (arg || {});
  const root = document.querySelector(opts.root || "body");
  if (!root) return ["root " + JSON.stringify(opts.root) + " not found"];
  const allow = Array.isArray(opts.allow) ? opts.allow : __APP_ELEMENTS__;
  const FORBIDDEN = new Set(["script", "iframe", "frame", "frameset", "object", "embed", "applet",
    "base", "meta", "form", "style", "link", "svg", "math", "portal", "noscript", "template"]);
  const URL_ATTRS = new Set(["href", "src", "action", "formaction", "xlink:href", "srcdoc", "data",
    "poster", "background", "lowsrc", "dynsrc", "ping", "cite", "codebase", "values", "to", "from", "by"]);
  const BAD_SCHEMES = ["javascript:", "data:", "vbscript:", "livescript:"];
  const strict = !!opts.strict;
  const ABSOLUTE = /^https?:\/\/[^\/\\]/;
  const problems = [];
  // lower-cased, without whitespace, control, zero-width and bidi characters
  const STRIP = /[\u0000-\u0020\u007f-\u009f\u00a0\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]/g;
  const norm = (v) => String(v).toLowerCase().replace(STRIP, "");
  const show = (el) => {
    const html = el.outerHTML || "";
    return html.length > 160 ? html.slice(0, 160) + "…" : html;
  };
  const where = (el) => {
    const parts = [];
    for (let n = el; n && n.nodeType === 1 && parts.length < 6; n = n.parentElement) {
      let part = n.localName;
      if (n.id) { part += "#" + n.id; parts.unshift(part); break; }
      if (n.classList && n.classList.length) part += "." + Array.from(n.classList).slice(0, 2).join(".");
      parts.unshift(part);
      if (n === root) break;
    }
    return parts.join(" > ");
  };
  const iconSvg = (el) => el.localName === "svg" && el.getAttribute("aria-hidden") === "true" &&
    Array.from(el.querySelectorAll("*")).every((c) => c.localName === "path" && c.parentElement === el);
  const walk = (el) => {
    const name = el.localName;
    if (FORBIDDEN.has(name)) {
      if (allow.some((s) => { try { return el.matches(s); } catch (e) { return false; } })) {
        // made by the page itself
      } else if (name === "svg" && iconSvg(el)) {
        // the app's icons: allowed, but their attributes are still checked below
      } else {
        problems.push("forbidden <" + name + "> at " + where(el) + ": " + show(el));
      }
    }
    for (const attr of Array.from(el.attributes || [])) {
      const an = attr.name.toLowerCase();
      if (an.startsWith("on")) {
        problems.push("event-handler attribute " + an + " on <" + name + "> at " + where(el) + ": " +
                      show(el));
      }
      if (URL_ATTRS.has(an) || an.endsWith(":href") || an === "srcset" || an === "imagesrcset") {
        const values = (an === "srcset" || an === "imagesrcset")
          ? attr.value.split(",").map((s) => s.trim().split(/\s+/)[0]) : [attr.value];
        for (const value of values) {
          const v = norm(value);
          if (an === "srcdoc") {
            problems.push("srcdoc attribute on <" + name + "> at " + where(el));
          } else if (BAD_SCHEMES.some((s) => v.startsWith(s))) {
            problems.push(an + "=" + JSON.stringify(value.slice(0, 80)) + " on <" + name + "> at " + where(el));
          } else if (strict && (an === "src" || an === "srcset") && !ABSOLUTE.test(v)) {
            problems.push(an + "=" + JSON.stringify(value.slice(0, 80)) + " (not an absolute http(s) URL) on <" +
                          name + "> at " + where(el));
          }
        }
      }
      if (an === "style") {
        const v = norm(attr.value);
        if (/javascript:|vbscript:|expression\(|behavior:|-moz-binding|@import/.test(v)) {
          problems.push("dangerous style " + JSON.stringify(attr.value.slice(0, 80)) + " on <" + name + "> at " +
                        where(el));
        }
      }
    }
    if ((name === "a" || name === "area") && el.hasAttribute("href")) {
      const raw = el.getAttribute("href");
      const v = norm(raw);
      if (!/^(https?:|mailto:|tel:)/.test(v) || (strict && /^https?:/.test(v) && !ABSOLUTE.test(v))) {
        problems.push("link <" + name + "> with href " + JSON.stringify(raw.slice(0, 80)) +
                      " (not http(s)/mailto/tel) at " + where(el));
      }
      if ((el.getAttribute("target") || "").trim().toLowerCase() === "_blank") {
        const rel = (el.getAttribute("rel") || "").toLowerCase().split(/\s+/);
        if (!rel.includes("noopener") || !rel.includes("noreferrer")) {
          problems.push("target=_blank without rel=\"noopener noreferrer\" on " + JSON.stringify(raw.slice(0, 80)) +
                        " at " + where(el));
        }
      }
    }
    if (el.shadowRoot) for (const child of Array.from(el.shadowRoot.children)) walk(child);
    for (const child of Array.from(el.children)) walk(child);
  };
  walk(root);
  return problems;
}
"""
DOM_CHECK_JS = DOM_CHECK_JS.replace("__APP_ELEMENTS__", json.dumps(list(APP_ELEMENTS)))

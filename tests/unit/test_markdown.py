"""app.chat.markdown: the safe Markdown subset. Portable (CPython, MicroPython, Pyodide):
plain asserts, no pytest features."""
from app.chat.markdown import MAX_DEPTH, MAX_INPUT, parse, parse_inline, plain_text
from app.chat.safety import safe_link

BR = ("br",)
BLOCK_TAGS = ("p", "code_block", "ul", "ol", "quote")


def p(*inlines):
    return ("p", tuple(inlines))


def link(url, *label):
    return ("link", url, tuple(label))


def one(text):
    """The inlines of a message that must be exactly one paragraph."""
    blocks = parse(text)
    assert len(blocks) == 1 and blocks[0][0] == "p", blocks
    return blocks[0][1]


def check_inlines(nodes, depth):
    """Raises unless `nodes` is a well-formed inline tuple (the renderer's contract)."""
    assert type(nodes) is tuple, nodes
    assert depth <= MAX_DEPTH, depth
    prev_str = False
    for x in nodes:
        if type(x) is str:
            assert x, nodes  # no empty strings
            assert not prev_str, nodes  # adjacent text is merged
            prev_str = True
            continue
        prev_str = False
        assert type(x) is tuple and x, nodes
        tag = x[0]
        if tag == "br":
            assert x == BR
        elif tag == "code":
            assert len(x) == 2 and type(x[1]) is str
        elif tag in ("strong", "em", "del"):
            assert len(x) == 2
            check_inlines(x[1], depth + 1)
        elif tag == "link":
            assert len(x) == 3 and safe_link(x[1]) == x[1], x
            check_inlines(x[2], depth + 1)
        else:
            assert False, x


def check_blocks(blocks, depth):
    """Raises unless `blocks` is a well-formed block tuple; quotes nest at most MAX_DEPTH."""
    assert type(blocks) is tuple, blocks
    assert depth <= MAX_DEPTH, depth
    for b in blocks:
        assert type(b) is tuple and b and b[0] in BLOCK_TAGS, b
        tag = b[0]
        if tag == "p":
            assert len(b) == 2
            check_inlines(b[1], 0)
        elif tag == "code_block":
            assert len(b) == 2 and type(b[1]) is str
        elif tag == "quote":
            assert len(b) == 2
            check_blocks(b[1], depth + 1)
        else:
            assert len(b) == (2 if tag == "ul" else 3), b
            assert type(b[1]) is tuple and b[1], b
            for item in b[1]:
                check_inlines(item, 0)
            if tag == "ol":
                assert type(b[2]) is int


# --- paragraphs and line breaks ----------------------------------------------------------------

def test_plain_text_is_one_paragraph():
    assert parse("Hello there") == (p("Hello there"),)
    assert parse("") == ()
    assert parse("  \n\n \t\n") == ()
    assert parse(None) == ()


def test_single_newlines_become_breaks_and_blank_lines_split_paragraphs():
    assert parse("one\ntwo\n\nthree") == (p("one", BR, "two"), p("three"))


def test_crlf_and_lone_cr_line_endings():
    assert parse("a\r\nb\r\n\r\nc\rd") == (p("a", BR, "b"), p("c", BR, "d"))
    assert parse("* x\r\n* y\r\n") == (("ul", (("x",), ("y",))),)


# --- emphasis ----------------------------------------------------------------------------------

def test_bold_italic_strikethrough():
    assert one("**b** __b__ *i* _i_ ~~s~~") == (
        ("strong", ("b",)), " ", ("strong", ("b",)), " ", ("em", ("i",)), " ", ("em", ("i",)),
        " ", ("del", ("s",)))


def test_underscores_inside_words_stay_text():
    assert one("call snake_case_name and __init__ now") == (
        "call snake_case_name and ", ("strong", ("init",)), " now")
    assert one("a_b_c *and* x_y") == ("a_b_c ", ("em", ("and",)), " x_y")


def test_single_tilde_and_long_runs_stay_text():
    assert one("about ~5 min, ~x~ and ~~~y~~~") == ("about ~5 min, ~x~ and ~~~y~~~",)


def test_unmatched_markers_stay_literal():
    assert one("**bold") == ("**bold",)
    assert one("a * b * c") == ("a * b * c",)
    assert one("2 ** 3 and _x") == ("2 ** 3 and _x",)


def test_nesting_and_precedence():
    assert one("***both***") == (("em", (("strong", ("both",)),)),)
    assert one("**bold _it_ ~~gone~~**") == (
        ("strong", ("bold ", ("em", ("it",)), " ", ("del", ("gone",)))),)
    assert one("*a **b** c*") == (("em", ("a ", ("strong", ("b",)), " c")),)


def test_broken_nesting_is_sensible():
    assert one("**a _b** c_") == (("strong", ("a _b",)), " c_")
    assert one("*a [b* c](https://x.com)") == ("*a ", link("https://x.com", "b* c"))


def test_emphasis_across_a_line_break():
    assert one("**one\ntwo**") == (("strong", ("one", BR, "two")),)


def test_nesting_depth_is_capped():
    text = "*" * 40 + "x" + "*" * 40
    nodes = one(text)
    check_inlines(nodes, 0)
    depth = 0
    node = nodes
    while len(node) == 1 and type(node[0]) is tuple:
        depth += 1
        node = node[0][1]
    assert 0 < depth <= MAX_DEPTH
    assert plain_text(nodes).count("x") == 1


# --- code --------------------------------------------------------------------------------------

def test_inline_code_is_literal():
    assert one("run `rm **-rf** <b>` now") == ("run ", ("code", "rm **-rf** <b>"), " now")
    assert one("``a ` b``") == (("code", "a ` b"),)
    assert one("` x `") == (("code", "x"),)
    assert one("`unclosed and *em*") == ("`unclosed and ", ("em", ("em",)))


def test_fenced_code_block():
    text = "Try:\n```python\nif a < b:\n    print(\"**x**\")\n```\nDone"
    assert parse(text) == (p("Try:"), ("code_block", "if a < b:\n    print(\"**x**\")"), p("Done"))
    assert parse("~~~\n*x*\n~~~") == (("code_block", "*x*"),)


def test_unclosed_fence_runs_to_the_end():
    assert parse("```\nline 1\n\nline 3") == (("code_block", "line 1\n\nline 3"),)


def test_triple_backticks_on_one_line_are_inline_code():
    assert parse("```code```") == (p(("code", "code")),)


# --- lists -------------------------------------------------------------------------------------

def test_bullet_lists_with_all_markers():
    assert parse("* a\n- b\n+ c") == (("ul", (("a",), ("b",), ("c",))),)


def test_ordered_list_keeps_its_start():
    assert parse("3. three\n4) four") == (("ol", (("three",), ("four",)), 3),)
    assert parse("1. one\n\n2. two") == (("ol", (("one",), ("two",)), 1),)


def test_list_items_have_inline_formatting():
    assert parse("- **a** [b](https://b.org)") == (
        ("ul", ((("strong", ("a",)), " ", link("https://b.org", "b")),)),)


def test_indented_line_continues_the_item():
    assert parse("- first\n  more of it\n- second") == (
        ("ul", (("first", BR, "more of it"), ("second",))),)


def test_indented_marker_is_another_item_of_the_same_list():
    assert parse("- a\n  - b\n  1. c\n- d") == (("ul", (("a",), ("b",), ("c",), ("d",))),)


def test_list_interrupts_a_paragraph_and_ends_at_unindented_text():
    assert parse("Options:\n* a\n* b\nThanks") == (
        p("Options:"), ("ul", (("a",), ("b",))), p("Thanks"))
    assert parse("It was\n2019. A year") == (p("It was", BR, "2019. A year"),)
    assert parse("1. a\n- b") == (("ol", (("a",),), 1), ("ul", (("b",),)))


def test_not_lists():
    assert parse("-no space") == (p("-no space"),)
    assert parse("* * *") == (p("* * *"),)
    assert parse("1.5 litres") == (p("1.5 litres"),)


# --- quotes and headings -----------------------------------------------------------------------

def test_quote_blocks():
    assert parse("> quoted **x**\n> more\n\nreply") == (
        ("quote", (p("quoted ", ("strong", ("x",)), BR, "more"),)), p("reply"))
    assert parse(">> deep") == (("quote", (("quote", (p("deep"),)),)),)


def test_quote_nesting_is_capped():
    blocks = parse(">" * 50 + " x")
    check_blocks(blocks, 0)
    assert plain_text(blocks).endswith("x")


def test_heading_is_a_bold_paragraph():
    assert parse("# Title\nbody") == (p(("strong", ("Title",))), p("body"))
    assert parse("### Sub *it* ###") == (p(("strong", ("Sub ", ("em", ("it",))))),)
    assert parse("#hashtag") == (p("#hashtag"),)


# --- links -------------------------------------------------------------------------------------

def test_inline_links():
    assert one("see [the site](https://example.com/a_b?x=1&y=2) now") == (
        "see ", link("https://example.com/a_b?x=1&y=2", "the site"), " now")
    assert one('[t](https://x.org "A title")') == (link("https://x.org", "t"),)
    assert one("[w](https://en.wikipedia.org/wiki/A_(b))") == (
        link("https://en.wikipedia.org/wiki/A_(b)", "w"),)
    assert one("[mail](mailto:help@example.com) [call](tel:+15551234)") == (
        link("mailto:help@example.com", "mail"), " ", link("tel:+15551234", "call"))


def test_link_label_formatting_and_empty_label():
    assert one("[**bold** `c`](https://x.org)") == (
        link("https://x.org", ("strong", ("bold",)), " ", ("code", "c")),)
    assert one("[](https://x.org)") == (link("https://x.org", "https://x.org"),)


def test_links_do_not_nest():
    assert one("[go to https://a.org](https://b.org)") == (
        link("https://b.org", "go to https://a.org"),)


def test_unsafe_links_stay_literal_text():
    for src in ("[x](javascript:alert(1))", "[x](JAVASCRIPT:alert(1))",
                "[x](java\tscript:alert(1))", "[x](data:text/html,<script>alert(1)</script>)",
                "[x](vbscript:msgbox(1))", "[a](<javascript:alert(1)>)",
                "[x](/relative/path)", "[x](https:evil)", "[x]()", "[**x**](javascript:a('_b_'))",
                "![x](javascript:alert(1))", "<javascript:alert(1)>", "<data:text/html,x>"):
        assert one(src) == (src,), src


def test_broken_link_syntax_stays_text():
    assert one("[a](https://x.org") == ("[a](", link("https://x.org", "https://x.org"))
    assert one("[a] (https://x.org)") == ("[a] (", link("https://x.org", "https://x.org"), ")")
    assert one("[ref][1] and [x]") == ("[ref][1] and [x]",)


def test_images_become_links_never_images():
    assert one("![logo](https://x.org/a.png)") == (link("https://x.org/a.png", "logo"),)
    assert one("![](https://x.org/p.gif)") == (link("https://x.org/p.gif", "https://x.org/p.gif"),)
    assert one("![a *b*](https://x.org/i.png)") == (link("https://x.org/i.png", "a b"),)


def test_escaped_bang_is_text_before_a_link():
    assert one("\\![x](https://x.org/a.png)") == ("!", link("https://x.org/a.png", "x"))
    assert one("Wow![x](https://x.org)") == ("Wow", link("https://x.org", "x"))


def test_deep_link_labels_stay_within_the_depth_cap():
    label = "*" * 20 + "x" + "*" * 20
    nodes = one("**a [" + label + "](https://x.org) b** " + "_" * 12 + "y" + "_" * 12)
    check_inlines(nodes, 0)
    assert "x" in plain_text(nodes) and "y" in plain_text(nodes)


def test_autolinks():
    assert one("<https://x.org/a> or <help@example.com>") == (
        link("https://x.org/a", "https://x.org/a"), " or ",
        link("mailto:help@example.com", "help@example.com"))


def test_bare_urls_without_trailing_punctuation():
    assert one("Go to https://x.org/a_b.") == (
        "Go to ", link("https://x.org/a_b", "https://x.org/a_b"), ".")
    assert one("(see http://x.org/p?q=1)!") == (
        "(see ", link("http://x.org/p?q=1", "http://x.org/p?q=1"), ")!")
    assert one("https://x.org/A_(b), ok?") == (
        link("https://x.org/A_(b)", "https://x.org/A_(b)"), ", ok?")
    assert one("**https://x.org**") == (("strong", (link("https://x.org", "https://x.org"),)),)
    assert one("nothttps://x.org and https:// alone") == ("nothttps://x.org and https:// alone",)


# --- safety and text fidelity ------------------------------------------------------------------

def test_html_and_entities_stay_literal():
    src = "<b>hi</b> <script>alert(1)</script> &lt;b&gt; &amp; <img src=x onerror=alert(1)>"
    assert one(src) == (src,)


def test_backslash_escapes():
    assert one(r"\*not\* \_em\_ \[x\] \`c\` \\ \~\~s\~\~ \# \a") == (
        "*not* _em_ [x] `c` \\ ~~s~~ # \\a",)
    assert one("a\\\nb") == ("a", BR, "b")


def test_emoji_and_non_bmp_text_pass_through():
    text = "👍🏽 **ok** 🇺🇸 家族 👨‍👩‍👧 𝒳 😀_x_😀"
    nodes = one(text)
    assert nodes[0] == "👍🏽 " and nodes[1] == ("strong", ("ok",))
    assert plain_text(nodes) == "👍🏽 ok 🇺🇸 家族 👨‍👩‍👧 𝒳 😀x😀"


def test_right_to_left_text_passes_through():
    assert one("مرحبا **بالعالم** שלום _עולם_") == (
        "مرحبا ", ("strong", ("بالعالم",)), " שלום ", ("em", ("עולם",)))


# --- plain_text and parse_inline ---------------------------------------------------------------

def test_plain_text_reads_labels_without_markers():
    blocks = parse("Hi **there**, see [docs](https://x.org).\n\n* one\n* `two`\n\n```\ncode\n```")
    assert plain_text(blocks) == "Hi there, see docs.\none\ntwo\ncode"
    assert plain_text(parse("> q\n\n1. a\n2. b")) == "q\na\nb"
    assert plain_text(()) == ""


def test_parse_inline_is_one_line_of_inline_content():
    assert parse_inline("**Card** title [x](https://x.org)") == (
        ("strong", ("Card",)), " title ", link("https://x.org", "x"))
    assert parse_inline("# not a heading\n- nor a list") == ("# not a heading", BR, "- nor a list")
    assert parse_inline("br") == ("br",)
    assert plain_text(parse_inline("br")) == "br"
    assert parse_inline("") == ()


# --- limits and robustness ---------------------------------------------------------------------

def test_input_over_the_cap_is_appended_as_literal_text():
    head = "a" * (MAX_INPUT - 2)
    blocks = parse(head + "**b**\n*c*")
    assert blocks == (p(head + "**"), p("b**", BR, "*c*"))
    nodes = parse_inline(head + "**b**")
    assert nodes == (head + "**b**",)


def test_pathological_input_finishes():
    for text in ("[a](" * 3000, "<a:" * 3000, "`" * 2000 + "x", "*a _b " * 1000,
                 "[" * 5000 + "]" * 5000, "](" * 5000, "![" * 3000 + "x](https://x.org)"):
        check_blocks(parse(text), 0)


def lcg(seed):
    """A tiny deterministic generator (MicroPython's random differs from CPython's)."""
    state = [seed]

    def nxt(bound):
        state[0] = (state[0] * 1103515245 + 12345) & 0x7FFFFFFF
        return (state[0] >> 8) % bound
    return nxt


ALPHABET = ("*", "_", "~", "`", "[", "]", "(", ")", "!", "<", ">", "\\", "\n", "\r", " ", "#",
            "-", "+", "1.", "a", "b", "é", "😀", "\t", "http://", "https://x.org", "javascript:",
            '"', "'", ":", "@", ".", "```", "> ", "* ", "2) ", "&lt;", "\u200f", "\x00", "![",
            "](", "\u00a0", "    ")
try:
    ALPHABET = ALPHABET + (chr(0xD800),)
except ValueError:
    pass


def test_fuzz_garbage_never_raises_and_keeps_the_contract():
    nxt = lcg(20260101)
    for _ in range(300):
        parts = []
        for _ in range(nxt(40)):
            parts.append(ALPHABET[nxt(len(ALPHABET))])
        text = "".join(parts)
        blocks = parse(text)
        check_blocks(blocks, 0)
        assert type(plain_text(blocks)) is str
        inl = parse_inline(text)
        check_inlines(inl, 0)


def test_lone_surrogates_pass_through():
    try:
        odd = chr(0xD800)
    except ValueError:
        return  # an interpreter without lone surrogates has nothing to test here
    nodes = one("a " + odd + " **b** " + odd + "_c_")
    assert plain_text(nodes) == "a " + odd + " b " + odd + "_c_"


def test_non_string_input_does_not_raise():
    assert parse(12) == (p("12"),)
    assert type(parse(b"x")) is tuple
    assert parse_inline(None) == ()

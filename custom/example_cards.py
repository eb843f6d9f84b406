"""Example: cards drawn the brand's way (docs/customising.md, example 2).

Listed in config.json as "modules": ["custom/example_cards.py"] (and its CSS as
"stylesheets": ["custom/example_cards.css"]). A render function gets the card's props, the safe
element builder `h` and `ctx` (words, dates, actions); it returns one node. Here the default card is
wrapped, not rewritten: a ribbon above it, and a compact "More like this" button that sends a message.
"""


def card(props, h, ctx):
    title = props.get("title") or ""
    return h("div", {"class": "brand-card"},
             h("p", {"class": "brand-card-ribbon"}, ctx.t("brand.pick")),
             ctx.default("card", props),
             h("button", {"type": "button", "class": "brand-card-more",
                          "on": {"click": lambda event: ctx.act.send(ctx.t("brand.more_text", title=title))}},
               ctx.t("brand.more")))


RENDERERS = {"card": card}

STRINGS = {
    "brand.pick": "Our pick for you",
    "brand.more": "More like this",
    "brand.more_text": "More like {title}, please",
    "fr": {"brand.pick": "Notre sélection pour vous", "brand.more": "Plus comme ça",
           "brand.more_text": "Plus comme {title}, s'il vous plaît"},
}

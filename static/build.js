// Builds the DOM nodes that the chat's Python render functions describe, in one call per drawn
// thing instead of one call across the Python/JavaScript bridge per element and attribute (the
// bridge, not the browser, was most of the cost of drawing: app/browser/dom.py).
//
// It decides nothing: app/chat/elements.py has already checked every tag and attribute (allow-list,
// URL schemes) and app/chat/elements.encoded writes the tree. It only ever calls
// createElement, setAttribute and createTextNode, so text from the network is never parsed as HTML.
//
// The encoding: tokens joined by U+0001 (which the encoder removes from every text and value).
// "<tag" opens an element, "@name" is followed by the attribute's value, "'text" is a text node,
// ">" closes the element opened last.
const SVG = "http://www.w3.org/2000/svg";

export function build(encoded) {
  const tokens = encoded.split("\u0001");
  const stack = [];
  let root = null;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const kind = token.charAt(0);
    if (kind === "<") {
      const tag = token.slice(1);
      const parent = stack.length ? stack[stack.length - 1] : null;
      const node = tag === "svg" || tag === "path" ? document.createElementNS(SVG, tag) : document.createElement(tag);
      if (parent) parent.appendChild(node);
      else if (!root) root = node;
      stack.push(node);
    } else if (kind === "@") {
      stack[stack.length - 1].setAttribute(token.slice(1), tokens[++i]);
    } else if (kind === "'") {
      stack[stack.length - 1].appendChild(document.createTextNode(token.slice(1)));
    } else if (kind === ">") {
      stack.pop();
    }
  }
  return root;
}

// The chat list follows the newest message: scrolled to its end from here, in one call, and the
// scroll event that this causes is not passed to Python (it would only learn what it already
// knows, in the frame before the new message is painted).
export function toBottom(box) {
  const before = box.scrollTop;
  box.scrollTop = box.scrollHeight;
  if (box.scrollTop !== before) box.gcwOwnTop = box.scrollTop;
}

// `listener` for the list's scroll events, except the one that toBottom caused.
export function guestScrolls(listener) {
  return (event) => {
    const own = event.currentTarget.gcwOwnTop;
    event.currentTarget.gcwOwnTop = undefined;
    if (own === undefined || event.currentTarget.scrollTop !== own) listener(event);
  };
}

// `listener` for the panel's captured scroll, load and error events, except scroll events of
// elements without a drawn handler (only a carousel listens for its own scroll).
export function drawnScrolls(listener) {
  return (event) => {
    const target = event.target;
    if (event.type !== "scroll" || (target.hasAttribute && target.hasAttribute("data-gcw-h"))) listener(event);
  };
}

// The wall clock in seconds. Date.now() is a whole number above 2**31, which MicroPython's bridge
// wraps into a wrong small one; half a millisecond more makes it a fraction, which crosses as a
// float. (Python read the time as ISO text and parsed it instead: ~0.1 ms, twice per message.)
export function epochSeconds() {
  return (Date.now() + 0.5) / 1000;
}

globalThis.gcwBuild = build;
globalThis.gcwEpochSeconds = epochSeconds;
globalThis.gcwToBottom = toBottom;
globalThis.gcwGuestScrolls = guestScrolls;
globalThis.gcwDrawnScrolls = drawnScrolls;

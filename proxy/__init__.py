"""Server-side helper for the Genesys web chat page.

The chat itself talks to Genesys directly; this service only holds the org's
OAuth client secret (so it never reaches a browser), answers `/api/context`,
serves the page in development and explains connection failures (`doctor`).
"""

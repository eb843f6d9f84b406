"""Shipped string tables other than English (app/chat/strings.py): one module per language, each a STRINGS dict."""

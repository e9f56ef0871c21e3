"""The browser app: the chat, its cards, the section view, the HTTP surface, feedback."""

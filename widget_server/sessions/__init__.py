"""Web sessions after the click: the attribution rows, their link to a conversation, retention."""

"""The district's recovery picture: its JSON API and its page."""

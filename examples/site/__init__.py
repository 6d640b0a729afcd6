"""The example site: two pages embedding the widget, and a tiny server for them."""

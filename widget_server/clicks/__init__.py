"""The click path: the widget's script and click link, and everything recording a click takes."""

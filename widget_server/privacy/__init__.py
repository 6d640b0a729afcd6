"""Privacy: the IP policy of the click, erasure and export on request, retention per site."""

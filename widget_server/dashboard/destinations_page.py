"""A site's conversion destinations (Meta, Google Ads, GA4): where they will show."""

from flask import render_template

from widget_server.dashboard.routes import bp, site_of, sites_of_user


@bp.get("/sites/<key>/destinations")
def destinations(key):
    """Show the site's conversion destinations."""
    site = site_of(key)
    return render_template("dashboard/destinations.html", site=site, sites=sites_of_user())

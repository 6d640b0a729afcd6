"""The one blueprint under /integrations/external: its routes and its auth error handler."""

from flask import Blueprint

from widget_server.api import attribution, auth, correlations, erasures, referrals

bp = Blueprint("api", __name__, url_prefix="/integrations/external")
bp.register_error_handler(auth.AuthError, auth.render)

bp.add_url_rule("/attribution", view_func=attribution.list_rows, methods=["GET"])
bp.add_url_rule("/attribution/<reference>", view_func=attribution.get_row, methods=["GET"])
bp.add_url_rule("/attribution/<reference>", view_func=attribution.patch_row, methods=["PATCH"])
bp.add_url_rule("/correlations", view_func=correlations.correlate, methods=["POST"])
bp.add_url_rule("/referrals", view_func=referrals.record, methods=["POST"])
bp.add_url_rule("/attribution/<reference>", view_func=erasures.erase_row, methods=["DELETE"])
bp.add_url_rule("/erasures", view_func=erasures.erase_person, methods=["POST"])
bp.add_url_rule("/exports", view_func=erasures.export_person, methods=["GET"])

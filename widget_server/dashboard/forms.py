"""The dashboard's forms (Flask-WTF: each carries its CSRF token)."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
    widgets,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional


class Checkboxes(SelectMultipleField):
    """A list of checkboxes, one per choice."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[InputRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=1000)])


class SiteForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(), Length(max=200)])
    whatsapp_number = StringField(
        "WhatsApp number", validators=[InputRequired()], description="International, digits only"
    )
    message = TextAreaField(
        "Message template",
        validators=[InputRequired()],
        description="{reference} is replaced by the visitor's reference",
    )
    reuse_hours = IntegerField(
        "Reuse window (hours)", validators=[InputRequired(), NumberRange(1, 24 * 365)]
    )
    whatsapp_base_url = URLField("WhatsApp base URL", validators=[InputRequired()])
    ip_policy = SelectField(
        "Visitors' IP addresses",
        choices=[
            ("full", "Keep them in full"),
            ("truncated", "Keep only the network (IPv4 /24, IPv6 /48)"),
            ("none", "Keep none"),
        ],
        validators=[InputRequired()],
    )
    retention_days = IntegerField(
        "Keep sessions for (days)",
        validators=[Optional(), NumberRange(1, 36500)],
        description="After their last activity; empty keeps them until erased",
    )
    private_params = StringField(
        "More private URL parameters",
        validators=[Length(max=2000)],
        description="Comma-separated names removed from stored page URLs, beside email, phone, ...",
    )


class KeyForm(FlaskForm):
    scopes = Checkboxes("Scopes", validators=[InputRequired("Choose at least one scope")])


class EndpointForm(FlaskForm):
    url = URLField("Receiver URL", validators=[InputRequired(), Length(max=2000)])
    events = Checkboxes("Events", description="None checked: every event")


class UserForm(FlaskForm):
    email = EmailField("E-mail", validators=[InputRequired(), Length(max=254)])
    admin = BooleanField("Administrator (sees every site, manages users)")
    sites = Checkboxes("Sites")

"""HTTP Basic for the API, except for roles whose local login needs a second factor: a password
alone must not open to them through the API what the pages open only after a TOTP code."""

from drf_spectacular.authentication import BasicScheme
from rest_framework import authentication, exceptions

from . import second_factor


class BasicAuthentication(authentication.BasicAuthentication):
    def authenticate_credentials(self, userid, password, request=None):
        user, auth = super().authenticate_credentials(userid, password, request)
        if second_factor.required_for(user):
            raise exceptions.AuthenticationFailed(
                "Din roll kräver tvåstegsverifiering: logga in i webbläsaren och använd sessionen."
            )
        return user, auth


class BasicAuthenticationScheme(BasicScheme):
    """The OpenAPI schema describes it as the HTTP Basic it is (drf-spectacular)."""

    target_class = "bistand.organisation.api_auth.BasicAuthentication"

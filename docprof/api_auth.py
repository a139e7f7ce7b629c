from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.views import ObtainAuthToken


@extend_schema(tags=["auth"])
class ObtainTokenView(ObtainAuthToken):
    """POST username and password; returns `{"token": ...}` for `Authorization: Token ...`."""

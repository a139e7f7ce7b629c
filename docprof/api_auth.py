from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import parsers, serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken

from docprof.openapi import BODY, errors
from docprof.parsers import JSONParser


@extend_schema(
    tags=["auth"],
    auth=[],
    request=AuthTokenSerializer,
    responses={200: inline_serializer("Token", {"token": serializers.CharField()}), **errors(*BODY)},
)
class ObtainTokenView(ObtainAuthToken):
    """POST username and password; returns `{"token": ...}` for `Authorization: Token ...`."""

    # DRF's view names its parsers itself; the JSON one must be ours (bounded size and nesting).
    parser_classes = (parsers.FormParser, parsers.MultiPartParser, JSONParser)

"""Offline assets: Swagger UI from drf-spectacular-sidecar (/api/docs/ needs no network); the favicon."""

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_swagger_ui_loads_every_asset_from_this_server(alice_client, settings):
    page = alice_client.get(reverse("api-docs")).content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets), assets
    assert any(a.endswith("swagger-ui.css") for a in assets), assets
    assert not [a for a in assets if "//" in a], "assets must not come from another host"
    assert "cdn" not in page.lower()

    settings.WHITENOISE_USE_FINDERS = True  # serve from the apps' static folders, as in `make run`
    static = Client()
    local = [a for a in assets if a.startswith("/" + settings.STATIC_URL.lstrip("/"))]
    assert len(local) >= 3, assets
    for asset in local:
        response = static.get(asset)
        assert response.status_code == 200, asset
        assert int(response["Content-Length"]) > 100, asset


def test_favicon_is_served_at_the_root_and_linked_from_pages(client, alice_client, settings):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page = alice_client.get(reverse("library:index")).content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page
    settings.WHITENOISE_USE_FINDERS = True
    assert Client().get("/static/favicon.svg").status_code == 200

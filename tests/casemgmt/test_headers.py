from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(worker_client: Client) -> None:
    response = Client().get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self' 'nonce-" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    # Every script on the page carries this response's nonce.
    assert response.content.count(b"<script") == response.content.count(f'nonce="{nonce}"'.encode())
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"

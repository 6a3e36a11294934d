"""The API answers every error as JSON ``{"detail": …}``, even for routes and methods it does not know."""

import pytest


@pytest.mark.django_db
def test_unknown_api_route_answers_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


@pytest.mark.django_db
def test_wrong_method_answers_json_405_with_allow(client):
    response = client.delete("/api/v1/championships")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert "DELETE" in response.json()["detail"]
    assert "GET" in response["Allow"]


@pytest.mark.django_db
def test_pages_keep_their_html_error_pages(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")

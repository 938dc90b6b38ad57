"""Rotating SECRET_KEY: with the old key in SECRET_KEY_FALLBACKS, people signed in before the
change stay signed in (and their forms' CSRF tokens still hold); without it they must sign in
again."""

from django.urls import reverse

OLD_KEY = "the-old-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-0123456789"
NEW_KEY = "the-new-secret-key-abcdefghijklmnopqrstuvwxyz0123456789-abcdefghij"


def test_a_session_signed_with_the_old_key_still_works_while_it_is_a_fallback(
    settings, client, support_user
):
    settings.SECRET_KEY = OLD_KEY
    client.force_login(support_user)

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    response = client.get(reverse("tickets:list"))

    assert response.status_code == 200
    assert response.wsgi_request.user == support_user


def test_a_session_signed_with_a_key_no_longer_listed_must_sign_in_again(
    settings, client, support_user
):
    settings.SECRET_KEY = OLD_KEY
    client.force_login(support_user)

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, []
    response = client.get(reverse("tickets:list"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))

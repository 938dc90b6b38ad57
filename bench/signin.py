"""A test client signed in as a user, with the second factor given when their role requires
two-factor sign-in: benchmarks measure the pages, not the sign-in."""

from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from ticketui.accounts.two_factor.selectors import two_factor_required


def sign_in(client: Client, user: AbstractBaseUser) -> Client:
    client.force_login(user)
    if two_factor_required(user=user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Benchmark", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client

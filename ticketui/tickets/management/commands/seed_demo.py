"""`manage.py seed_demo`: demo users for a local run (never in production) and the sandbox's tickets."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

DEMO_USERS = [
    # username, password, full name, role
    ("agent", "agent-demo", "Ada Agent", "Support"),
    ("lead", "lead-demo", "Lee Lead", "Team lead"),
]


class Command(BaseCommand):
    help = "Create the demo users (DEBUG only) and print their logins."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo users are only created with DEBUG=true.")
        User = get_user_model()
        for username, password, full_name, role in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.first_name, user.last_name = full_name.split(" ", 1)
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            self.stdout.write(f"  {role:<10} {username} / {password}")

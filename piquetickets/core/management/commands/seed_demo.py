from django.conf import settings
from django.core.management.base import BaseCommand

from piquetickets.core.demo import seed_demo


class Command(BaseCommand):
    help = "Load demo data (producers, venues, shows, orders). Safe to run again: it adds nothing twice."

    def handle(self, *args, **options):
        result = seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({result.created} rows created)."))
        self.stdout.write("Logins:")
        for login in result.logins:
            self.stdout.write(f"  {login.role:<34} {login.username:<12} / {login.password}")
        for title, path in result.door_links:
            self.stdout.write(f"Check-in app for {title}: {settings.SITE_URL}{path}")

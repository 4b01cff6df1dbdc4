import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo

# Each app that has demo content exposes `<app>.demo.seed(context)`; they run in this order.
APP_SEEDERS = ["demands.demo", "offers.demo", "matching.demo", "connections.demo"]


class Command(BaseCommand):
    help = "Create or refresh the demo organisations, logins and content (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default="demo-password-2026",
            help="password of every demo login (at least 12 characters)",
        )

    def handle(self, *args, password: str, **options):
        context = demo.DemoContext(password=password)
        with transaction.atomic():
            demo.seed_organizations(context)
            demo.seed_users(context)
            for module_name in APP_SEEDERS:
                try:
                    module = importlib.import_module(module_name)
                except ModuleNotFoundError as error:
                    if error.name != module_name:
                        raise
                    continue
                module.seed(context)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Logins (password: {password}):"))
        for email, _name, org_key in demo.USERS:
            organization = context.organizations.get(org_key)
            self.stdout.write(f"  {email:38} {organization or 'Django admin'}")

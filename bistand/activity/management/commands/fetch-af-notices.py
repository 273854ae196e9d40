"""`bistand fetch-af-notices --user USERNAME [--since YYYY-MM-DD] [--until YYYY-MM-DD]`: fetch
Arbetsförmedlingen's "kan omfattas" notices through the adapter chosen in
settings.BISTAND_AF_NOTICES (the local simulator by default: AF's real interface is not
published) and store the new ones, as the named staff user. Idempotent: running it again for
the same period stores nothing new (docs/activity-requirement.md)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bistand.core.errors import DomainError
from bistand.organisation.models import User

from ...af_adapter import AFError
from ...services_notices import fetch_notices

DEFAULT_DAYS = 14


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Datumet ska anges som ÅÅÅÅ-MM-DD: {value}") from None


class Command(BaseCommand):
    help = "Fetch Arbetsförmedlingen's 'kan omfattas' notices (adapter; simulator by default)."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="The staff user who reads them in.")
        parser.add_argument("--since", help=f"First day (default: {DEFAULT_DAYS} days ago).")
        parser.add_argument("--until", help="Last day (default: today).")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError("Användaren finns inte eller är inte aktiv.")
        today = timezone.localdate()
        until = _date(options["until"]) if options["until"] else today
        since = _date(options["since"]) if options["since"] else until - dt.timedelta(DEFAULT_DAYS)
        try:
            result = fetch_notices(user, since=since, until=until, today=today)
        except (DomainError, AFError) as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"{len(result.stored)} nya underrättelser sparade, {result.already} fanns redan, "
            f"{result.not_found} utan öppet ärende som användaren har behörighet till."
        )

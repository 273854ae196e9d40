"""`bistand sample --month YYYY-MM [--seed N] [--unit ID] [--size N] [--reviewer USER]
[--user USER]`: draw the month's sample (stickprov) and print it.

Without --user it only computes and prints (the same seed and month give the same decisions;
without --seed a new seed is drawn and printed). With --user (the unit head) the draw is
recorded as the month's sample. An already recorded draw is printed and verified when no seed
is given."""

from django.core.management.base import BaseCommand, CommandError

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.controls import sample_services as services
from bistand.controls.sample_models import SampleDraw
from bistand.core.dates import parse_month
from bistand.core.errors import DomainError
from bistand.organisation.models import Unit, User


class Command(BaseCommand):
    help = "Dra (eller visa) månadens stickprov av beslut för internkontroll."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="månaden, ÅÅÅÅ-MM")
        parser.add_argument("--seed", help="slumpfrö (heltal); utan det dras ett nytt")
        parser.add_argument("--unit", help="enhetens id (behövs om det finns flera enheter)")
        parser.add_argument("--size", help="antal beslut (annars enhetens inställning, 5)")
        parser.add_argument("--reviewer", help="granskarens användarnamn (hens beslut utesluts)")
        parser.add_argument("--user", help="enhetschefen: registrera dragningen som hen")

    def _user(self, username):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"Användaren {username} finns inte eller är inte aktiv.")
        return user

    def _unit(self, given, actor):
        if given:
            unit = Unit.objects.filter(pk=int(given)).first() if str(given).isdigit() else None
            if unit is None:
                raise CommandError(f"Enheten {given} finns inte.")
            return unit
        if actor is not None and actor.unit_id:
            return actor.unit
        units = list(Unit.objects.all()[:2])
        if len(units) != 1:
            raise CommandError("Ange --unit (enhetens id).")
        return units[0]

    def handle(self, *args, **options):
        try:
            month = parse_month(options["month"])
        except (ValueError, TypeError):
            raise CommandError("Ange månaden som ÅÅÅÅ-MM, till exempel 2026-10.")
        actor = self._user(options["user"]) if options.get("user") else None
        reviewer = self._user(options["reviewer"]) if options.get("reviewer") else None
        unit = self._unit(options.get("unit"), actor)
        seed, size = options.get("seed"), options.get("size")
        try:
            if actor is not None:
                draw = services.draw_sample(actor, unit, month, seed=seed, size=size,
                                            reviewer=reviewer)  # fmt: skip
                self._print(month, unit, draw.seed, draw.size, draw.candidate_ids,
                            draw.drawn_ids, f"registrerad som stickprov {draw.pk}")  # fmt: skip
                return
            stored = SampleDraw.objects.filter(unit=unit, month=month, replaced_by__isnull=True)
            stored = stored.first()
            if stored is not None and not seed:
                ok = services.verify_draw(stored)
                self._print(month, unit, stored.seed, stored.size, stored.candidate_ids,
                            stored.drawn_ids, f"registrerad dragning {stored.pk}, "
                            + ("kontrollräknad: stämmer" if ok else "KONTROLLRÄKNAD: STÄMMER INTE"))  # fmt: skip
                return
            planned = services.plan_draw(unit, month, seed=seed, size=size, reviewer=reviewer)
        except DomainError as error:
            raise CommandError(error.message)
        record(None, AuditAction.SEARCH, object_type="controls.sampledraw",
               detail={"what": "sample_preview", "unit": unit.pk, "month": f"{month:%Y-%m}",
                       "seed": planned.seed, "drawn": planned.drawn})  # fmt: skip
        self._print(month, unit, planned.seed, planned.size, planned.pool, planned.drawn,
                    "förhandsvisning – inget sparat")  # fmt: skip

    def _print(self, month, unit, seed, size, pool, drawn, status):
        self.stdout.write(f"Stickprov {month:%Y-%m}, {unit.name} ({status})")
        self.stdout.write(f"Slumpfrö: {seed}")
        self.stdout.write(f"Storlek: {size}, beslut att dra bland: {len(pool)}")
        for position, decision_id in enumerate(drawn, start=1):
            self.stdout.write(f"{position:>3}. beslut {decision_id}")

"""`bistand norm import FILE.json --user NAME`, `bistand norm show YEAR`,
`bistand norm verify YEAR --user NAME`: the riksnorm tables from the command line.

The same services as the pages: an import makes drafts; verifying is refused for the person
who entered (or changed) the draft.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bistand.core.errors import DomainError
from bistand.norms import services
from bistand.norms.compare import compare
from bistand.norms.jsonfile import load_json
from bistand.norms.models import NormTableVersion, VersionState
from bistand.norms.selectors import previous_verified
from bistand.organisation.models import User


def _user(name: str | None) -> User:
    name = name or os.environ.get("BISTAND_USER")
    if not name:
        raise CommandError("Ange vem som utför kommandot med --user (eller BISTAND_USER).")
    user = User.objects.filter(username=name, is_active=True).first()
    if user is None:
        raise CommandError(f"Användaren {name} finns inte eller är inte aktiv.")
    return user


class Command(BaseCommand):
    help = "Riksnormen: importera (som utkast), visa och verifiera (fyra ögon)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="importera en JSON-fil som utkast")
        imp.add_argument("file")
        imp.add_argument("--user")
        show = sub.add_parser("show", help="visa årets tabell(er) och jämförelsen")
        show.add_argument("year", type=int)
        show.add_argument("--json", action="store_true")
        verify = sub.add_parser("verify", help="verifiera årets utkast (en annan person)")
        verify.add_argument("year", type=int)
        verify.add_argument("--user")

    def handle(self, *args, **options):
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as error:
            raise CommandError(f"{error.message} [{error.code}]") from None

    def _import(self, options) -> None:
        user = _user(options.get("user"))
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Filen {path} finns inte.")
        created = services.import_norm_file(user, load_json(path.read_bytes()))
        for version in created:
            flagged = _flagged(version)
            self.stdout.write(
                f"{version}: utkast sparat ({flagged} belopp avviker från förra årets ändring)"
            )

    def _show(self, options) -> None:
        versions = NormTableVersion.objects.filter(year=options["year"]).order_by("revision")
        if not versions:
            raise CommandError(f"Det finns ingen riksnorm för {options['year']}.")
        if options.get("json"):
            self.stdout.write(
                json.dumps(
                    [
                        {
                            "year": v.year,
                            "revision": v.revision,
                            "state": v.state,
                            "source_status": v.source_status,
                            "entered_by": v.entered_by.username if v.entered_by else None,
                            "verified_by": v.verified_by.username if v.verified_by else None,
                            "data": v.data,
                        }
                        for v in versions
                    ],
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        for version in versions:
            who = "datafil" if version.seeded else (version.entered_by or "-")
            self.stdout.write(
                f"{version} – {version.get_state_display()}; källstatus {version.source_status}; "
                f"inlagd av {who}; verifierad av {version.verified_by or '-'}"
            )
            previous = previous_verified(version)
            for row in compare(version.data, previous.data if previous else None):
                change = "" if row.change_percent is None else f"{row.change_percent:+} %"
                flag = f"  ⚠ {row.reason}" if row.flagged else ""
                amount = "saknas" if row.cell.amount is None else row.cell.amount
                before = "-" if row.previous is None else row.previous
                self.stdout.write(
                    f"  {row.cell.group}: {row.cell.label}: {amount} (förra året {before}) "
                    f"{change}{flag}"
                )

    def _verify(self, options) -> None:
        user = _user(options.get("user"))
        draft = NormTableVersion.objects.filter(
            year=options["year"], state=VersionState.DRAFT
        ).first()
        if draft is None:
            raise CommandError(f"Det finns inget utkast av riksnormen {options['year']}.")
        services.verify_version(user, draft)
        self.stdout.write(f"{draft} är verifierad av {user.username}.")


def _flagged(version: NormTableVersion) -> int:
    previous = previous_verified(version)
    return sum(1 for r in compare(version.data, previous.data if previous else None) if r.flagged)

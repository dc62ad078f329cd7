"""``gongjian demo-city``: build the demo city 龙岩市, or a benchmark-sized one.

gongjian demo-city                                   # 5,000 members, 200 units, 30 communities
gongjian demo-city --reset                           # throw the demo city away and build it again
gongjian demo-city --members 2000000 --districts 7 --streets-per-district 10 --communities-per-street 20
"""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError, Q, RestrictedError

from demo.accounts import CAST_PREFIX, DEMO_PASSWORD, DEMO_URL, DEMO_USERNAMES
from demo.city import build_city, city_exists
from demo.layout import CitySize
from demo.reset import reset_city
from demo.vocab import CITY_CODE, CITY_NAME


class Command(BaseCommand):
    help = "Build the demo city 龙岩市 (350800) with its people and demo accounts; sizes are options."

    def add_arguments(self, parser):
        defaults = CitySize()
        parser.add_argument("--members", type=int, default=defaults.members)
        parser.add_argument("--units", type=int, default=defaults.units)
        parser.add_argument("--residents", type=int, default=defaults.residents)
        parser.add_argument("--applicants", type=int, default=defaults.applicants)
        parser.add_argument("--communities-per-street", type=int, default=defaults.communities_per_street)
        parser.add_argument("--streets-per-district", type=int, default=defaults.streets_per_district)
        parser.add_argument("--districts", type=int, default=defaults.districts)
        parser.add_argument("--seed", type=int, default=defaults.seed)
        parser.add_argument(
            "--batch-size", type=int, default=defaults.batch_size, help="rows per bulk insert"
        )
        parser.add_argument(
            "--reset", action="store_true", help="delete the demo city first, then build it again"
        )
        parser.add_argument(
            "--url",
            default=DEMO_URL,
            help=f"the address the server answers on (make demo passes it; {DEMO_URL})",
        )

    def handle(self, *args, **options):
        size = CitySize(
            members=options["members"],
            units=options["units"],
            residents=options["residents"],
            applicants=options["applicants"],
            communities_per_street=options["communities_per_street"],
            streets_per_district=options["streets_per_district"],
            districts=options["districts"],
            seed=options["seed"],
            batch_size=options["batch_size"],
        )
        self._check(size)
        say = self.stdout.write
        if city_exists() and not options["reset"]:
            say(
                f"{CITY_NAME}（{CITY_CODE}）已存在，未做任何改动；重建请加 --reset。\n"
                f"The demo city {CITY_CODE} exists already; nothing changed. Use --reset to rebuild it."
            )
            return
        if options["reset"]:
            started = time.perf_counter()
            try:
                reset_city(out=say)
            except (ProtectedError, RestrictedError) as exc:
                blocking = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", ())
                models = ", ".join(sorted({obj._meta.label for obj in blocking}))
                raise CommandError(
                    f"Cannot reset: records of {models} protect the demo city's rows."
                ) from exc
            say(f"已删除演示城市 / Demo city deleted ({time.perf_counter() - started:.1f} s)")
        taken = sorted(
            get_user_model()
            .objects.filter(Q(username__in=DEMO_USERNAMES) | Q(username__startswith=CAST_PREFIX))
            .values_list("username", flat=True)
        )
        if taken:
            raise CommandError(
                f"These demo usernames are taken by other accounts: {', '.join(taken[:10])}"
                f"{' …' if len(taken) > 10 else ''}. Rename or delete them first (--reset deletes them)."
            )
        say(f"正在生成{CITY_NAME} / Building the demo city (seed {size.seed}) …")
        started = time.perf_counter()
        built = build_city(size, out=say)
        elapsed = time.perf_counter() - started
        say(
            self.style.SUCCESS(
                f"完成 / Done in {elapsed:.1f} s: {len(built.layout.communities)} communities, "
                f"{len(built.layout.units)} units, {built.people.members:,} members, "
                f"{built.people.residents:,} residents, {built.people.applicants:,} applicants."
            )
        )
        say(
            f"演示账号密码 / Demo password: {DEMO_PASSWORD}   ·   gongjian demo-accounts   ·   {options['url']}"
        )

    def _check(self, size: CitySize) -> None:
        for name in ("members", "residents", "applicants"):
            if getattr(size, name) < 0:
                raise CommandError(f"--{name} cannot be negative.")
        if size.units < 6:
            raise CommandError("--units must be at least 6 (one of every kind).")
        if min(size.districts, size.streets_per_district, size.communities_per_street) < 1:
            raise CommandError(
                "--districts, --streets-per-district and --communities-per-street must be at least 1."
            )
        if size.districts * size.streets_per_district < 2:
            raise CommandError("The demo needs at least two streets (street2 is the outsider).")
        if size.districts > 90 or size.streets_per_district > 999 or size.communities_per_street > 999:
            raise CommandError(
                "Division codes allow at most 90 districts, 999 streets and 999 communities each."
            )
        if size.batch_size < 1:
            raise CommandError("--batch-size must be positive.")

"""``gongjian demo-tier``: build the city tier — 16 districts, 350 streets, 6,000 communities,
2,000,000 members — on PostgreSQL, into a database it empties first (its name must say bench, tier
or scratch, or pass --force).

gongjian demo-tier                              # the whole city tier
gongjian demo-tier --members 20000 --jobs 1     # a small proportionate city
gongjian demo-tier --if-missing                 # build only if the last build had other options
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from demo.tier.build import DEFAULT_PASSWORD, Refused, build_tier, check_database, matching_build
from demo.tier.options import CITY_MEMBERS, VERSION, TierOptions


class Command(BaseCommand):
    help = "Build the city tier (2,000,000 members by default) on PostgreSQL, emptying the database first."

    def add_arguments(self, parser):
        defaults = TierOptions()
        parser.add_argument("--members", type=int, default=CITY_MEMBERS)
        parser.add_argument("--districts", type=int, help="default: 16, fewer for a smaller tier")
        parser.add_argument("--streets", type=int, help="default: 350, fewer for a smaller tier")
        parser.add_argument("--communities", type=int, help="default: 6,000, fewer for a smaller tier")
        parser.add_argument("--in-service-share", type=float, default=defaults.in_service_share)
        parser.add_argument("--records-per-member", type=int, default=defaults.records_per_member)
        parser.add_argument(
            "--cases-per-member", type=float, default=defaults.cases_per_member, help="cases of the past year"
        )
        parser.add_argument("--seed", type=int, default=defaults.seed)
        parser.add_argument("--jobs", type=int, default=defaults.jobs, help="processes making the people")
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="of the tier-* accounts")
        parser.add_argument("--force", action="store_true", help="empty a database of any name")
        parser.add_argument(
            "--if-missing", action="store_true", help="do nothing if the last build had the same options"
        )

    def handle(self, *args, **options):
        try:
            check_database(force=options["force"])
        except Refused as exc:
            raise CommandError(str(exc)) from exc
        tier = TierOptions.scaled(
            options["members"],
            districts=options["districts"],
            streets=options["streets"],
            communities=options["communities"],
            in_service_share=options["in_service_share"],
            records_per_member=options["records_per_member"],
            cases_per_member=options["cases_per_member"],
            seed=options["seed"],
            jobs=options["jobs"],
        )
        self._check(tier)
        say = self.stdout.write
        if options["if_missing"] and (found := matching_build(tier)) is not None:
            say(f"The tier of {found.finished_at:%Y-%m-%d %H:%M} has these options ({VERSION}): kept.")
            return
        say(
            f"Building the city tier ({VERSION}): {tier.members:,} members, {tier.districts} districts, "
            f"{tier.streets} streets, {tier.communities:,} communities, {tier.units:,} units, "
            f"{tier.jobs} jobs, seed {tier.seed} …"
        )
        built = build_tier(tier, password=options["password"], out=say)
        counts = ", ".join(f"{k} {v:,}" for k, v in built.counts.items() if not k.startswith("checkins_"))
        say(self.style.SUCCESS(f"Done in {built.seconds['total']['wall']} s: {counts}."))

    def _check(self, tier: TierOptions) -> None:
        if tier.members < 100:
            raise CommandError("--members must be at least 100.")
        if not 0 <= tier.in_service_share <= 1:
            raise CommandError("--in-service-share is a share between 0 and 1.")
        if not 0 <= tier.records_per_member <= 360:
            raise CommandError("--records-per-member must be between 0 and 360 (one a day at most).")
        if not 0 <= tier.cases_per_member <= 10:
            raise CommandError("--cases-per-member must be between 0 and 10.")
        if (
            tier.districts > 90
            or tier.streets > 999 * tier.districts
            or tier.communities > 999 * tier.streets
        ):
            raise CommandError(
                "Division codes allow at most 90 districts, 999 streets and 999 communities each."
            )
        if tier.streets < 2 or tier.districts < 1 or tier.communities < tier.streets:
            raise CommandError("The tier needs a district, two streets and a community in each street.")
        if tier.jobs < 1:
            raise CommandError("--jobs must be at least 1.")

"""Invented people for the demo municipality: names, addresses, test identity numbers, and
households of plausible composition.

Identity numbers come only from Skatteverket's official test numbers (data/README.md), each
used once. Names are common first and last names combined at random: nobody real is meant.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from bistand.core.identity import IdentityNumber, age_on, parse_identity_number

DATA_DIR = Path(__file__).resolve().parent / "data"
PERSONAL_NUMBERS_FILE = DATA_DIR / "test_personal_numbers.txt"
COORDINATION_NUMBERS_FILE = DATA_DIR / "test_coordination_numbers.txt"

# Lund (kommunkod 1281, shared/data/municipalities/municipalities.csv).
MUNICIPALITY_CODE = "1281"
MUNICIPALITY_NAME = "Lund"
CITY = "Lund"
POSTAL_CODES = (
    "22220", "22229", "22237", "22350", "22363", "22465", "22470", "22478",
    "22590", "22594", "22647", "22652", "22735", "22738", "24735",
)  # fmt: skip
STREETS = (
    "Storgatan", "Kyrkogatan", "Klostergatan", "Fäladsgatan", "Kastanjegatan", "Björkvägen",
    "Lärkvägen", "Tornavägen", "Vildandsvägen", "Sparvgatan", "Rönnvägen", "Linnégatan",
    "Havsörnsvägen", "Möllevångsvägen", "Svanevägen", "Magistratsvägen", "Kämnärsvägen",
    "Smörlyckan", "Norra Fäladen", "Klostergården", "Lineavägen", "Kastanjevägen",
    "Skolgatan", "Tunavägen", "Åldermansgatan", "Råbyvägen", "Östra Vallgatan",
)  # fmt: skip

MALE_NAMES = (
    "Erik", "Lars", "Karl", "Anders", "Johan", "Per", "Nils", "Mikael", "Jan", "Hans", "Peter",
    "Daniel", "Fredrik", "Andreas", "Marcus", "Mattias", "Stefan", "Oskar", "Viktor", "Emil",
    "Jonas", "Simon", "Alexander", "Filip", "Anton", "Rasmus", "Sebastian", "Jesper", "Tobias",
    "Robin", "Ali", "Mohammed", "Ahmed", "Hassan", "Omar", "Yusuf", "Ibrahim", "Mustafa", "Abdi",
    "Mehmet", "Dragan", "Goran", "Tomasz", "Arash", "Reza", "Samir", "Kofi", "Luis", "Dawit",
    "Bilal",
)  # fmt: skip
FEMALE_NAMES = (
    "Anna", "Maria", "Karin", "Sara", "Emma", "Lena", "Kerstin", "Eva", "Ingrid", "Linnea",
    "Elin", "Johanna", "Hanna", "Ida", "Malin", "Sofia", "Julia", "Frida", "Amanda", "Moa",
    "Elsa", "Maja", "Ebba", "Klara", "Wilma", "Fatima", "Amina", "Leyla", "Nour", "Aisha",
    "Hodan", "Yasmin", "Zeynep", "Mariam", "Samira", "Jelena", "Agnieszka", "Parisa", "Shirin",
    "Hawa", "Asma", "Rana", "Liya", "Camila", "Daniela", "Helena", "Therese", "Jessica",
)  # fmt: skip
BOY_NAMES = (
    "Liam", "Noah", "Hugo", "William", "Lucas", "Elias", "Adam", "Leo", "Oliver", "Isak",
    "Melvin", "Theo", "Ludvig", "Axel", "Yusuf", "Omar", "Adrian", "Zakaria", "Sami", "Milo",
)  # fmt: skip
GIRL_NAMES = (
    "Alice", "Olivia", "Astrid", "Vera", "Selma", "Alma", "Ella", "Saga", "Wilma", "Freja",
    "Ellen", "Lilly", "Maryam", "Sara", "Nora", "Ines", "Layla", "Hiba", "Edith", "Signe",
)  # fmt: skip
LAST_NAMES = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
    "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson",
    "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Lindström", "Olofsson", "Lindqvist",
    "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lind", "Lundgren", "Lundqvist",
    "Mattsson", "Berglund", "Fredriksson", "Sandberg", "Henriksson", "Forsberg", "Sjöberg",
    "Wallin", "Engström", "Håkansson", "Danielsson", "Lundin", "Ali", "Mohammed", "Ahmed",
    "Hassan", "Hussein", "Abdullahi", "Yilmaz", "Kaya", "Nowak", "Kowalski", "Jovanović",
    "Petrović", "Hosseini", "Rahimi", "Mohamud", "Osman", "Ibrahim", "Haddad", "Khalil",
    "Nguyen", "Rodríguez", "García", "Tesfaye", "Popescu",
)  # fmt: skip


# Household compositions and their weights. Socialstyrelsen's register of economic
# assistance: about 60 % single without children (more men than women), about 20 % single
# parents (mostly women), about 8 % cohabiting with and 7 % without children.
COMPOSITIONS: dict[str, int] = {
    "single_man": 36,
    "single_woman": 24,
    "single_mother": 18,
    "single_father": 2,
    "couple_with_children": 9,
    "couple": 7,
    "with_other_adult": 4,
}
# Share of single/couple households without children whose applicant is a young adult (18-24).
YOUNG_ADULT_SHARE = 0.28
COORDINATION_NUMBER_SHARE = 0.03

# Ages of other applicants: (lowest, highest, weight).
ADULT_AGE_BANDS = ((25, 34, 34), (35, 44, 28), (45, 54, 22), (55, 64, 12), (65, 74, 4))
PARENT_AGE_BANDS = ((22, 29, 25), (30, 39, 45), (40, 49, 25), (50, 55, 5))
CHILDREN_COUNT_WEIGHTS = ((1, 45), (2, 33), (3, 15), (4, 5), (5, 2))

# Support obstacles (core.codes) with weights: unemployment most, then ill health, then
# social reasons (Socialstyrelsen's statistics on försörjningshinder).
OBSTACLE_WEIGHTS: dict[str, int] = {
    "unemployed_no_benefit": 22,
    "unemployed_insufficient_benefit": 8,
    "unemployed_awaiting_benefit": 4,
    "establishment_missing": 2,
    "establishment_insufficient": 2,
    "establishment_awaiting": 1,
    "working_part_time_insufficient": 6,
    "working_full_time_insufficient": 3,
    "sick_certified_no_benefit": 10,
    "sick_certified_insufficient": 5,
    "sick_certified_awaiting": 4,
    "activity_compensation_insufficient": 4,
    "social_reasons": 12,
    "unaccompanied_youth_student": 1,
    "no_childcare": 2,
    "parental_benefit_insufficient": 3,
    "pension_insufficient": 2,
    "no_obstacle": 1,
}


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def read_numbers(path: Path) -> list[str]:
    """The numbers in a file, each once (the source lists a few twice)."""
    return list(
        dict.fromkeys(line.strip() for line in path.read_text().splitlines() if line.strip())
    )


def skatteverket_test_numbers() -> set[str]:
    """Every identity number the demo may use (Skatteverket's test numbers)."""
    return set(read_numbers(PERSONAL_NUMBERS_FILE)) | set(read_numbers(COORDINATION_NUMBERS_FILE))


def _birth_date_of(number: str) -> dt.date | None:
    """The birth date, or None where the number has none (coordination numbers may give
    month or day 00, which core.identity does not accept)."""
    day = int(number[6:8])
    try:
        return dt.date(int(number[:4]), int(number[4:6]), day - 60 if day > 60 else day)
    except ValueError:
        return None


class IdentityPool:
    """Skatteverket's test numbers by birth year and sex; each number is handed out once."""

    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self._pools: dict[tuple[bool, int, str], list[tuple[str, dt.date]]] = {}
        for coordination, path in (
            (False, PERSONAL_NUMBERS_FILE),
            (True, COORDINATION_NUMBERS_FILE),
        ):
            for number in read_numbers(path):
                born = _birth_date_of(number)
                if born is None or born > today:
                    continue
                sex = "M" if int(number[-2]) % 2 else "F"
                self._pools.setdefault((coordination, born.year, sex), []).append((number, born))
        for key in sorted(self._pools):
            rng.shuffle(self._pools[key])

    def _take_in(self, coordination: bool, sex: str, low: dt.date, high: dt.date) -> str | None:
        years = list(range(low.year, high.year + 1))
        self.rng.shuffle(years)
        for year in years:
            pool = self._pools.get((coordination, year, sex))
            if not pool:
                continue
            for index in range(len(pool) - 1, -1, -1):
                number, born = pool[index]
                if low <= born <= high:
                    pool[index] = pool[-1]
                    pool.pop()
                    return number
        return None

    def take(
        self,
        sex: str,
        low: dt.date,
        high: dt.date,
        *,
        hard_low: dt.date,
        hard_high: dt.date,
        coordination: bool = False,
    ) -> IdentityNumber:
        """A number of `sex` born in [low, high], widening towards [hard_low, hard_high]."""
        low, high = max(low, hard_low), min(high, hard_high)
        if low > high:
            low = high
        kinds = (True, False) if coordination else (False,)
        while True:
            for kind in kinds:
                number = self._take_in(kind, sex, low, high)
                if number is not None:
                    return parse_identity_number(number, self.today)
            if low <= hard_low and high >= hard_high:
                raise RuntimeError(f"Out of test identity numbers ({sex}, {hard_low}-{hard_high})")
            low = max(hard_low, low - dt.timedelta(days=730))
            high = min(hard_high, high + dt.timedelta(days=730))


@dataclass
class PlannedPerson:
    identity: IdentityNumber
    first_name: str
    last_name: str
    role: str  # households.models.MemberRole value
    valid_from: dt.date
    obstacle: str = ""  # adults: support obstacle code (core.codes)
    pk: int | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def sex(self) -> str:
        return self.identity.sex

    @property
    def is_adult_member(self) -> bool:
        return self.role != "child"


@dataclass
class PlannedHousehold:
    composition: str
    since: dt.date
    address: str
    postal_code: str
    members: list[PlannedPerson] = field(default_factory=list)
    rent: Decimal = Decimal("0")
    electricity: Decimal = Decimal("0")
    home_insurance: Decimal = Decimal("0")
    young_adult: bool = False
    pk: int | None = None

    @property
    def applicant(self) -> PlannedPerson:
        return self.members[0]

    @property
    def adults(self) -> list[PlannedPerson]:
        return [m for m in self.members if m.is_adult_member]

    @property
    def children(self) -> list[PlannedPerson]:
        return [m for m in self.members if m.role == "child"]

    @property
    def main_obstacle(self) -> str:
        return self.applicant.obstacle

    def stated_costs(self) -> list[dict]:
        costs = [
            {"type": "rent", "amount": f"{self.rent:.2f}"},
            {"type": "household_electricity", "amount": f"{self.electricity:.2f}"},
            {"type": "home_insurance", "amount": f"{self.home_insurance:.2f}"},
        ]
        return costs

    def stated_incomes(self) -> list[dict]:
        incomes = []
        for index, adult in enumerate(self.adults):
            income = _OBSTACLE_INCOME.get(adult.obstacle)
            if income:
                kind, amount = income
                incomes.append({"type": kind, "amount": f"{amount:.2f}", "member": index or None})
        if self.children:
            # Barnbidrag 1 250 kr a month per child (Försäkringskassan, 2026).
            incomes.append(
                {"type": "child_allowance", "amount": f"{1250 * len(self.children):.2f}"}
            )
        return incomes


_OBSTACLE_INCOME = {
    "unemployed_insufficient_benefit": ("unemployment_benefit", Decimal("6240")),
    "working_part_time_insufficient": ("wages", Decimal("8350")),
    "working_full_time_insufficient": ("wages", Decimal("14200")),
    "sick_certified_insufficient": ("sickness_benefit", Decimal("5460")),
    "activity_compensation_insufficient": ("activity_compensation", Decimal("7380")),
    "establishment_insufficient": ("establishment_allowance", Decimal("4620")),
    "parental_benefit_insufficient": ("parental_benefit", Decimal("5700")),
    "pension_insufficient": ("pension", Decimal("9840")),
}


def _weighted(rng: random.Random, weights: dict[str, int] | tuple) -> object:
    if isinstance(weights, dict):
        items, w = list(weights), list(weights.values())
    else:
        items, w = [item[:-1] for item in weights], [item[-1] for item in weights]
    return rng.choices(items, weights=w, k=1)[0]


class HouseholdMaker:
    """Makes households of plausible composition, ages and support obstacles."""

    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.identities = IdentityPool(rng, today)
        self.oldest = dt.date(1940, 1, 1)

    def _adult(
        self, sex: str, since: dt.date, ages: tuple[int, int], last_name: str, role: str
    ) -> PlannedPerson:
        youngest_allowed = _years_before(since, 18)  # an adult member was 18 when registered
        low = _years_before(self.today, ages[1] + 1) + dt.timedelta(days=1)
        high = _years_before(self.today, ages[0])
        identity = self.identities.take(
            sex,
            low,
            high,
            hard_low=self.oldest,
            hard_high=youngest_allowed,
            coordination=self.rng.random() < COORDINATION_NUMBER_SHARE,
        )
        names = MALE_NAMES if identity.sex == "M" else FEMALE_NAMES
        return PlannedPerson(identity, self.rng.choice(names), last_name, role, since)

    def _children(self, parents: list[PlannedPerson], since: dt.date, last_name: str) -> list:
        count = _weighted(self.rng, CHILDREN_COUNT_WEIGHTS)[0]
        eldest_parent = min(p.identity.birth_date for p in parents)
        youngest_parent = max(p.identity.birth_date for p in parents)
        # Born when every parent was at least 18 and the eldest at most 46; under 18 today.
        hard_low = max(
            _years_before(self.today, 18) + dt.timedelta(days=1),
            _years_before(youngest_parent, -18),
        )
        hard_high = min(self.today, _years_before(eldest_parent, -46))
        children = []
        for _ in range(count):
            if hard_low > hard_high:
                break
            sex = self.rng.choice("MF")
            try:
                identity = self.identities.take(
                    sex, hard_low, hard_high, hard_low=hard_low, hard_high=hard_high
                )
            except RuntimeError:
                break
            names = BOY_NAMES if identity.sex == "M" else GIRL_NAMES
            joined = max(since, identity.birth_date)
            children.append(
                PlannedPerson(identity, self.rng.choice(names), last_name, "child", joined)
            )
        children.sort(key=lambda child: child.identity.birth_date)
        return children

    def _obstacle(self, person: PlannedPerson, household: PlannedHousehold) -> str:
        age = age_on(person.identity.birth_date, self.today)
        has_children = bool(household.children)
        youngest_child_age = min(
            (age_on(c.identity.birth_date, self.today) for c in household.children), default=99
        )
        weights = dict(OBSTACLE_WEIGHTS)
        if age < 65:
            weights.pop("pension_insufficient")
        else:
            weights = {
                "pension_insufficient": 10,
                "sick_certified_no_benefit": 1,
                "social_reasons": 1,
            }
        if not (18 <= age <= 20):
            weights.pop("unaccompanied_youth_student", None)
        if not has_children:
            weights.pop("no_childcare", None)
        if youngest_child_age > 7:
            weights.pop("parental_benefit_insufficient", None)
        if household.young_adult:
            weights["unemployed_no_benefit"] = weights.get("unemployed_no_benefit", 0) + 10
            weights["social_reasons"] = weights.get("social_reasons", 0) + 4
        return str(_weighted(self.rng, weights))

    def make(
        self, composition: str, since: dt.date, *, young: bool | None = None
    ) -> PlannedHousehold:
        rng = self.rng
        street = rng.choice(STREETS)
        address = f"{street} {rng.randint(1, 60)}"
        if rng.random() < 0.6:
            address += f", lgh {rng.randint(10, 16)}{rng.randint(1, 9):02d}"
        household = PlannedHousehold(composition, since, address, rng.choice(POSTAL_CODES))
        last_name = rng.choice(LAST_NAMES)
        if young is None:
            young = composition in ("single_man", "single_woman", "couple") and (
                rng.random() < YOUNG_ADULT_SHARE
            )
        household.young_adult = young
        applicant_ages = (18, 24) if young else _weighted(rng, ADULT_AGE_BANDS)
        if composition in ("single_mother", "single_father", "couple_with_children"):
            applicant_ages = _weighted(rng, PARENT_AGE_BANDS)
        if composition == "with_other_adult":
            applicant_ages = (45, 64)
        applicant_sex = {
            "single_man": "M",
            "single_woman": "F",
            "single_mother": "F",
            "single_father": "M",
        }.get(composition) or rng.choice("MF")
        applicant = self._adult(applicant_sex, since, applicant_ages, last_name, "applicant")
        household.members.append(applicant)
        parents = [applicant]
        if composition in ("couple", "couple_with_children"):
            partner_sex = (
                ("F" if applicant.sex == "M" else "M") if rng.random() < 0.95 else applicant.sex
            )
            applicant_age = age_on(applicant.identity.birth_date, self.today)
            low_age = max(18 if young else 20, applicant_age - 6)
            partner_ages = (low_age, max(low_age, applicant_age + 6))
            if young:
                partner_ages = (18, 26)
            partner_last = last_name if rng.random() < 0.55 else rng.choice(LAST_NAMES)
            partner = self._adult(partner_sex, since, partner_ages, partner_last, "co_applicant")
            household.members.append(partner)
            parents.append(partner)
        if composition == "with_other_adult":
            other = self._adult(rng.choice("MF"), since, (21, 27), last_name, "other_adult")
            household.members.append(other)
        if composition in ("single_mother", "single_father", "couple_with_children"):
            household.members.extend(self._children(parents, since, last_name))
        for adult in household.adults:
            adult.obstacle = self._obstacle(adult, household)
        size = len(household.members)
        household.rent = Decimal(rng.randrange(4800 + 900 * size, 6400 + 1300 * size, 10))
        household.electricity = Decimal(rng.randrange(220 + 60 * size, 420 + 90 * size, 5))
        household.home_insurance = Decimal(rng.randrange(85, 190, 5))
        return household

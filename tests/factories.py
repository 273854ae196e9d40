"""factory-boy factories and small builders shared by the tests."""

import itertools

import factory

from bistand.organisation.models import Role, Section, Unit, User

# Skatteverket's test personal numbers (never issued to real people).
ADULT_NUMBERS = [
    "198309192394",
    "199811022384",
    "199109202383",
    "197910142392",
    "198801122394",
    "196504203792",
    "200002052397",
    "199703092396",
    "198402282381",
    "199901062381",
]
CHILD_NUMBERS = ["201501102386", "201909282392", "201310262389", "201601292392"]

_adult_iter = itertools.cycle(ADULT_NUMBERS)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = "Försörjningsstöd Exempelkommun"
    municipality_code = "1281"
    municipality_name = "Lund"


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    unit = factory.SubFactory(UnitFactory)
    name = factory.Sequence(lambda n: f"Sektion {n}")
    code = factory.Sequence(lambda n: f"sektion-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"Förnamn{n}")
    last_name = "Testsson"
    role = Role.SOCIAL_WORKER
    password = factory.PostGenerationMethodCall("set_password", "demo-lösenord-1")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()

import factory

from accounts.models import Organization, User
from portal.models import Province

PASSWORD = "correct-horse-battery-staple"


def province(slug: str) -> Province:
    return Province.objects.get(slug=slug)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = Organization.Kind.ENTERPRISE
    name = factory.Sequence(lambda n: f"Công ty Thử nghiệm {n}")
    province = factory.LazyFunction(lambda: province("thai-nguyen"))
    tax_code = factory.Sequence(lambda n: f"{4600000000 + n}")
    status = Organization.Status.ACTIVE
    contact_email = factory.Sequence(lambda n: f"contact{n}@firm.example")
    contact_phone = "+84 208 000 000"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Sequence(lambda n: f"Người dùng {n}")
    organization = factory.SubFactory(OrganizationFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()

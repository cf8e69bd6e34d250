from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from reflect.dates import is_known_zone
from reflect.ids import PUBLIC_ID_LENGTH, new_public_id, new_token
from reflect.text import validate_single_line

# Aggregates never describe fewer people than this, whatever an organisation sets.
MIN_GROUP_SIZE_FLOOR = 3
RETENTION_MONTHS_DEFAULT = 36
RETENTION_MONTHS_MIN = 12
RETENTION_MONTHS_MIN_MESSAGE = (
    f"Keep reflections for at least {RETENTION_MONTHS_MIN} months, or leave empty to keep them: "
    "people need their reflections as evidence (NMC revalidation looks back three years)."
)


def validate_language(value: str) -> None:
    if value not in dict(settings.LANGUAGES):
        raise ValidationError(_("“%(value)s” is not one of Reflect's languages.") % {"value": value})


def default_invitation_valid_days() -> int:
    return settings.INVITATION_VALID_DAYS


# An invitation link is a key to the organisation: at most a quarter of a year.
INVITATION_VALID_DAYS_MAX = 90


def validate_time_zone(value: str) -> None:
    if not is_known_zone(value):
        raise ValidationError(
            _("“%(value)s” is not a known time zone (use a name such as Europe/London).") % {"value": value}
        )


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("Users need an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. E-mail is the login; there is no username."""

    email = models.EmailField("e-mail address", unique=True)
    display_name = models.CharField(max_length=120, blank=True, validators=[validate_single_line])
    time_zone = models.CharField(max_length=64, default="Europe/London", validators=[validate_time_zone])
    # Empty until the person chooses: then each organisation's default speaks for them,
    # so a person in a Welsh-default organisation gets Welsh without doing anything.
    language = models.CharField(_("language"), max_length=10, blank=True, default="", validators=[validate_language])
    public_id = models.CharField(max_length=PUBLIC_ID_LENGTH * 2, unique=True, default=new_public_id, editable=False)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.email.split("@")[0]


class TwoFactorRequirement(models.TextChoices):
    """Who in an organisation must use two-factor authentication. Staff and superusers
    always must, whatever their organisations say."""

    NOBODY = "nobody", _("Nobody (anyone may still turn it on)")
    ADMINS = "admins", _("Organisation admins")
    FACILITATORS = "facilitators", _("Facilitators and admins")
    EVERYONE = "everyone", _("Everyone")


class Organization(models.Model):
    """The tenant. Everything a care team owns hangs off one of these."""

    name = models.CharField(max_length=150, validators=[validate_single_line])
    slug = models.SlugField(max_length=60, unique=True)
    time_zone = models.CharField(max_length=64, default="Europe/London", validators=[validate_time_zone])
    # k: aggregates are shown only where at least this many distinct people contribute.
    min_group_size = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(MIN_GROUP_SIZE_FLOOR)], verbose_name=_("smallest group shown (k)")
    )
    # Reflections older than this are deleted unless their author pinned them; empty = keep.
    # At least a year, three by default: NMC revalidation asks for reflective accounts
    # from the last three years, and a deleted account cannot be recovered.
    reflection_retention_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        default=RETENTION_MONTHS_DEFAULT,
        validators=[MinValueValidator(RETENTION_MONTHS_MIN, message=RETENTION_MONTHS_MIN_MESSAGE)],
    )
    two_factor_required = models.CharField(
        "two-factor authentication required for",
        max_length=20,
        choices=TwoFactorRequirement.choices,
        default=TwoFactorRequirement.NOBODY,
    )
    # Letting someone new into the organisation (and so into cohorts' shared history) is
    # an admin's decision unless the organisation lets its facilitators do it too.
    facilitators_may_invite = models.BooleanField(
        default=False,
        verbose_name=_("facilitators may invite new people"),
        help_text=_("Facilitators may invite people who are not yet in the organisation into their cohorts."),
    )
    default_language = models.CharField(
        max_length=10, default="en-gb", validators=[validate_language], verbose_name=_("default language")
    )
    invitation_valid_days = models.PositiveSmallIntegerField(
        default=default_invitation_valid_days,
        validators=[MinValueValidator(1), MaxValueValidator(INVITATION_VALID_DAYS_MAX)],
        verbose_name=_("invitations are valid for (days)"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_group_size__gte=MIN_GROUP_SIZE_FLOOR), name="organization_k_at_least_3"
            ),
        ]

    def __str__(self) -> str:
        return self.name


def group_size(organization: Organization) -> int:
    """The one k rule: the organisation's k, never below the platform's floor.

    Every aggregate anywhere (cohort insights, evaluations, the notification distribution,
    the anonymous-share check) asks this function, never ``min_group_size`` itself, so an
    unsaved form, an old row or a raw update cannot lower the floor for one page.
    """
    return max(organization.min_group_size or 0, MIN_GROUP_SIZE_FLOOR)


class TenantModel(models.Model):
    """Base for every tenant-owned table: an indexed organisation key and a scoped manager.

    A query through ``objects`` outside ``django_scopes.scope(organization=...)`` raises,
    so a forgotten filter is an error rather than a leak.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, db_index=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        abstract = True


class Role(models.TextChoices):
    ADMIN = "admin", _("Organisation admin")
    FACILITATOR = "facilitator", _("Facilitator")
    MEMBER = "member", _("Member")


class Membership(TenantModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    is_active = models.BooleanField(default=True)
    public_id = models.CharField(max_length=PUBLIC_ID_LENGTH * 2, unique=True, default=new_public_id, editable=False)
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique_user_per_org"),
        ]
        ordering = ["user__display_name", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


INVITATION_STATUS_LABELS = {
    "accepted": _("accepted"),
    "revoked": _("revoked"),
    "expired": _("expired"),
    "pending": _("pending"),
}


class Invitation(TenantModel):
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    public_id = models.CharField(max_length=PUBLIC_ID_LENGTH * 2, unique=True, default=new_public_id, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open invitation per address and organisation; a re-invite renews it.
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.organization}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    def get_status_display(self) -> str:
        """The status in words for a page, in the reader's language."""
        return INVITATION_STATUS_LABELS[self.status]

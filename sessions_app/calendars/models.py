"""Calendar subscriptions."""

from django.db import models
from django.utils import timezone

from accounts.models import Membership, TenantModel
from reflect.ids import new_token


class CalendarFeed(TenantModel):
    """A person's secret subscription URL for one organisation's meetings."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(default=timezone.now)

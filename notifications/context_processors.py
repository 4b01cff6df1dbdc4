from .models import Notification


def unread(request):
    """The unread count in the top bar: one cheap query on an indexed column."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count
    }

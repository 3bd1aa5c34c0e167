from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsSyncConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "channels_sync"
    verbose_name = _("Marketplace sync")

    def ready(self) -> None:
        from channels_sync.services.stock import stock_changed_receiver
        from inventory.signals import stock_changed

        # A stock change (after its commit) is pushed to every shop that sells the variant:
        # the receiver records what changed and schedules one coalesced push per shop.
        stock_changed.connect(stock_changed_receiver, dispatch_uid="channels_sync.stock_changed")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "youthsafe.supervision"
    label = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from youthsafe.core.referrals import referral_requested
        from youthsafe.supervision.services.referrals import receive_referral

        referral_requested.connect(receive_referral, dispatch_uid="supervision.receive_referral")

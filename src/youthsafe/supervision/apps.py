from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from youthsafe.core.referrals import referral_requested


class SupervisionConfig(AppConfig):
    name = "youthsafe.supervision"
    label = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        # Here, not at the top: the services import the app's models, which Django loads after every apps.py.
        from youthsafe.supervision.services.referrals import receive_referral  # noqa: PLC0415  (app registry)

        referral_requested.connect(receive_referral, dispatch_uid="supervision.receive_referral")

from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "ticketui.metrics"
    label = "metrics"
    verbose_name = "Metrics"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_login_failed

        from ticketui.osm.observers import call_observer_add

        from .recorders import lockout_record, login_failure_record, upstream_call_record

        call_observer_add(upstream_call_record)
        user_login_failed.connect(login_failure_record, dispatch_uid="metrics-login-failed")
        user_locked_out.connect(lockout_record, dispatch_uid="metrics-locked-out")

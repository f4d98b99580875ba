from django.apps import AppConfig


class StoreConfig(AppConfig):
    name = "kommunkvalitet.store"
    label = "store"
    verbose_name = "Data store"

    def ready(self) -> None:
        from kommunkvalitet.store import audit
        from kommunkvalitet.store.dataversion import connect_signals

        audit.connect()
        connect_signals()

from django.apps import AppConfig


class StoreConfig(AppConfig):
    name = "kommunkvalitet.store"
    label = "store"
    verbose_name = "Data store"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from kommunkvalitet.store import audit, staging
        from kommunkvalitet.store.dataversion import connect_signals

        audit.connect()
        connect_signals()
        connection_created.connect(staging.announce_waits, dispatch_uid="kommunkvalitet-announce-waits")

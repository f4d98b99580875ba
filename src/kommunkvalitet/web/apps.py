from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kommunkvalitet.web"
    label = "web"

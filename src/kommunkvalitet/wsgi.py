"""WSGI entry point for gunicorn: ``gunicorn kommunkvalitet.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kommunkvalitet.settings")
application = get_wsgi_application()

# Start the chart renderer's JavaScript engine now, in the background, rather than in the first request
# that draws a chart (it takes 1-3 s once per process).
import threading  # noqa: E402

from kommunkvalitet.reports.charts import warm_up  # noqa: E402

threading.Thread(target=warm_up, name="chart-warm-up", daemon=True).start()

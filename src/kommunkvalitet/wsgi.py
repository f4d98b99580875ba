"""WSGI entry point for gunicorn: ``gunicorn kommunkvalitet.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kommunkvalitet.settings")
application = get_wsgi_application()

# A web write waits at most 1 s for SQLite's write lock (an import holds it), then answers 503 "försök igen".
from kommunkvalitet.web.busy import limit_write_wait  # noqa: E402

limit_write_wait()

# Start the chart renderer's JavaScript engine now, in the background, rather than in the first request
# that draws a chart (it takes 1-3 s once per process).
import threading  # noqa: E402

from kommunkvalitet.reports.charts import warm_up  # noqa: E402

threading.Thread(target=warm_up, name="chart-warm-up", daemon=True).start()

# Everything loaded so far is kept for the process's life: out of the garbage collector's sight, and fewer
# collections per request (web/collector.py).
from kommunkvalitet.web.collector import tune_collector  # noqa: E402

tune_collector()

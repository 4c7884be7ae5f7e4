"""gunicorn settings for `make run` and production: `gunicorn -c gunicorn.conf.py`.

Every value can be overridden from the environment (WEB_BIND, WEB_CONCURRENCY, WEB_TIMEOUT,
LOG_FORMAT=json) or on the command line.
"""
import multiprocessing
import os
import shutil
import tempfile

wsgi_app = "wsgi:app"
bind = os.environ.get("WEB_BIND", "127.0.0.1:5000")
# Sync workers: the app waits on PostgreSQL, not on slow clients (a balancer buffers those).
# gunicorn's rule of thumb, 2 × cores + 1, is the default.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count() + 1)
worker_class = "sync"
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))  # a request stuck longer is killed and logged
graceful_timeout = 20
keepalive = 5
max_requests = 5000  # recycle workers now and then: bounded memory growth
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
if os.environ.get("LOG_FORMAT") == "json":
    access_log_format = ('{"time":"%(t)s","remote":"%(h)s","method":"%(m)s","path":"%(U)s",'
                         '"query":"%(q)s","status":%(s)s,"bytes":"%(B)s","ms":%(M)s,"agent":"%(a)s"}')
else:
    access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms'

# /metrics under several workers: prometheus-client's multiprocess mode keeps each worker's
# samples in files of one directory, emptied when the master starts.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = os.path.join(tempfile.gettempdir(), f"desk-metrics-{os.getpid()}")


def on_starting(server):
    path = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    # Build the router (catalog, jieba dictionary) and load the statutory holidays of the years
    # ahead (python-holidays imports ~300 modules) before the worker takes requests, so no user
    # waits for them; a database not yet migrated only postpones that to the first filing.
    try:
        from datetime import date

        from app.domain.calendar import statutory_holidays
        from app.services import routing

        for year in range(date.today().year, date.today().year + 3):
            statutory_holidays(year)
        with worker.wsgi.app_context():
            routing.router()
    except Exception:  # noqa: BLE001
        worker.log.warning("router not built at start; it will be built on the first filing")

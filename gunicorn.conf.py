"""gunicorn's settings for the web processes: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Every value can be changed from the environment; command-line flags win over this file.
The database connections these settings imply are worked out in config.py (``DB_POOL_*``):
keep ``GUNICORN_WORKERS × (DB_POOL_SIZE + DB_MAX_OVERFLOW)`` well below PostgreSQL's
``max_connections``.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Rendering pages is Python work, so processes, not threads, give the throughput: two per
# core (a worker waits on PostgreSQL part of the time). WEB_CONCURRENCY is the name
# several hosting platforms set.
workers = int(
    os.environ.get("GUNICORN_WORKERS") or os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1)
)

# Two threads per worker (the gthread worker): keep-alive connections from the proxy are
# served, and one slow client or slow query does not hold a whole process. Each thread
# uses at most one database connection at a time, so DB_POOL_SIZE must be >= threads.
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread" if threads > 1 else "sync"

# A request that takes longer than this is a bug or a stuck connection: the worker is
# killed and restarted. The pool waits at most DB_POOL_TIMEOUT (10 s) for a connection.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))

# Restart a worker after this many requests (with jitter, so not all at once) to bound
# slow memory growth; 0 (the default) never restarts.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10

# No preloading: every worker imports the app and opens its own connection pool after the
# fork, so no database or Redis socket is ever shared between processes, and `kill -HUP`
# on the master reloads new code on a deploy without dropping requests. Preloading would
# save little memory: CPython's reference counts soon copy the shared pages anyway
# (bench/load.py --preload shows the difference).
preload_app = False

# The access log without query strings: searches put residents' names and phone numbers
# in the URL (/residents?q=...), and those have no place in a log. %(M)s is milliseconds.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def post_worker_init(worker):
    """Move what loading the app made (modules, SQLAlchemy's mappings, Babel's catalogs)
    out of the garbage collector's sight: it lives as long as the worker, and a collection
    then walks only what requests make. On a region's monthly report this took 15-20 ms
    off the median and most of the outliers (bench/region_pages.py does the same)."""
    import gc

    gc.collect()
    gc.freeze()

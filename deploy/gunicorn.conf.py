"""gunicorn for Gongjian: `gunicorn -c deploy/gunicorn.conf.py gongjian.wsgi` (docs/DEPLOY.md).

Every value can be set from the environment (the unit's EnvironmentFile); the defaults suit a 2-core
machine. Threaded workers (gthread): pages wait mostly on PostgreSQL, and a thread costs far less
memory than a process; two processes so one busy with a slow export page does not stall the others.
"""

import os

from gongjian.logs import logging_config


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = _int("GUNICORN_WORKERS", max(2, min(4, (os.cpu_count() or 1))))  # 2 on a 2-core machine
threads = _int("GUNICORN_THREADS", 4)
# A request that takes longer than this is killed (big work belongs in jobs, which run in the worker).
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)  # on restart, requests in flight may finish
keepalive = _int("GUNICORN_KEEPALIVE", 5)  # nginx keeps upstream connections open; a little longer than 0
# Recycle each worker after about this many requests (jitter: not all at once), so a slow leak never grows.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# Only the proxy on this machine may say the request came over HTTPS (X-Forwarded-Proto) and from whom.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
limit_request_line = 8190
# gunicorn's own worker heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
preload_app = False  # each worker loads the app: a reload (HUP) picks up new code

# Logs: gunicorn's own and its access log through the same JSON (or text) lines as the application,
# with ID and phone numbers masked (query strings carry searches) — gongjian/logs.py.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
_debug = os.environ.get("DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}
logconfig_dict = logging_config(
    json=os.environ.get("LOG_FORMAT", "text" if _debug else "json") == "json",
    level=os.environ.get("LOG_LEVEL", "INFO"),
    loggers={
        "gunicorn.error": {"level": "INFO", "propagate": True},
        "gunicorn.access": {"level": "INFO", "propagate": True},
    },
)

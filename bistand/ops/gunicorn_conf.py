"""gunicorn's settings for `bistand serve`, computed from BISTAND_* (bistand.ops.config).

gthread workers: each worker is a process with its own interpreter lock and its own database
pool; its threads serve requests while others wait on PostgreSQL. No preloading: each worker
imports the app and opens its pool after the fork, so no connection is shared across a fork.
"""

import os
from pathlib import Path

from bistand.ops.config import serve_config

_config = serve_config()

wsgi_app = "bistand.wsgi:application"
bind = [address.strip() for address in _config.bind.split(",") if address.strip()]
worker_class = "gthread"
workers = _config.workers
threads = _config.threads
# A worker that stops reporting for `timeout` seconds is killed and replaced; SIGHUP and
# --max-requests replace workers gracefully, letting requests finish for graceful_timeout.
timeout = _config.timeout
graceful_timeout = _config.graceful_timeout
keepalive = _config.keepalive
max_requests = _config.max_requests
max_requests_jitter = _config.max_requests_jitter
preload_app = False
proc_name = "bistand"
# Proxies whose X-Forwarded-Proto is believed (comma-separated addresses, or *).
forwarded_allow_ips = os.environ.get("BISTAND_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Heartbeat files in memory, not on a container's overlay disk.
if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
    worker_tmp_dir = "/dev/shm"
# No access log: the app logs each request as JSON with its route instead of its path and
# query string (which may carry a person's identity number in a search).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("BISTAND_LOG_LEVEL", "info").lower()
control_socket_disable = True
if os.environ.get("BISTAND_LOG_FORMAT", "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "bistand.ops.logs.JsonFormatter"}},
        "handlers": {
            "error_console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["error_console"], "level": loglevel.upper()},
        "loggers": {
            "gunicorn.error": {
                "handlers": ["error_console"],
                "level": loglevel.upper(),
                "propagate": False,
            }
        },
    }


def on_starting(server):
    """Start with no metric files: files of an earlier run would be added up."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()


def child_exit(server, worker):
    """Drop an exited worker's live gauges from the metrics."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)

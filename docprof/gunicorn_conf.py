"""gunicorn settings of `make run` (`--config python:docprof.gunicorn_conf`): the hooks only; the
options are on its command line (docprof/management/commands/run.py)."""


def post_worker_init(worker):
    """Before a web process serves: each of its request threads connects to the database and
    runs the prepared queries once (docprof.warmup.warm_threads)."""
    from docprof.warmup import warm_threads  # here: the arbiter reads this file without Django

    warmed = warm_threads(getattr(worker, "tpool", None), worker.cfg.threads)
    worker.log.info("web process %s: %s request threads warmed up", worker.pid, warmed)

"""gunicorn settings of `make run` (`--config python:docprof.gunicorn_conf`): the hooks only; the
options are on its command line (docprof/management/commands/run.py)."""


def post_worker_init(worker):
    """Before a web process serves: each of its request threads connects to the database and
    runs the prepared queries once (docprof.warmup.warm_threads), then the apps set up what they
    keep per process (docprof.web_process.started: qa's answer processes)."""
    # imported here: the arbiter reads this file without Django
    from docprof import web_process
    from docprof.warmup import warm_threads

    warmed = warm_threads(getattr(worker, "tpool", None), worker.cfg.threads)
    worker.log.info("web process %s: %s request threads warmed up", worker.pid, warmed)
    web_process.started.send(
        sender=None, log=lambda message: worker.log.info("web process %s: %s", worker.pid, message)
    )


def worker_exit(server, worker):
    """A web process that stops tells the apps (docprof.web_process)."""
    from docprof import web_process

    web_process.stopping.send(sender=None)

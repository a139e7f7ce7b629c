"""gunicorn settings of `make run` (`--config python:docprof.gunicorn_conf`): the hooks only; the
options are on its command line (docprof/management/commands/run.py)."""


def post_worker_init(worker):
    """Before a web process serves: each of its request threads connects to the database and
    runs the prepared queries once (docprof.warmup.warm_threads)."""
    from docprof.warmup import warm_threads  # here: the arbiter reads this file without Django

    warmed = warm_threads(getattr(worker, "tpool", None), worker.cfg.threads)
    worker.log.info("web process %s: %s request threads warmed up", worker.pid, warmed)
    start_answer_pool(worker)


def start_answer_pool(worker):
    """The process's answer processes (qa.answer_pool), set up before it serves."""
    from django.conf import settings

    from qa import answer_pool

    pool = answer_pool.start(settings.DOCPROF_ANSWER_PROCESSES)
    if pool is not None:
        worker.log.info("web process %s: answer processes %s", worker.pid, pool.pids())


def worker_exit(server, worker):
    """A web process that stops stops its answer processes (they would also stop on their own
    when its end of their sockets closes)."""
    from qa import answer_pool

    answer_pool.stop()

"""PostgreSQL backend that starts the embedded pgvector server on first connection."""

from django.db.backends.postgresql import base

from docprof import embedded


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        params["host"] = embedded.ensure_postgres()
        return params

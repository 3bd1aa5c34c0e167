"""gunicorn settings for the production web process (the image's CMD and the compose web service):

    gunicorn --config crm/gunicorn.conf.py crm.wsgi:application

Command-line flags and GUNICORN_CMD_ARGS still override anything here; WEB_CONCURRENCY sets the
number of workers.
"""

from __future__ import annotations

import os

from gunicorn.http import wsgi

bind = ["0.0.0.0:8000"]
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
accesslog = "-"
# Request lines up to gunicorn's maximum (8190 bytes; its default is 4094), so longer URIs under
# /api/ reach Django, which answers 414 in the API's JSON format (common.api_errors.MAX_URI_LENGTH)
# instead of gunicorn's plain-text 414. Lines beyond 8190 bytes are still refused by gunicorn.
limit_request_line = 8190

# gunicorn writes "Server: gunicorn" on every answer and has no setting to leave it out. The
# name tells a scanner which server's bugs to try, and it is of no use to anyone else, so the
# line is dropped from the headers gunicorn adds (this file runs in the master before the
# workers are forked, so they inherit it). tests/crm/test_gunicorn.py starts a real gunicorn
# with this file and checks the answer.
_gunicorn_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self: wsgi.Response) -> list[str]:
    return [
        line for line in _gunicorn_default_headers(self) if not line.lower().startswith("server:")
    ]


wsgi.Response.default_headers = _default_headers_without_server

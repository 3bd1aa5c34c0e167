"""gunicorn reads this file from the working directory (the image's /srv/app).

Request lines up to gunicorn's maximum (8190 bytes, default 4094): longer URIs under /api/ reach
Django, which answers 414 in the API's JSON format (common.api_errors.MAX_URI_LENGTH) instead of
gunicorn's plain-text 414. Lines beyond 8190 bytes are still refused by gunicorn itself.
"""

limit_request_line = 8190

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthsafe.core.settings")
# Behind a trusted reverse proxy the client's address and scheme come from its headers (core/proxy.py).
from youthsafe.core.proxy import ProxyHeaders  # after the settings module is named above

application = ProxyHeaders(get_wsgi_application())

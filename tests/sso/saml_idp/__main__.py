import os
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIServer, make_server

from tests.sso.saml_idp.app import application


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


if __name__ == "__main__":
    port = int(os.environ["SAML_IDP_PORT"])
    make_server("127.0.0.1", port, application, server_class=ThreadingWSGIServer).serve_forever()

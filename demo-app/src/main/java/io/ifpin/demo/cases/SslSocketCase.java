package io.ifpin.demo.cases;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.security.cert.X509Certificate;

/**
 * TLS through {@code SSLSocketFactory.createSocket(host, port)}, which connects inside the
 * factory. The server's certificate is self-signed, so this demo trusts any certificate — fine
 * for a demo, never for production.
 */
public final class SslSocketCase implements SocketCase {

    @Override
    public String name() {
        return "ssl-socket";
    }

    @Override
    public String protocol() {
        return "tcp";
    }

    @Override
    public String run(String host) throws Exception {
        SSLSocketFactory factory = trustAllContext().getSocketFactory();
        try (SSLSocket socket = (SSLSocket) factory.createSocket(host, Ports.TLS)) {
            socket.setSoTimeout(Ports.IO_TIMEOUT_MILLIS);
            socket.startHandshake();
            return Replies.exchange(socket);
        }
    }

    private static SSLContext trustAllContext() throws Exception {
        TrustManager trustAll = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {trustAll}, null);
        return context;
    }
}

package io.ifpin.demo.cases;

import io.ifpin.demo.Addresses;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/** Plain HTTP through {@code URL.openConnection()}, the way most legacy code does HTTP. */
public final class UrlConnectionCase implements SocketCase {

    @Override
    public String name() {
        return "url-connection";
    }

    @Override
    public String protocol() {
        return "tcp";
    }

    @Override
    @SuppressWarnings("deprecation") // new URL(String): exactly what legacy code does
    public String run(String host) throws Exception {
        URL url = new URL("http://" + Addresses.urlHost(host) + ":" + Ports.HTTP + "/");
        HttpURLConnection connection = (HttpURLConnection) url.openConnection();
        connection.setConnectTimeout(Ports.IO_TIMEOUT_MILLIS);
        connection.setReadTimeout(Ports.IO_TIMEOUT_MILLIS);
        // No keep-alive: each run must open its own connection (a pooled one would hide pinning).
        connection.setRequestProperty("Connection", "close");
        try (InputStream body = connection.getInputStream()) {
            return Replies.parsePeer(new String(body.readAllBytes(), StandardCharsets.US_ASCII));
        } finally {
            connection.disconnect();
        }
    }
}

package io.ifpin.demo.cases;

import io.ifpin.demo.Addresses;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** {@code java.net.http.HttpClient} (HTTP/1.1), which connects with a non-blocking channel. */
public final class HttpClientCase implements SocketCase {

    @Override
    public String name() {
        return "http-client";
    }

    @Override
    public String protocol() {
        return "tcp";
    }

    @Override
    public String run(String host) throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(Ports.IO_TIMEOUT_MILLIS))
                .proxy(HttpClient.Builder.NO_PROXY)
                .build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + Addresses.urlHost(host) + ":" + Ports.HTTP + "/"))
                .timeout(Duration.ofMillis(Ports.IO_TIMEOUT_MILLIS))
                .GET()
                .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        return Replies.parsePeer(response.body());
    }
}

package io.ifpin.demo.cases;

import io.ifpin.demo.Addresses;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

import java.util.concurrent.TimeUnit;

/** Apache HttpClient 5, async API: its own I/O reactor over non-blocking {@code SocketChannel}s. */
public final class ApacheHttpAsyncCase implements SocketCase {

    @Override
    public String name() {
        return "apache-httpclient-async";
    }

    @Override
    public String protocol() {
        return "tcp";
    }

    @Override
    public String run(String host) throws Exception {
        Timeout timeout = Timeout.ofMilliseconds(Ports.IO_TIMEOUT_MILLIS);
        CloseableHttpAsyncClient client = HttpAsyncClients.custom()
                .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(timeout).setSocketTimeout(timeout).build())
                        .build())
                .build();
        try {
            client.start();
            SimpleHttpRequest request = SimpleRequestBuilder
                    .get("http://" + Addresses.urlHost(host) + ":" + Ports.HTTP + "/").build();
            SimpleHttpResponse response = client.execute(request, null)
                    .get(Ports.IO_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            return Replies.parsePeer(response.getBodyText());
        } finally {
            client.close(CloseMode.IMMEDIATE);
        }
    }
}

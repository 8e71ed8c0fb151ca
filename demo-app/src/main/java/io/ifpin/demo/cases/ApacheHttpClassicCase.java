package io.ifpin.demo.cases;

import io.ifpin.demo.Addresses;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.Timeout;

/** Apache HttpClient 5, classic (blocking) API: a pooled connection manager over plain sockets. */
public final class ApacheHttpClassicCase implements SocketCase {

    @Override
    public String name() {
        return "apache-httpclient-classic";
    }

    @Override
    public String protocol() {
        return "tcp";
    }

    @Override
    public String run(String host) throws Exception {
        Timeout timeout = Timeout.ofMilliseconds(Ports.IO_TIMEOUT_MILLIS);
        try (CloseableHttpClient client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(timeout).setSocketTimeout(timeout).build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(timeout).build())
                .build()) {
            HttpGet get = new HttpGet("http://" + Addresses.urlHost(host) + ":" + Ports.HTTP + "/");
            return client.execute(get, response -> Replies.parsePeer(EntityUtils.toString(response.getEntity())));
        }
    }
}

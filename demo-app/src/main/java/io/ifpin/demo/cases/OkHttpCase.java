package io.ifpin.demo.cases;

import io.ifpin.demo.Addresses;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

import java.net.Proxy;
import java.util.concurrent.TimeUnit;

/** OkHttp 5: its own connection pool and DNS step, connecting with {@code Socket.connect}. */
public final class OkHttpCase implements SocketCase {

    @Override
    public String name() {
        return "okhttp";
    }

    @Override
    public String protocol() {
        return "tcp";
    }

    @Override
    public String run(String host) throws Exception {
        OkHttpClient client = new OkHttpClient.Builder()
                .proxy(Proxy.NO_PROXY)
                .connectTimeout(Ports.IO_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                .readTimeout(Ports.IO_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                .build();
        try {
            Request request = new Request.Builder()
                    .url("http://" + Addresses.urlHost(host) + ":" + Ports.HTTP + "/")
                    .build();
            try (Response response = client.newCall(request).execute()) {
                return Replies.parsePeer(response.body().string());
            }
        } finally {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
    }
}

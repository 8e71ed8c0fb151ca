package io.ifpin.demo.cases;

import java.util.List;
import java.util.Optional;

/** The catalogue of socket cases, in the order LegacyApp runs them. */
public final class Cases {

    private static final List<SocketCase> ALL = List.of(
            new PlainSocketCase(),
            new BoundSocketCase(),
            new SslSocketCase(),
            new UrlConnectionCase(),
            new SocketChannelBlockingCase(),
            new SocketChannelNonBlockingCase(),
            new AsyncSocketChannelCase(),
            new HttpClientCase(),
            new DatagramSocketSendCase(),
            new DatagramSocketConnectedCase(),
            new DatagramChannelSendCase(),
            new DatagramChannelConnectedCase(),
            new VirtualThreadSocketCase(),
            // Libraries real applications use (demo-app dependencies, see its pom.xml).
            new OkHttpCase(),
            new ApacheHttpClassicCase(),
            new ApacheHttpAsyncCase(),
            new PostgresJdbcCase(),
            new NettyNioCase(),
            new NettyEpollCase(),
            new NettyEpollUdpCase(),
            new NettyIoUringCase(),
            new NettyIoUringUdpCase(),
            new GrpcCase());

    private Cases() {
    }

    public static List<SocketCase> all() {
        return ALL;
    }

    public static Optional<SocketCase> byName(String name) {
        return ALL.stream().filter(c -> c.name().equals(name)).findFirst();
    }
}

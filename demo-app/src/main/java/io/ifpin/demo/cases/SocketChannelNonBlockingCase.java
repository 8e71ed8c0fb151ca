package io.ifpin.demo.cases;

import io.ifpin.demo.Addresses;

import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/** NIO: non-blocking connect completed with a selector and {@code finishConnect}. */
public final class SocketChannelNonBlockingCase implements SocketCase {

    @Override
    public String name() {
        return "socket-channel-nonblocking";
    }

    @Override
    public String protocol() {
        return "tcp";
    }

    @Override
    public String run(String host) throws Exception {
        try (SocketChannel channel = SocketChannel.open()) {
            channel.configureBlocking(false);
            long deadline = System.nanoTime() + Ports.IO_TIMEOUT_MILLIS * 1_000_000L;
            if (!channel.connect(Addresses.resolve(host, Ports.LINE))) {
                while (!channel.finishConnect()) {
                    ChannelIo.await(channel, SelectionKey.OP_CONNECT, deadline);
                }
            }
            return ChannelIo.exchange(channel);
        }
    }
}

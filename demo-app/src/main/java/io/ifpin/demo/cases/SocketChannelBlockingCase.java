package io.ifpin.demo.cases;

import io.ifpin.demo.Addresses;

import java.nio.channels.SocketChannel;

/** NIO: a blocking {@code SocketChannel.connect}. */
public final class SocketChannelBlockingCase implements SocketCase {

    @Override
    public String name() {
        return "socket-channel";
    }

    @Override
    public String protocol() {
        return "tcp";
    }

    @Override
    public String run(String host) throws Exception {
        try (SocketChannel channel = SocketChannel.open()) {
            channel.connect(Addresses.resolve(host, Ports.LINE));
            return ChannelIo.exchange(channel);
        }
    }
}

package io.ifpin.demo.cases;

import io.ifpin.demo.Addresses;

import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;

/** A connected {@code DatagramChannel}: {@code connect}, then {@code write}. */
public final class DatagramChannelConnectedCase implements SocketCase {

    @Override
    public String name() {
        return "datagram-channel-connected";
    }

    @Override
    public String protocol() {
        return "udp";
    }

    @Override
    public String run(String host) throws Exception {
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.connect(Addresses.resolve(host, Ports.UDP));
            channel.write(ByteBuffer.wrap(Replies.REQUEST.getBytes(StandardCharsets.US_ASCII)));
            return ChannelIo.receiveReply(channel);
        }
    }
}

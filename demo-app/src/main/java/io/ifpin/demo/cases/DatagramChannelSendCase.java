package io.ifpin.demo.cases;

import io.ifpin.demo.Addresses;

import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;

/** An unconnected {@code DatagramChannel}: destination given per {@code send}. */
public final class DatagramChannelSendCase implements SocketCase {

    @Override
    public String name() {
        return "datagram-channel-send";
    }

    @Override
    public String protocol() {
        return "udp";
    }

    @Override
    public String run(String host) throws Exception {
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.send(ByteBuffer.wrap(Replies.REQUEST.getBytes(StandardCharsets.US_ASCII)), Addresses.resolve(host, Ports.UDP));
            return ChannelIo.receiveReply(channel);
        }
    }
}

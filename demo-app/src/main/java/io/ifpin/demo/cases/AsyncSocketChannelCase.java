package io.ifpin.demo.cases;

import io.ifpin.demo.Addresses;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** NIO.2: {@code AsynchronousSocketChannel.connect} returning a Future. */
public final class AsyncSocketChannelCase implements SocketCase {

    @Override
    public String name() {
        return "async-socket-channel";
    }

    @Override
    public String protocol() {
        return "tcp";
    }

    @Override
    public String run(String host) throws Exception {
        try (AsynchronousSocketChannel channel = AsynchronousSocketChannel.open()) {
            channel.connect(Addresses.resolve(host, Ports.LINE)).get(Ports.IO_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            ByteBuffer request = ByteBuffer.wrap(Replies.REQUEST.getBytes(StandardCharsets.US_ASCII));
            while (request.hasRemaining()) {
                channel.write(request).get(Ports.IO_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            }
            ByteBuffer reply = ByteBuffer.allocate(256);
            while (reply.position() == 0 || reply.get(reply.position() - 1) != '\n') {
                int n = channel.read(reply).get(Ports.IO_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                if (n < 0) {
                    break;
                }
                if (!reply.hasRemaining()) {
                    throw new IOException("reply too long");
                }
            }
            reply.flip();
            return Replies.parsePeer(StandardCharsets.US_ASCII.decode(reply).toString());
        }
    }
}

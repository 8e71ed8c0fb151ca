package io.ifpin.demo.cases;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * Timed I/O on NIO channels: blocking channel reads have no timeout, so after connecting, the
 * cases switch to non-blocking mode and wait with a selector and a deadline.
 */
final class ChannelIo {

    private ChannelIo() {
    }

    /** Line protocol on a connected stream channel. */
    static String exchange(SocketChannel channel) throws IOException {
        channel.configureBlocking(false);
        long deadline = System.nanoTime() + Ports.IO_TIMEOUT_MILLIS * 1_000_000L;
        ByteBuffer request = ByteBuffer.wrap(Replies.REQUEST.getBytes(StandardCharsets.US_ASCII));
        while (request.hasRemaining()) {
            if (channel.write(request) == 0) {
                await(channel, SelectionKey.OP_WRITE, deadline);
            }
        }
        ByteBuffer reply = ByteBuffer.allocate(256);
        while (!containsNewline(reply)) {
            int n = channel.read(reply);
            if (n < 0) {
                break; // server closed; parsePeer reports what (if anything) arrived
            }
            if (n == 0) {
                await(channel, SelectionKey.OP_READ, deadline);
            }
        }
        reply.flip();
        return Replies.parsePeer(StandardCharsets.US_ASCII.decode(reply).toString());
    }

    /** Waits for one reply datagram on a (connected or unconnected) datagram channel. */
    static String receiveReply(DatagramChannel channel) throws IOException {
        channel.configureBlocking(false);
        long deadline = System.nanoTime() + Ports.UDP_REPLY_TIMEOUT_MILLIS * 1_000_000L;
        ByteBuffer reply = ByteBuffer.allocate(2048);
        while (channel.receive(reply) == null) {
            await(channel, SelectionKey.OP_READ, deadline);
        }
        reply.flip();
        return Replies.parsePeer(StandardCharsets.US_ASCII.decode(reply).toString());
    }

    /** Blocks until the channel is ready for {@code ops}, or throws at the deadline. */
    static void await(SelectableChannel channel, int ops, long deadlineNanos) throws IOException {
        long remainingMillis = (deadlineNanos - System.nanoTime()) / 1_000_000L;
        if (remainingMillis <= 0) {
            throw new SocketTimeoutException("no answer within the timeout");
        }
        try (Selector selector = Selector.open()) {
            SelectionKey key = channel.register(selector, ops);
            selector.select(remainingMillis);
            key.cancel();
        }
    }

    private static boolean containsNewline(ByteBuffer buffer) {
        for (int i = 0; i < buffer.position(); i++) {
            if (buffer.get(i) == '\n') {
                return true;
            }
        }
        return false;
    }
}

package io.ifpin.demo.cases;

import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;

/** Netty 4.2, native io_uring transport, unconnected UDP: a {@code sendmsg} ring operation. */
public final class NettyIoUringUdpCase implements SocketCase {

    @Override
    public String name() {
        return "netty-io-uring-udp";
    }

    @Override
    public String protocol() {
        return "udp";
    }

    @Override
    public String run(String host) throws Exception {
        if (!IoUring.isAvailable()) {
            return NOT_APPLICABLE; // kernel without io_uring, or io_uring_disabled / a seccomp filter refuses it
        }
        return NettyIo.udpExchange(IoUringIoHandler.newFactory(), IoUringDatagramChannel.class, host);
    }
}

package io.ifpin.demo.cases;

import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringSocketChannel;

/** Netty 4.2, native io_uring transport: the connect is a ring operation the kernel runs. */
public final class NettyIoUringCase implements SocketCase {

    @Override
    public String name() {
        return "netty-io-uring";
    }

    @Override
    public String protocol() {
        return "tcp";
    }

    @Override
    public String run(String host) throws Exception {
        if (!IoUring.isAvailable()) {
            return NOT_APPLICABLE; // kernel without io_uring, or io_uring_disabled / a seccomp filter refuses it
        }
        return NettyIo.tcpExchange(IoUringIoHandler.newFactory(), IoUringSocketChannel.class, host);
    }
}

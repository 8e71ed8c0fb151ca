package io.ifpin.demo.cases;

import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;

/** Netty 4.2, NIO transport: JDK {@code SocketChannel}s underneath. */
public final class NettyNioCase implements SocketCase {

    @Override
    public String name() {
        return "netty-nio";
    }

    @Override
    public String protocol() {
        return "tcp";
    }

    @Override
    public String run(String host) throws Exception {
        return NettyIo.tcpExchange(NioIoHandler.newFactory(), NioSocketChannel.class, host);
    }
}

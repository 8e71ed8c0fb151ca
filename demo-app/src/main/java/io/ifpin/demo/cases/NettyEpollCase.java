package io.ifpin.demo.cases;

import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;

/** Netty 4.2, native epoll transport: the socket is created and connected in C, never by the JDK. */
public final class NettyEpollCase implements SocketCase {

    @Override
    public String name() {
        return "netty-epoll";
    }

    @Override
    public String protocol() {
        return "tcp";
    }

    @Override
    public String run(String host) throws Exception {
        return NettyIo.tcpExchange(EpollIoHandler.newFactory(), EpollSocketChannel.class, host);
    }
}

package io.ifpin.demo.cases;

import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;

/** Netty 4.2, native epoll transport, unconnected UDP: one {@code sendto} from C. */
public final class NettyEpollUdpCase implements SocketCase {

    @Override
    public String name() {
        return "netty-epoll-udp";
    }

    @Override
    public String protocol() {
        return "udp";
    }

    @Override
    public String run(String host) throws Exception {
        return NettyIo.udpExchange(EpollIoHandler.newFactory(), EpollDatagramChannel.class, host);
    }
}

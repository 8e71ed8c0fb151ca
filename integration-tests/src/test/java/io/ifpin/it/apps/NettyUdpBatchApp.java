package io.ifpin.it.apps;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Test-only app: an unconnected Netty epoll datagram channel writes N datagrams to PeerServer's UDP port and flushes
 * them at once, which Netty sends with one {@code sendmmsg}; prints each reply ({@code reply PEER <ip> <port>}).
 *
 * <pre>
 * NettyUdpBatchApp &lt;host&gt; &lt;count&gt;
 * </pre>
 */
public final class NettyUdpBatchApp {

    private NettyUdpBatchApp() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(args[0]), 7000);
        int count = Integer.parseInt(args[1]);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        CountDownLatch replies = new CountDownLatch(count);
        try {
            Bootstrap bootstrap = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                            System.out.println("reply " + packet.content().toString(StandardCharsets.US_ASCII).trim());
                            replies.countDown();
                        }
                    });
            Channel channel = bootstrap.bind(new InetSocketAddress(InetAddress.getByName("::"), 0)).sync().channel();
            channel.eventLoop().submit(() -> {
                for (int i = 0; i < count; i++) {
                    channel.write(new DatagramPacket(Unpooled.copiedBuffer("who am I?\n", StandardCharsets.US_ASCII),
                            target));
                }
                channel.flush();
            }).sync();
            System.out.println("replies " + (replies.await(5, TimeUnit.SECONDS) ? "all" : "missing"));
            channel.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        System.exit(0);
    }
}

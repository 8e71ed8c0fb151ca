package io.ifpin.demo.cases;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The Netty cases' shared client: PeerServer's line protocol over TCP, or one datagram over UDP, on a given
 * transport (NIO, epoll, io_uring). Netty resolves the host itself (TCP) or gets it resolved by the JDK (UDP).
 */
final class NettyIo {

    private NettyIo() {
    }

    static String tcpExchange(IoHandlerFactory transport, Class<? extends Channel> channelType, String host)
            throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transport);
        try {
            CompletableFuture<String> reply = new CompletableFuture<>();
            Bootstrap bootstrap = new Bootstrap().group(group).channel(channelType)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Ports.IO_TIMEOUT_MILLIS)
                    .handler(new ChannelInboundHandlerAdapter() {
                        private final StringBuilder received = new StringBuilder();

                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            ctx.writeAndFlush(Unpooled.copiedBuffer(Replies.REQUEST, StandardCharsets.US_ASCII));
                        }

                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ByteBuf buf = (ByteBuf) msg;
                            try {
                                received.append(buf.toString(StandardCharsets.US_ASCII));
                            } finally {
                                buf.release();
                            }
                            if (received.indexOf("\n") >= 0) {
                                reply.complete(received.toString());
                                ctx.close();
                            }
                        }

                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            reply.completeExceptionally(cause);
                            ctx.close();
                        }
                    });
            bootstrap.connect(host, Ports.LINE).addListener(future -> {
                if (!future.isSuccess()) {
                    reply.completeExceptionally(future.cause());
                }
            });
            return Replies.parsePeer(reply.get(Ports.IO_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** One unconnected datagram ({@code sendto}) to PeerServer's UDP port, and its reply. */
    static String udpExchange(IoHandlerFactory transport, Class<? extends Channel> channelType, String host)
            throws Exception {
        InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(host), Ports.UDP);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transport);
        try {
            CompletableFuture<String> reply = new CompletableFuture<>();
            Bootstrap bootstrap = new Bootstrap().group(group).channel(channelType)
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                            reply.complete(packet.content().toString(StandardCharsets.US_ASCII));
                        }
                    });
            // The wildcard "::" gives a dual-stack socket that can send to IPv4 and IPv6 destinations.
            Channel channel = bootstrap.bind(new InetSocketAddress(InetAddress.getByName("::"), 0)).sync().channel();
            channel.writeAndFlush(new DatagramPacket(
                    Unpooled.copiedBuffer(Replies.REQUEST, StandardCharsets.US_ASCII), target)).sync();
            try {
                return Replies.parsePeer(reply.get(Ports.UDP_REPLY_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS));
            } finally {
                channel.close();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}

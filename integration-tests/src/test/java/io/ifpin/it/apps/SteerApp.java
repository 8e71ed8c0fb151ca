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

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Test-only app for SteerIT: asks PeerServer (port 7000) which address each socket came from, one way per argument,
 * and prints {@code <way> <ip> PEER <peer ip> <port>} or {@code <way> <ip> FAILED <exception>}:
 *
 * <pre>
 * SteerApp tcp:&lt;ip&gt; udp:&lt;ip&gt; netty-udp:&lt;ip&gt; ...        one socket each (JDK TCP, JDK UDP, Netty epoll UDP)
 * SteerApp connects &lt;count&gt; &lt;ip:port&gt;,... [&lt;bind-ip&gt;]   count IPv4 TCP connects, alternating destinations,
 *                                                 each closed at once; with bind-ip the app binds it (port 0) itself
 * </pre>
 */
public final class SteerApp {

    private SteerApp() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("connects")) {
            connects(Integer.parseInt(args[1]), args[2].split(","), args.length > 3 ? args[3] : null);
            System.exit(0);
        }
        for (String arg : args) {
            String way = arg.substring(0, arg.indexOf(':'));
            String ip = arg.substring(arg.indexOf(':') + 1);
            InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(ip), 7000);
            try {
                String peer = switch (way) {
                    case "tcp" -> tcp(target);
                    case "udp" -> udp(target);
                    case "netty-udp" -> nettyUdp(target);
                    default -> throw new IllegalArgumentException(way);
                };
                System.out.println(way + " " + ip + " " + peer);
            } catch (Exception e) {
                System.out.println(way + " " + ip + " FAILED " + e);
            }
        }
        System.exit(0);
    }

    private static String tcp(InetSocketAddress target) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(5000);
            socket.connect(target, 5000);
            OutputStream out = socket.getOutputStream();
            out.write("who am I?\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
        }
    }

    private static String udp(InetSocketAddress target) throws IOException {
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.connect(target);
            channel.socket().setSoTimeout(5000);
            channel.write(ByteBuffer.wrap("who am I?\n".getBytes(StandardCharsets.US_ASCII)));
            byte[] reply = new byte[512];
            java.net.DatagramPacket packet = new java.net.DatagramPacket(reply, reply.length);
            channel.socket().receive(packet);
            return new String(reply, 0, packet.getLength(), StandardCharsets.US_ASCII).trim();
        }
    }

    private static String nettyUdp(InetSocketAddress target) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        CompletableFuture<String> reply = new CompletableFuture<>();
        try {
            Channel channel = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                            reply.complete(packet.content().toString(StandardCharsets.US_ASCII).trim());
                        }
                    }).connect(target).sync().channel();
            channel.writeAndFlush(Unpooled.copiedBuffer("who am I?\n", StandardCharsets.US_ASCII)).sync();
            String peer = reply.get(5, TimeUnit.SECONDS);
            channel.close().sync();
            return peer;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Connects and closes at once (this side closes first, so each leaves a TIME_WAIT here). */
    private static void connects(int count, String[] targets, String bindIp) throws IOException {
        InetAddress bind = bindIp == null ? null : InetAddress.getByName(bindIp);
        int ok = 0;
        int failed = 0;
        String firstError = null;
        int firstFailure = -1;
        for (int i = 0; i < count; i++) {
            try (Socket socket = new Socket()) {
                if (bind != null) {
                    socket.bind(new InetSocketAddress(bind, 0));
                }
                String target = targets[i % targets.length];
                int colon = target.lastIndexOf(':');
                socket.connect(new InetSocketAddress(InetAddress.getByName(target.substring(0, colon)),
                        Integer.parseInt(target.substring(colon + 1))), 5000);
                ok++;
            } catch (IOException e) {
                if (firstError == null) {
                    firstError = e.toString();
                    firstFailure = i;
                }
                failed++;
                if (failed >= 100) {
                    break; // exhausted: no need to go on
                }
            }
        }
        System.out.println("connects ok " + ok + " failed " + failed + " first-failure " + firstFailure + " "
                + firstError);
    }
}

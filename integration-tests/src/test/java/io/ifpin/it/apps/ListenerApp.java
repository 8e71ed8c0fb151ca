package io.ifpin.it.apps;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Test-only "legacy" service for the listener tests: opens one listener per kind on the wildcard address {@code ::}
 * (dual stack), then has the lab's SERVER namespace connect to each through the client's a0 and b0 addresses, and
 * reports which connections were accepted. The probes run as {@code ip netns exec <server-ns> bash -c 'exec
 * 3<>/dev/tcp/<addr>/<port>'} (root, same mount namespace), so the connections really arrive on a0 or b0.
 *
 * <pre>
 * ListenerApp &lt;server-namespace&gt; &lt;first-port&gt; &lt;address&gt;...
 * stdout: listen &lt;kind&gt; &lt;port&gt;  |  listen &lt;kind&gt; n/a &lt;why&gt;
 *         probe &lt;kind&gt; &lt;address&gt; CONNECTED|REFUSED
 * </pre>
 */
public final class ListenerApp {

    private ListenerApp() {
    }

    public static void main(String[] args) throws Exception {
        String serverNamespace = args[0];
        int port = Integer.parseInt(args[1]);
        List<String> addresses = List.of(args).subList(2, args.length);
        InetSocketAddress any = new InetSocketAddress(InetAddress.getByName("::"), 0);
        Map<String, Integer> listeners = new LinkedHashMap<>();
        List<AutoCloseable> open = new ArrayList<>();

        ServerSocket serverSocket = new ServerSocket();
        serverSocket.bind(new InetSocketAddress(any.getAddress(), port), 50);
        open.add(serverSocket);
        listeners.put("server-socket", port++);

        ServerSocketChannel channel = ServerSocketChannel.open();
        channel.bind(new InetSocketAddress(any.getAddress(), port));
        open.add(channel);
        listeners.put("server-socket-channel", port++);

        AsynchronousServerSocketChannel async = AsynchronousServerSocketChannel.open();
        async.bind(new InetSocketAddress(any.getAddress(), port));
        open.add(async);
        listeners.put("async-server-socket-channel", port++);

        open.add(netty(NioIoHandler.newFactory(), NioServerSocketChannel.class, any.getAddress(), port));
        listeners.put("netty-nio-server", port++);

        open.add(netty(EpollIoHandler.newFactory(), EpollServerSocketChannel.class, any.getAddress(), port));
        listeners.put("netty-epoll-server", port++);

        if (IoUring.isAvailable()) {
            open.add(netty(IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class, any.getAddress(), port));
            listeners.put("netty-io-uring-server", port);
        } else {
            System.out.println("listen netty-io-uring-server n/a " + IoUring.unavailabilityCause());
        }

        for (Map.Entry<String, Integer> listener : listeners.entrySet()) {
            System.out.println("listen " + listener.getKey() + " " + listener.getValue());
            for (String address : addresses) {
                System.out.println("probe " + listener.getKey() + " " + address + " "
                        + (connects(serverNamespace, address, listener.getValue()) ? "CONNECTED" : "REFUSED"));
            }
        }
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
        System.exit(0);
    }

    /** A Netty server channel that accepts and closes; closing the returned handle shuts it down. */
    private static AutoCloseable netty(IoHandlerFactory transport, Class<? extends ServerChannel> type,
                                       InetAddress any, int port) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transport);
        Channel channel = new ServerBootstrap().group(group).channel(type)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        ctx.close();
                    }
                })
                .bind(new InetSocketAddress(any, port)).sync().channel();
        return () -> {
            channel.close().sync();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        };
    }

    /** A TCP handshake from the server namespace succeeds (the JDK listeners never accept: the backlog holds it). */
    private static boolean connects(String namespace, String address, int port) throws IOException, InterruptedException {
        Process probe = new ProcessBuilder("ip", "netns", "exec", namespace, "timeout", "3", "bash", "-c",
                "exec 3<>/dev/tcp/" + address + "/" + port)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!probe.waitFor(10, TimeUnit.SECONDS)) {
            probe.destroyForcibly();
            return false;
        }
        return probe.exitValue() == 0;
    }
}

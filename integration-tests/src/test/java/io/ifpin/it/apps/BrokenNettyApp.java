package io.ifpin.it.apps;

import io.ifpin.it.apps.brokennetty.channel.unix.Socket;
import io.ifpin.it.apps.brokennetty.channel.uring.AbstractIoUringChannel;
import io.netty.channel.epoll.Epoll;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Test-only app (NativeCoverageIT): through real Netty epoll sockets, a TCP connect and a UDP send to each
 * destination named on the command line, printing {@code CONNECTING}, {@code SENT} or {@code REFUSED <exception>};
 * then calls each patched method of a Netty copy whose descriptor cannot be read (its {@code intValue()} and
 * {@code fd()} throw) and prints what each returned.
 *
 * <pre>
 * BrokenNettyApp &lt;ip&gt;...
 * </pre>
 */
public final class BrokenNettyApp {

    private BrokenNettyApp() {
    }

    public static void main(String[] args) throws Exception {
        // First the refusals: a socket a rule matches waits until ifpin is ready, so what follows meets the real hook.
        Epoll.ensureAvailability();
        for (String ip : args) {
            InetAddress address = InetAddress.getByName(ip);
            io.netty.channel.unix.Socket tcp = io.netty.channel.unix.Socket.newSocketStream();
            try {
                tcp.connect(new InetSocketAddress(address, 7000)); // non-blocking: returns at once
                System.out.println("netty tcp " + ip + " CONNECTING");
            } catch (IOException e) {
                System.out.println("netty tcp " + ip + " REFUSED " + e);
            } finally {
                tcp.close();
            }
            io.netty.channel.unix.Socket udp = io.netty.channel.unix.Socket.newSocketDgram();
            try {
                ByteBuffer datagram = ByteBuffer.allocateDirect(1);
                udp.sendTo(datagram, 0, 1, address, 7000);
                System.out.println("netty udp " + ip + " SENT");
            } catch (IOException e) {
                System.out.println("netty udp " + ip + " REFUSED " + e);
            } finally {
                udp.close();
            }
        }

        InetSocketAddress target = new InetSocketAddress("203.0.113.10", 7000);
        Socket socket = new Socket();
        System.out.println("broken connect returned " + socket.connect(target));
        System.out.println("broken sendTo returned " + socket.sendTo(null, 0, 1, target.getAddress(), 7000, false));
        System.out.println("broken sendToAddress returned " + socket.sendToAddress(0, 0, 1, target.getAddress(), 7000,
                false));
        System.out.println("broken sendToAddresses returned " + socket.sendToAddresses(0, 1, target.getAddress(), 7000,
                false));
        socket.listen(1);
        System.out.println("broken listen returned");
        new AbstractIoUringChannel().submitConnect(target);
        System.out.println("broken submitConnect returned");
    }
}

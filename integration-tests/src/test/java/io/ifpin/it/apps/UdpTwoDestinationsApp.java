package io.ifpin.it.apps;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Test-only "legacy" app for the EPERM test: ONE unconnected DatagramSocket sends to a first
 * destination, then N times to a second one. With rules sending the two destinations to
 * different interfaces, the agent must re-bind the socket between them — which needs
 * CAP_NET_RAW once a socket is already bound to a device.
 *
 * <pre>
 * UdpTwoDestinationsApp &lt;first-host&gt; &lt;second-host&gt; [second-count=1]
 * stdout: send &lt;n&gt; &lt;host&gt; PEER &lt;ip&gt; &lt;port&gt;  |  send &lt;n&gt; &lt;host&gt; ERROR &lt;Class&gt;: &lt;message&gt;
 * </pre>
 * Exit code 1 if any send or reply failed.
 */
public final class UdpTwoDestinationsApp {

    private static final int PORT = 7000;

    private UdpTwoDestinationsApp() {
    }

    public static void main(String[] args) throws Exception {
        String first = args[0];
        String second = args[1];
        int secondCount = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        boolean ok = true;
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(3_000);
            ok &= sendAndReport(socket, 1, first);
            for (int i = 0; i < secondCount; i++) {
                ok &= sendAndReport(socket, i + 2, second);
            }
        }
        System.exit(ok ? 0 : 1);
    }

    private static boolean sendAndReport(DatagramSocket socket, int n, String host) {
        String outcome;
        boolean ok = false;
        try {
            byte[] request = "who am I?\n".getBytes(StandardCharsets.US_ASCII);
            socket.send(new DatagramPacket(request, request.length, new InetSocketAddress(host, PORT)));
            byte[] buffer = new byte[512];
            DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
            socket.receive(reply);
            outcome = new String(buffer, 0, reply.getLength(), StandardCharsets.US_ASCII).trim();
            ok = outcome.startsWith("PEER ");
        } catch (Exception e) {
            outcome = "ERROR " + e.getClass().getName() + ": " + e.getMessage();
        }
        System.out.println("send " + n + " " + host + " " + outcome);
        System.out.flush();
        return ok;
    }
}

package io.ifpin.it.apps;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Test-only service for the accepted-socket test: listens on the wildcard address, has the lab's SERVER namespace
 * connect to {@code <address>} and hold the connection, accepts it, and prints how {@code ss} shows the accepted
 * socket in this namespace: {@code %<interface>} after the local address when it is bound to a device.
 *
 * <pre>
 * AcceptedBindingApp &lt;server-namespace&gt; &lt;port&gt; &lt;address&gt;
 * stdout: accepted &lt;the ss line of the accepted socket&gt;
 * </pre>
 */
public final class AcceptedBindingApp {

    private AcceptedBindingApp() {
    }

    public static void main(String[] args) throws Exception {
        String serverNamespace = args[0];
        int port = Integer.parseInt(args[1]);
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getByName("::"), port), 5);
            server.setSoTimeout(10_000);
            // The peer holds its end open while ss looks; `timeout` ends it in any case.
            Process peer = new ProcessBuilder("ip", "netns", "exec", serverNamespace, "timeout", "10", "bash", "-c",
                    "exec 3<>/dev/tcp/" + args[2] + "/" + port + " && sleep 8")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try (Socket accepted = server.accept()) {
                Process ss = new ProcessBuilder("ss", "-tnH", "state", "established", "( sport = :" + port + " )")
                        .redirectErrorStream(true).start();
                String lines = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                ss.waitFor(10, TimeUnit.SECONDS);
                System.out.println("accepted " + lines.replaceAll("\\s+", " "));
            } finally {
                peer.destroyForcibly(); // our own child, by its PID
                peer.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}

package io.ifpin.it.apps;

import javax.management.ObjectName;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * Test-only application for the Prometheus JMX exporter recipe: makes three connections to its own listener on
 * 127.0.0.2 and one to 127.0.0.3 (for rules that pin the first to lo and deny the second), waits until ifpin's MBean
 * is registered, then scrapes the exporter agent's /metrics on 127.0.0.1 and prints its {@code ifpin} lines.
 *
 * <pre>
 * MetricsScrapeApp &lt;exporter-port&gt;
 * stdout: denied &lt;message&gt;  |  mbean registered &lt;true|false&gt;  |  the scraped lines starting with "ifpin"
 * </pre>
 */
public final class MetricsScrapeApp {

    private MetricsScrapeApp() {
    }

    public static void main(String[] args) throws Exception {
        int exporterPort = Integer.parseInt(args[0]);
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.2"))) {
            for (int i = 0; i < 3; i++) {
                try (Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
                     Socket accepted = server.accept()) {
                    accepted.getInputStream().available();
                }
            }
        }
        try (Socket denied = new Socket("127.0.0.3", 9)) {
            System.out.println("denied no: connected to " + denied.getRemoteSocketAddress());
        } catch (ConnectException e) {
            System.out.println("denied " + e.getMessage());
        }
        // ifpin registers its MBean once java.util.logging is set up (the exporter agent does that early) or 15 s
        // after startup: wait for it, a bounded number of times, so the scrape sees it.
        ObjectName rules = new ObjectName("ifpin:type=Rules");
        boolean registered = false;
        for (int i = 0; i < 300 && !registered; i++) {
            registered = ManagementFactory.getPlatformMBeanServer().isRegistered(rules);
            if (!registered) {
                Thread.sleep(100);
            }
        }
        System.out.println("mbean registered " + registered);
        HttpURLConnection scrape = (HttpURLConnection) new URL("http://127.0.0.1:" + exporterPort + "/metrics")
                .openConnection();
        try (InputStream body = scrape.getInputStream()) {
            for (String line : new String(body.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("ifpin")) {
                    System.out.println(line);
                }
            }
        }
    }
}

package io.ifpin.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.ifpin.demo.cases.GrpcCase;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Tells each client which source address it came from — the observable effect of interface
 * pinning.
 *
 * <pre>
 * java -cp demo-app.jar io.ifpin.demo.PeerServer [--port 7000]
 *
 *   TCP  port       line protocol: any line in, "PEER &lt;ip&gt; &lt;port&gt;\n" out
 *   HTTP port + 80  any request: 200, body "PEER &lt;ip&gt; &lt;port&gt;\n"
 *   TLS  port + 443 line protocol after the handshake (self-signed certificate made at startup)
 *   UDP  port       each datagram is answered with "PEER &lt;ip&gt; &lt;port&gt;"
 *   gRPC port + 51  unary method ifpin.Peer/Who (plaintext HTTP/2, grpc-netty-shaded): "PEER &lt;ip&gt; &lt;port&gt;"
 *   PostgreSQL port + 432  a fake server: refuses SSL/GSS encryption, answers the startup message with a
 *                   FATAL ErrorResponse whose message is "PEER &lt;ip&gt; &lt;port&gt;", and closes
 * </pre>
 *
 * Every connection, request and datagram is logged on stdout as
 * {@code SAW <proto> <peer ip:port> -> <local ip:port>}; {@code READY} is printed once all
 * listeners are up. Runs until killed.
 */
public final class PeerServer {

    private static final int IO_TIMEOUT_MILLIS = 5_000;

    private final int tcpPort;
    private final ExecutorService workers = Executors.newCachedThreadPool(daemonThreads("peer-worker"));

    private PeerServer(int tcpPort) {
        this.tcpPort = tcpPort;
    }

    public static void main(String[] args) throws Exception {
        int port = 7000;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--port") && i + 1 < args.length) {
                port = Integer.parseInt(args[++i]);
            } else {
                System.err.println("usage: PeerServer [--port 7000]");
                System.exit(64);
            }
        }
        new PeerServer(port).start();
        out("READY");
        // The listeners run on daemon threads; the main thread just keeps the JVM alive.
        Thread.currentThread().join();
    }

    private void start() throws Exception {
        // The wildcard "::" gives one dual-stack listener for IPv4 and IPv6 clients.
        InetAddress wildcard = InetAddress.getByName("::");

        ServerSocket tcp = new ServerSocket();
        tcp.setReuseAddress(true);
        // A deep backlog: the virtual-thread test connects thousands of clients at once.
        tcp.bind(new InetSocketAddress(wildcard, tcpPort), 4096);
        startThread("peer-tcp", () -> acceptLoop(tcp, "tcp"));

        SSLServerSocket tls = (SSLServerSocket) selfSignedTlsContext().getServerSocketFactory().createServerSocket();
        tls.setReuseAddress(true);
        tls.bind(new InetSocketAddress(wildcard, tcpPort + 443), 128);
        startThread("peer-tls", () -> acceptLoop(tls, "tls"));

        ServerSocket postgres = new ServerSocket();
        postgres.setReuseAddress(true);
        postgres.bind(new InetSocketAddress(wildcard, tcpPort + 432), 128);
        startThread("peer-postgres", () -> acceptLoop(postgres, "postgres"));

        Server grpc = NettyServerBuilder.forAddress(new InetSocketAddress(wildcard, tcpPort + 51))
                .addService(ServerServiceDefinition.builder("ifpin.Peer")
                        .addMethod(GrpcCase.WHO, PeerServer::answerGrpc)
                        .build())
                .build();
        grpc.start();

        HttpServer http = HttpServer.create(new InetSocketAddress(wildcard, tcpPort + 80), 128);
        http.createContext("/", this::handleHttp);
        http.setExecutor(workers);
        http.start();

        // UDP is bound per local address rather than to the wildcard: a wildcard socket's reply
        // would leave with whatever source address routing picks (e.g. 192.0.2.1), and a connected
        // client socket drops datagrams that do not come from the address it connected to. A
        // per-address socket also knows the local address for the SAW line.
        for (InetAddress local : localAddresses()) {
            DatagramSocket udp = new DatagramSocket(null);
            udp.setReuseAddress(true);
            udp.bind(new InetSocketAddress(local, tcpPort));
            startThread("peer-udp-" + Addresses.plain(local), () -> udpLoop(udp));
        }
    }

    private void acceptLoop(ServerSocket server, String protocol) {
        while (true) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                err("accept failed on " + protocol + ": " + e);
                continue;
            }
            out("SAW " + protocol + " " + Addresses.endpoint((InetSocketAddress) client.getRemoteSocketAddress())
                    + " -> " + Addresses.endpoint((InetSocketAddress) client.getLocalSocketAddress()));
            if (protocol.equals("postgres")) {
                workers.execute(() -> answerPostgres(client));
            } else {
                workers.execute(() -> answerLine(client));
            }
        }
    }

    /** Line protocol: read one line (TLS: after the handshake), answer with the peer seen. */
    private static void answerLine(Socket client) {
        try (client) {
            client.setSoTimeout(IO_TIMEOUT_MILLIS);
            if (client instanceof SSLSocket) {
                ((SSLSocket) client).startHandshake();
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
            in.readLine(); // content is irrelevant: the question is who asked
            OutputStream reply = client.getOutputStream();
            reply.write((peerLine((InetSocketAddress) client.getRemoteSocketAddress()) + "\n").getBytes(StandardCharsets.US_ASCII));
            reply.flush();
        } catch (IOException e) {
            err("connection from " + client.getRemoteSocketAddress() + " failed: " + e);
        }
    }

    /**
     * Just enough of the PostgreSQL wire protocol (version 3.0) for a client to see its peer: answer "N" to SSL and
     * GSS encryption requests, read the startup message, and answer it with a FATAL ErrorResponse whose message is
     * the peer line. Every pgJDBC version reports that message in its SQLException.
     */
    private static void answerPostgres(Socket client) {
        try (client) {
            client.setSoTimeout(IO_TIMEOUT_MILLIS);
            DataInputStream in = new DataInputStream(client.getInputStream());
            OutputStream reply = client.getOutputStream();
            while (true) {
                int length = in.readInt();
                int code = in.readInt();
                in.readNBytes(length - 8);
                if (code == 80877103 || code == 80877104) { // SSLRequest, GSSENCRequest: "not here"
                    reply.write('N');
                    reply.flush();
                    continue;
                }
                break; // the StartupMessage (protocol 3.0: 196608)
            }
            ByteArrayOutputStream fields = new ByteArrayOutputStream();
            for (String field : List.of("SFATAL", "VFATAL", "C28000",
                    "M" + peerLine((InetSocketAddress) client.getRemoteSocketAddress()))) {
                fields.write(field.getBytes(StandardCharsets.UTF_8));
                fields.write(0);
            }
            fields.write(0);
            DataOutputStream out = new DataOutputStream(reply);
            out.writeByte('E');
            out.writeInt(4 + fields.size());
            fields.writeTo(out);
            out.flush();
        } catch (IOException e) {
            err("postgres connection from " + client.getRemoteSocketAddress() + " failed: " + e);
        }
    }

    /** gRPC {@code ifpin.Peer/Who}: the peer comes from the transport's attributes. */
    private static ServerCall.Listener<String> answerGrpc(ServerCall<String, String> call, Metadata headers) {
        InetSocketAddress peer = (InetSocketAddress) call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        InetSocketAddress local = (InetSocketAddress) call.getAttributes().get(Grpc.TRANSPORT_ATTR_LOCAL_ADDR);
        out("SAW grpc " + Addresses.endpoint(peer) + " -> " + Addresses.endpoint(local));
        call.request(1);
        return new ServerCall.Listener<>() {
            @Override
            public void onHalfClose() {
                call.sendHeaders(new Metadata());
                call.sendMessage(peerLine(peer));
                call.close(Status.OK, new Metadata());
            }
        };
    }

    private void handleHttp(HttpExchange exchange) throws IOException {
        try (exchange) {
            out("SAW http " + Addresses.endpoint(exchange.getRemoteAddress()) + " -> " + Addresses.endpoint(exchange.getLocalAddress()));
            try (InputStream body = exchange.getRequestBody()) {
                body.readAllBytes();
            }
            byte[] reply = (peerLine(exchange.getRemoteAddress()) + "\n").getBytes(StandardCharsets.US_ASCII);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=us-ascii");
            exchange.sendResponseHeaders(200, reply.length);
            exchange.getResponseBody().write(reply);
        }
    }

    private static void udpLoop(DatagramSocket socket) {
        byte[] buffer = new byte[2048];
        InetSocketAddress local = (InetSocketAddress) socket.getLocalSocketAddress();
        while (true) {
            try {
                DatagramPacket request = new DatagramPacket(buffer, buffer.length);
                socket.receive(request);
                InetSocketAddress peer = (InetSocketAddress) request.getSocketAddress();
                out("SAW udp " + Addresses.endpoint(peer) + " -> " + Addresses.endpoint(local));
                byte[] reply = peerLine(peer).getBytes(StandardCharsets.US_ASCII);
                socket.send(new DatagramPacket(reply, reply.length, peer));
            } catch (IOException e) {
                err("udp on " + Addresses.endpoint(local) + " failed: " + e);
            }
        }
    }

    private static String peerLine(InetSocketAddress peer) {
        return "PEER " + Addresses.plain(peer.getAddress()) + " " + peer.getPort();
    }

    /** Every address of every interface that is up, except IPv6 link-local ones (they need scopes). */
    private static List<InetAddress> localAddresses() throws SocketException {
        List<InetAddress> result = new ArrayList<>();
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp()) {
                continue;
            }
            for (InetAddress address : Collections.list(nif.getInetAddresses())) {
                if (address instanceof Inet6Address && address.isLinkLocalAddress()) {
                    continue;
                }
                result.add(address);
            }
        }
        result.sort(Comparator.comparing(Addresses::plain));
        return result;
    }

    /**
     * An in-memory TLS context with a fresh self-signed certificate. The JDK has no public API to
     * create a certificate, so keytool (shipped with every JDK) makes one in a temp dir, which is
     * deleted as soon as the key store is loaded.
     */
    private static SSLContext selfSignedTlsContext() throws Exception {
        char[] password = "peer-server".toCharArray();
        Path dir = Files.createTempDirectory("ifpin-peer-tls");
        try {
            Path store = dir.resolve("peer.p12");
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "peer",
                    "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=ifpin-peer-server",
                    "-validity", "30", "-storetype", "PKCS12", "-keystore", store.toString(),
                    "-storepass", new String(password), "-keypass", new String(password))
                    .redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException("keytool failed: " + output.trim());
            }
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                keys.load(in, password);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void startThread(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        return runnable -> {
            Thread thread = new Thread(runnable, prefix);
            thread.setDaemon(true);
            return thread;
        };
    }

    // stdout is the server's report (SAW/READY lines, parsed by tests); problems go to stderr.
    private static synchronized void out(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static void err(String line) {
        System.err.println("PeerServer: " + line);
        System.err.flush();
    }
}

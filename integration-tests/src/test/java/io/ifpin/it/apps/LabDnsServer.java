package io.ifpin.it.apps;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A split-horizon DNS server for DnsIT, run in the lab's server namespace on port 53 (UDP and TCP, both families):
 * it answers the corp.example names only to queries that arrive through the b0 side (from 198.51.100.0/24 or
 * 2001:db8:b::/64) and NXDOMAIN to everyone else, and prints {@code QUERY <udp|tcp> <source ip> <name> <type>} for
 * every query, so the test can count queries per source.
 *
 * <p>Zone (b0 side only): {@code internal.corp.example} A 203.0.113.20; {@code v6only.corp.example} AAAA
 * 2001:db8:f::20; {@code dual.corp.example} both; {@code alias.corp.example} CNAME internal.corp.example; {@code short.corp.example} A 203.0.113.20 with TTL 1 s (every other record: 60 s);
 * {@code big.corp.example} A 203.0.113.20,
 * truncated over UDP (answer only over TCP).
 */
public final class LabDnsServer {

    private static final PrintStream OUT = System.out;

    /** Arguments: the addresses to serve on (one socket each, so replies leave from the address that was asked). */
    public static void main(String[] args) throws Exception {
        int port = 53;
        for (String address : args) {
            InetSocketAddress local = new InetSocketAddress(InetAddress.getByName(address), port);
            DatagramSocket udp = new DatagramSocket(local);
            ServerSocket tcp = new ServerSocket();
            tcp.bind(local);
            start(() -> serveTcp(tcp), "dns-tcp-" + address);
            start(() -> serveUdp(udp), "dns-udp-" + address);
        }
        print("DNS READY " + port);
        Thread.currentThread().join();
    }

    private static void start(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void serveUdp(DatagramSocket udp) {
        try {
            udpLoop(udp);
        } catch (IOException e) {
            print("DNS UDP ERROR " + e);
        }
    }

    private static void udpLoop(DatagramSocket udp) throws IOException {
        byte[] buffer = new byte[512];
        while (true) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            udp.receive(packet);
            byte[] query = java.util.Arrays.copyOf(buffer, packet.getLength());
            byte[] answer = answer(query, packet.getAddress(), false);
            if (answer != null) {
                udp.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
            }
        }
    }

    private static void serveTcp(ServerSocket server) {
        while (true) {
            try (Socket client = server.accept()) {
                DataInputStream in = new DataInputStream(client.getInputStream());
                byte[] query = new byte[in.readUnsignedShort()];
                in.readFully(query);
                byte[] answer = answer(query, client.getInetAddress(), true);
                if (answer != null) {
                    DataOutputStream out = new DataOutputStream(client.getOutputStream());
                    out.writeShort(answer.length);
                    out.write(answer);
                    out.flush();
                }
            } catch (IOException e) {
                print("DNS TCP ERROR " + e);
            }
        }
    }

    private static synchronized void print(String line) {
        OUT.println(line);
        OUT.flush();
    }

    static byte[] answer(byte[] query, InetAddress source, boolean tcp) {
        if (query.length < 17) {
            return null;
        }
        List<String> labels = new ArrayList<>();
        int at = 12;
        while (at < query.length && query[at] != 0) {
            int length = query[at] & 0xFF;
            labels.add(new String(query, at + 1, length, StandardCharsets.US_ASCII));
            at += 1 + length;
        }
        int questionEnd = at + 5;
        String name = String.join(".", labels).toLowerCase(Locale.ROOT);
        int type = (query[at + 1] & 0xFF) << 8 | query[at + 2] & 0xFF;
        String ip = source.getHostAddress();
        if (source instanceof java.net.Inet6Address && ip.startsWith("0:0:0:0:0:ffff:")) {
            ip = ip.substring("0:0:0:0:0:ffff:".length());
        }
        if (ip.startsWith("::ffff:")) {
            ip = ip.substring(7);
        }
        print("QUERY " + (tcp ? "tcp" : "udp") + " " + ip + " " + name + " " + (type == 1 ? "A" : type == 28 ? "AAAA" : type));
        boolean viaB0 = ip.startsWith("198.51.100.") || ip.startsWith("2001:db8:b:");
        Response response = new Response(query, questionEnd);
        if (!viaB0) {
            return response.done(3, false);
        }
        switch (name) {
            case "internal.corp.example" -> {
                if (type == 1) {
                    response.address(12, 1, new byte[]{(byte) 203, 0, 113, 20});
                }
            }
            case "short.corp.example" -> {
                if (type == 1) {
                    response.record(12, 1, new byte[]{(byte) 203, 0, 113, 20}, 1);
                }
            }
            case "v6only.corp.example" -> {
                if (type == 28) {
                    response.address(12, 28, InetAddressBytes.v6("2001:db8:f::20"));
                }
            }
            case "dual.corp.example" -> {
                if (type == 1) {
                    response.address(12, 1, new byte[]{(byte) 203, 0, 113, 20});
                } else if (type == 28) {
                    response.address(12, 28, InetAddressBytes.v6("2001:db8:f::20"));
                }
            }
            case "alias.corp.example" -> {
                int target = response.cname(12, "internal.corp.example");
                if (type == 1) {
                    response.address(target, 1, new byte[]{(byte) 203, 0, 113, 20});
                }
            }
            case "big.corp.example" -> {
                if (!tcp) {
                    return response.done(0, true);
                }
                if (type == 1) {
                    response.address(12, 1, new byte[]{(byte) 203, 0, 113, 20});
                }
            }
            default -> {
                return response.done(3, false);
            }
        }
        return response.done(0, false);
    }

    /** The response being built: the query's header and question, then answer records. */
    private static final class Response {
        private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        private int answers;

        Response(byte[] query, int questionEnd) {
            out.write(query, 0, questionEnd);
        }

        /** A record owned by the name at {@code ownerOffset}; returns nothing. */
        void address(int ownerOffset, int type, byte[] data) {
            record(ownerOffset, type, data);
        }

        /** A CNAME owned by the name at {@code ownerOffset}; returns the offset of the alias's name. */
        int cname(int ownerOffset, String alias) {
            java.io.ByteArrayOutputStream name = new java.io.ByteArrayOutputStream();
            for (String label : alias.split("\\.")) {
                name.write(label.length());
                name.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
            }
            name.write(0);
            int dataOffset = out.size() + 12;
            record(ownerOffset, 5, name.toByteArray());
            return dataOffset;
        }

        private void record(int ownerOffset, int type, byte[] data) {
            record(ownerOffset, type, data, 60);
        }

        void record(int ownerOffset, int type, byte[] data, int ttl) {
            out.write(0xC0 | ownerOffset >> 8);
            out.write(ownerOffset);
            out.write(type >> 8);
            out.write(type);
            out.write(0);
            out.write(1); // IN
            out.writeBytes(new byte[]{(byte) (ttl >>> 24), (byte) (ttl >>> 16), (byte) (ttl >>> 8), (byte) ttl});
            out.write(data.length >> 8);
            out.write(data.length);
            out.writeBytes(data);
            answers++;
        }

        byte[] done(int rcode, boolean truncated) {
            byte[] bytes = out.toByteArray();
            bytes[2] = (byte) (0x80 | (bytes[2] & 0x01) | (truncated ? 0x02 : 0)); // QR, RD copied, TC
            bytes[3] = (byte) (0x80 | rcode); // RA
            bytes[6] = (byte) (answers >> 8);
            bytes[7] = (byte) answers;
            bytes[8] = bytes[9] = bytes[10] = bytes[11] = 0;
            return bytes;
        }
    }

    private static final class InetAddressBytes {
        static byte[] v6(String literal) {
            try {
                return InetAddress.getByName(literal).getAddress();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}

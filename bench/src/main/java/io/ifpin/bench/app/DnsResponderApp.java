package io.ifpin.bench.app;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * bench/dns-lookup.sh's DNS server, in the lab's server namespace: answers every A question with 203.0.113.20
 * (TTL 60 s) and every other question with NOERROR and no record, over UDP on port 53 of the given address. One
 * thread, no cache, no logging: the same server for ifpin's client and the system resolver.
 */
public final class DnsResponderApp {

    private DnsResponderApp() {
    }

    public static void main(String[] args) throws Exception {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(args[0]), 53))) {
            System.out.println("DNS READY");
            System.out.flush();
            byte[] in = new byte[512];
            byte[] out = new byte[600];
            while (true) {
                DatagramPacket packet = new DatagramPacket(in, in.length);
                socket.receive(packet);
                int length = answer(in, packet.getLength(), out);
                if (length > 0) {
                    socket.send(new DatagramPacket(out, length, packet.getSocketAddress()));
                }
            }
        }
    }

    /** The response's length, or 0 for anything that is not a one-question query. */
    static int answer(byte[] query, int length, byte[] out) {
        if (length < 17 || (query[2] & 0x80) != 0 || query[5] != 1) {
            return 0;
        }
        int at = 12;
        while (at < length && query[at] != 0) {
            at += 1 + (query[at] & 0xFF);
        }
        int questionEnd = at + 5;
        if (questionEnd > length) {
            return 0;
        }
        System.arraycopy(query, 0, out, 0, questionEnd);
        out[2] = (byte) (0x80 | (query[2] & 0x01)); // QR, RD copied
        out[3] = (byte) 0x80; // RA, NOERROR
        out[6] = out[8] = out[9] = out[10] = out[11] = 0;
        boolean a = query[at + 1] == 0 && query[at + 2] == 1;
        out[7] = (byte) (a ? 1 : 0);
        if (!a) {
            return questionEnd;
        }
        byte[] record = {(byte) 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, (byte) 203, 0, 113, 20};
        System.arraycopy(record, 0, out, questionEnd, record.length);
        return questionEnd + record.length;
    }
}

package io.ifpin.demo.cases;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** The client side of PeerServer's line protocol, shared by the cases. */
final class Replies {

    /** What a client sends; the server ignores the content. */
    static final String REQUEST = "who am I?\n";

    private Replies() {
    }

    /** {@code "PEER <ip> <port>"} (trailing newline optional) to {@code "<ip> <port>"}. */
    static String parsePeer(String reply) throws IOException {
        String line = reply == null ? "" : reply.trim();
        String[] parts = line.split(" ");
        if (parts.length != 3 || !parts[0].equals("PEER")) {
            throw new IOException("unexpected reply from server: '" + line + "'");
        }
        return parts[1] + " " + parts[2];
    }

    /** Sends the request on a connected stream socket and parses the one-line answer. */
    static String exchange(Socket socket) throws IOException {
        socket.setSoTimeout(Ports.IO_TIMEOUT_MILLIS);
        OutputStream out = socket.getOutputStream();
        out.write(REQUEST.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        return parsePeer(in.readLine());
    }
}

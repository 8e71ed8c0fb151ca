package io.ifpin.demo.cases;

/** The fixed ports of {@link io.ifpin.demo.PeerServer} and the timeouts every case applies. */
final class Ports {
    static final int LINE = 7000;
    static final int UDP = 7000;
    static final int HTTP = 7080;
    static final int TLS = 7443;
    /** gRPC (HTTP/2, plaintext), unary method {@code ifpin.Peer/Who}. */
    static final int GRPC = 7051;
    /** A fake PostgreSQL server: answers the startup message with an error whose text is the peer. */
    static final int POSTGRES = 7432;

    /** Connect/read timeout: nothing in the demo may hang. */
    static final int IO_TIMEOUT_MILLIS = 5_000;
    /** How long a UDP case waits for the server's reply datagram. */
    static final int UDP_REPLY_TIMEOUT_MILLIS = 3_000;

    private Ports() {
    }
}

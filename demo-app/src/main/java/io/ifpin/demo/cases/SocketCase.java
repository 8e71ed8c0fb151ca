package io.ifpin.demo.cases;

/**
 * One way of opening an outbound socket, as a legacy application might do it. Each case talks to
 * {@link io.ifpin.demo.PeerServer} and returns the peer the server saw, which shows the interface
 * the socket left by.
 */
public interface SocketCase {

    /** What {@link #run} returns when the case cannot run on this JVM (e.g. no virtual threads). */
    String NOT_APPLICABLE = "n/a";

    /** Short kebab-case name, used to select cases on the command line. */
    String name();

    /** {@code "tcp"} or {@code "udp"}. */
    String protocol();

    /**
     * Opens a socket to {@code host} on the case's fixed port (7000 line protocol and UDP, 7080
     * HTTP, 7443 TLS) and returns {@code "<ip> <port>"} as reported by the server, or
     * {@link #NOT_APPLICABLE}.
     */
    String run(String host) throws Exception;
}

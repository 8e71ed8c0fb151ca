package io.ifpin.dns;

import java.io.IOException;

/** One request and its response with one server; behind an interface so the resolver is tested without sockets. */
interface DnsTransport {

    /**
     * Sends {@code query} to {@code server} and returns the first response whose id and question match it.
     *
     * @param tcp UDP when false; TCP (2-byte length prefix, RFC 1035 4.2.2) when true
     * @throws IOException on timeout ({@link java.net.SocketTimeoutException}) or any socket failure
     */
    byte[] exchange(DnsServer server, byte[] query, boolean tcp, int timeoutMillis) throws IOException;

    /**
     * Sends both queries over UDP at once and returns their responses in order, null for one that did not come within
     * the timeout (A and AAAA in one round trip, as the C library's resolver asks them). This default asks one after
     * the other.
     *
     * @throws IOException when the exchange as a whole failed (e.g. the port is closed)
     */
    default byte[][] exchangeTogether(DnsServer server, byte[] first, byte[] second, int timeoutMillis)
            throws IOException {
        return new byte[][]{exchange(server, first, false, timeoutMillis), exchange(server, second, false,
                timeoutMillis)};
    }
}

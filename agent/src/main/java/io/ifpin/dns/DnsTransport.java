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
}

package io.ifpin.dns;

/**
 * Marks the thread that is sending one of ifpin's own DNS queries, and to which interface its socket must be pinned.
 * {@link OwnDnsSockets} sees the mark in the socket hook, pins the socket itself and keeps it away from the rules
 * (which could deny or re-pin the DNS server's address), and records that it did: a query is sent only on a socket
 * that was pinned.
 */
final class DnsQueryThread {

    private static final ThreadLocal<DnsQueryThread> CURRENT = new ThreadLocal<>();

    final String interfaceName;
    /** The descriptor the hook pinned last, -1 before; read by the same thread after connect. */
    int pinnedFd = -1;
    /** Why pinning failed, or null. */
    String pinFailure;

    private DnsQueryThread(String interfaceName) {
        this.interfaceName = interfaceName;
    }

    static DnsQueryThread enter(String interfaceName) {
        DnsQueryThread mark = new DnsQueryThread(interfaceName);
        CURRENT.set(mark);
        return mark;
    }

    static void leave() {
        CURRENT.remove();
    }

    /** The mark of the calling thread, or null when it is not sending an ifpin DNS query. */
    static DnsQueryThread current() {
        return CURRENT.get();
    }
}

package io.ifpin.rules;

import java.net.InetAddress;

/** Recovers the host name an application asked for from an {@link InetAddress}, without DNS. */
public final class HostNames {
    private HostNames() {
    }

    /**
     * The name the application asked for, without any DNS lookup, or null for a literal.
     *
     * <p>{@link InetAddress#getHostName()} would do a reverse lookup when the address was created
     * from a literal, which is slow, can block on a broken resolver, and would invent a name the
     * application never used. {@link InetAddress#toString()} is documented as
     * {@code "hostname/literal"}, with an empty host name when none is known, and never resolves.
     */
    public static String requestedName(InetAddress address) {
        return InetAddressFields.hostName(address); // the field toString() reads, without building the string
    }
}

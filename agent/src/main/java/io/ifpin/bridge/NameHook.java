package io.ifpin.bridge;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * What the JDK's instrumented name lookup ({@code InetAddress.getAddressesFromNameService}, below the JDK's address
 * cache) calls, implemented in the agent's own class loader. On the bootstrap class path next to {@link PinBridge}.
 */
public interface NameHook {

    /**
     * The addresses of {@code host} as a rule decides them, or null when no rule decides this name (the JDK then asks
     * its own resolver as usual).
     *
     * @throws UnknownHostException when a rule refuses the name, or its DNS servers say it does not exist or do not
     *                              answer (and the rule does not allow the system resolver instead)
     */
    InetAddress[] lookup(String host) throws UnknownHostException;

    /** A Throwable escaped from {@link #lookup} itself: report it (once) without throwing. */
    void hookFailed(Throwable failure);
}

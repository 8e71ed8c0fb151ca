package io.ifpin.rules;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Reads what an {@link InetAddress} holds without the copies its public methods make: {@code toString()} builds a
 * new string with the address in text form (to recover the requested host name), {@code getAddress()} clones the
 * IPv6 bytes. On every connect that is one to three objects and, for IPv6 text, most of the cost of a match.
 *
 * <p>The fields ({@code InetAddress.holder.hostName}, {@code Inet6Address.holder6.ipaddress}, the same on JDK 17 and
 * 25) are readable only when {@code java.base} opens {@code java.net} to ifpin, which the agent does at startup
 * ({@code AgentInstaller.openJavaBase}). Anywhere else (the CLI, unit tests) and on a JDK without these fields, the
 * public methods are used: same answers, with the copies. Public for the route checker's per-connect lookup
 * ({@code diag.AsyncRouteChecker}), which reads the first 8 bytes of an IPv6 destination.
 */
public final class InetAddressFields {
    private static final VarHandle HOLDER;
    private static final VarHandle HOST_NAME;
    private static final VarHandle HOLDER6;
    private static final VarHandle IPV6_BYTES;

    static {
        VarHandle holder = null;
        VarHandle hostName = null;
        VarHandle holder6 = null;
        VarHandle ipv6Bytes = null;
        try {
            Class<?> holderType = Class.forName("java.net.InetAddress$InetAddressHolder");
            Class<?> holder6Type = Class.forName("java.net.Inet6Address$Inet6AddressHolder");
            holder = privateLookup(InetAddress.class).findVarHandle(InetAddress.class, "holder", holderType);
            hostName = privateLookup(holderType).findVarHandle(holderType, "hostName", String.class);
            holder6 = privateLookup(Inet6Address.class).findVarHandle(Inet6Address.class, "holder6", holder6Type);
            ipv6Bytes = privateLookup(holder6Type).findVarHandle(holder6Type, "ipaddress", byte[].class);
        } catch (ReflectiveOperationException | RuntimeException notOpenOrChanged) {
            holder = null; // all or nothing
        }
        HOLDER = holder;
        HOST_NAME = holder == null ? null : hostName;
        HOLDER6 = holder == null ? null : holder6;
        IPV6_BYTES = holder == null ? null : ipv6Bytes;
    }

    private InetAddressFields() {
    }

    /** True when the fields are read directly (the agent at run time), false when the public methods are used. */
    static boolean direct() {
        return HOLDER != null;
    }

    /** The host name the address was created with or resolved to, or null; what {@code toString()} puts first. */
    static String hostName(InetAddress address) {
        if (HOLDER == null) {
            return hostNameFromText(address);
        }
        String name = (String) HOST_NAME.get(HOLDER.get(address));
        return name == null || name.isEmpty() ? null : name;
    }

    /** The same from {@code toString()}, documented as {@code "hostname/literal"} with an empty name when unknown. */
    static String hostNameFromText(InetAddress address) {
        String text = address.toString();
        int slash = text.indexOf('/');
        return slash <= 0 ? null : text.substring(0, slash);
    }

    /** The 16 bytes of an IPv6 address. The caller must not modify them: they may be the address's own. */
    public static byte[] ipv6Bytes(Inet6Address address) {
        return HOLDER6 == null ? address.getAddress() : (byte[]) IPV6_BYTES.get(HOLDER6.get(address));
    }

    private static MethodHandles.Lookup privateLookup(Class<?> type) throws IllegalAccessException {
        return MethodHandles.privateLookupIn(type, MethodHandles.lookup());
    }
}

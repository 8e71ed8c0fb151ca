package io.ifpin.rules;

import io.ifpin.os.Addresses;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A rule's {@code source}: at most one IPv4 and one IPv6 address; a socket gets the one of its family, bound with port
 * 0 before it connects or sends (docs/dev/steering.md). The {@code struct sockaddr}
 * bytes are built here once, so pinning a socket encodes nothing: {@code sockaddr_in} for an IPv4 socket,
 * {@code sockaddr_in6} for an IPv6 socket, and {@code sockaddr_in6} with the IPv4-mapped address for a dual-stack IPv6
 * socket to an IPv4 destination (the JDK's sockets are dual-stack unless {@code java.net.preferIPv4Stack}). Immutable.
 */
public final class SourceAddress {

    /** bits/socket.h */
    private static final short AF_INET = 2;
    private static final short AF_INET6 = 10;

    private final InetAddress ipv4;
    private final InetAddress ipv6;
    private final byte[] sockaddrIn;
    private final byte[] sockaddrIn6;
    private final byte[] sockaddrMapped;
    private final String text;

    private SourceAddress(byte[] ipv4, byte[] ipv6, String text) {
        this.ipv4 = ipv4 == null ? null : literal(ipv4);
        this.ipv6 = ipv6 == null ? null : literal(ipv6);
        this.sockaddrIn = ipv4 == null ? null : sockaddrIn(ipv4);
        this.sockaddrIn6 = ipv6 == null ? null : sockaddrIn6(ipv6);
        this.sockaddrMapped = ipv4 == null ? null : sockaddrIn6(mapped(ipv4));
        this.text = text;
    }

    /**
     * @param texts one address, or one IPv4 and one IPv6 address, as literals
     * @throws InvalidValueException naming the problem and its fix
     */
    public static SourceAddress parse(List<String> texts) {
        if (texts.isEmpty()) {
            throw new InvalidValueException("the list is empty", "write source = \"203.0.113.7\", or remove source");
        }
        byte[] ipv4 = null;
        byte[] ipv6 = null;
        for (String text : texts) {
            byte[] bytes = parseOne(text);
            if (bytes.length == 4) {
                if (ipv4 != null) {
                    throw new InvalidValueException("two IPv4 addresses; a socket binds one",
                            "keep one IPv4 and at most one IPv6 address, e.g. source = [\"203.0.113.7\","
                                    + " \"2001:db8::7\"]; write another rule for other destinations");
                }
                ipv4 = bytes;
            } else {
                if (ipv6 != null) {
                    throw new InvalidValueException("two IPv6 addresses; a socket binds one",
                            "keep one IPv6 and at most one IPv4 address, e.g. source = [\"203.0.113.7\","
                                    + " \"2001:db8::7\"]; write another rule for other destinations");
                }
                ipv6 = bytes;
            }
        }
        return new SourceAddress(ipv4, ipv6, texts.size() == 1 ? texts.get(0) : texts.toString());
    }

    /** One literal address that a socket can bind as its source. */
    static byte[] parseOne(String text) {
        byte[] bytes = text.indexOf(':') >= 0 ? Cidr.parseIpv6(text) : Cidr.parseIpv4(text);
        if (bytes == null) {
            throw new InvalidValueException("not an IP address literal (" + (text.indexOf('/') >= 0
                    ? "a source is one address, not a network" : "host names are not resolved here") + ")",
                    "write an address of this host, e.g. source = \"203.0.113.7\" or \"2001:db8::7\"");
        }
        if (bytes.length == 16 && Addresses.isIpv4Mapped(bytes)) {
            throw new InvalidValueException("an IPv4-mapped IPv6 address",
                    "write the IPv4 address itself (source = \"" + Addresses.text(java.util.Arrays.copyOfRange(bytes,
                            12, 16)) + "\"); ifpin maps it for dual-stack sockets");
        }
        InetAddress address = literal(bytes);
        if (address.isAnyLocalAddress()) {
            throw new InvalidValueException("the wildcard address binds nothing",
                    "write an address of this host (`ip -br addr` lists them), or remove source");
        }
        if (address.isMulticastAddress()) {
            throw new InvalidValueException("a multicast address cannot be a source",
                    "write a unicast address of this host (`ip -br addr` lists them)");
        }
        return bytes;
    }

    /** The IPv4 source, or null. */
    public InetAddress ipv4() {
        return ipv4;
    }

    /** The IPv6 source, or null. */
    public InetAddress ipv6() {
        return ipv6;
    }

    /** Both, IPv4 first, without nulls. */
    public List<InetAddress> addresses() {
        return ipv4 == null ? List.of(ipv6) : ipv6 == null ? List.of(ipv4) : List.of(ipv4, ipv6);
    }

    /**
     * The {@code struct sockaddr} to bind a socket of {@code socketFamily} ({@code 2} AF_INET, {@code 10} AF_INET6)
     * to, for a destination that is IPv4 (or IPv4-mapped) or not; null when the rule has no source of that family.
     * Shared: callers only read it.
     */
    public byte[] sockaddrFor(int socketFamily, boolean ipv4Destination) {
        if (socketFamily == AF_INET) {
            return sockaddrIn;
        }
        return ipv4Destination ? sockaddrMapped : sockaddrIn6;
    }

    /** The address a socket to an IPv4 destination (or not) binds, for messages; null when the rule has none. */
    public InetAddress forDestination(boolean ipv4Destination) {
        return ipv4Destination ? ipv4 : ipv6;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SourceAddress that && java.util.Objects.equals(ipv4, that.ipv4)
                && java.util.Objects.equals(ipv6, that.ipv6);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(ipv4, ipv6);
    }

    /** struct sockaddr_in { sa_family_t (host order); in_port_t (0); struct in_addr; zero[8] } (netinet/in.h). */
    private static byte[] sockaddrIn(byte[] ipv4) {
        ByteBuffer out = ByteBuffer.allocate(16);
        out.order(ByteOrder.nativeOrder()).putShort(AF_INET);
        out.order(ByteOrder.BIG_ENDIAN).putShort((short) 0).put(ipv4);
        return out.array();
    }

    /** struct sockaddr_in6 { sa_family_t; in_port_t; uint32 flowinfo; struct in6_addr; uint32 scope_id } (28 bytes). */
    private static byte[] sockaddrIn6(byte[] ipv6) {
        ByteBuffer out = ByteBuffer.allocate(28);
        out.order(ByteOrder.nativeOrder()).putShort(AF_INET6);
        out.order(ByteOrder.BIG_ENDIAN).putShort((short) 0).putInt(0).put(ipv6).putInt(0);
        return out.array();
    }

    private static byte[] mapped(byte[] ipv4) {
        byte[] bytes = new byte[16];
        bytes[10] = (byte) 0xff;
        bytes[11] = (byte) 0xff;
        System.arraycopy(ipv4, 0, bytes, 12, 4);
        return bytes;
    }

    private static InetAddress literal(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException impossible) {
            throw new IllegalArgumentException(impossible);
        }
    }
}

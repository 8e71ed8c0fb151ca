package io.ifpin.demo;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Address formatting shared by {@link PeerServer} and the cases, so that what the server reports
 * and what tests compare against is one canonical text form.
 *
 * <p>The RFC 5952 rule here is also in the agent ({@code io.ifpin.os.Addresses}), on purpose: this
 * app stands for an unmodified application, so it links no ifpin code (a shared jar on its class
 * path would put ifpin classes in the application's loader, which the class-loader map in
 * docs/dev/architecture.md rules out), and the formatter of a library it ships (Netty's
 * {@code NetUtil.toAddressString}, which agrees on IPv6 but not on IPv4-mapped addresses) costs
 * {@link PeerServer} about 280 ms of Netty's start and SLF4J's warnings on its stderr.
 */
public final class Addresses {

    private Addresses() {
    }

    /**
     * The plain text form of an address: dotted IPv4 (also for IPv4-mapped IPv6 addresses, which
     * is what a dual-stack listener sees for IPv4 clients) or RFC 5952 compressed IPv6 without a
     * scope ({@code 2001:db8:b::2}, not Java's {@code 2001:db8:b:0:0:0:0:2}).
     */
    public static String plain(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        if (isIpv4Mapped(b)) {
            return (b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + "." + (b[15] & 0xff);
        }
        return compressIpv6(b);
    }

    /** {@code ip:port}, with the IPv6 address in brackets so the port stays unambiguous. */
    public static String endpoint(InetSocketAddress address) {
        String ip = plain(address.getAddress());
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + address.getPort();
    }

    /** A host as it may appear in a URL authority: IPv6 literals need brackets. */
    public static String urlHost(String host) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /**
     * Resolves host:port now, failing with the usual exception instead of carrying an unresolved
     * address into a channel API (which would fail later with a less telling message).
     */
    public static InetSocketAddress resolve(String host, int port) throws UnknownHostException {
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new UnknownHostException(host);
        }
        return address;
    }

    private static boolean isIpv4Mapped(byte[] b) {
        if (b.length != 16) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    }

    private static String compressIpv6(byte[] b) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        // RFC 5952: replace the longest run (first one on a tie) of two or more zero groups by "::".
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }
}

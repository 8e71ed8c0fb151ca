package io.ifpin.os;

import java.net.InetAddress;

/** Socket addresses as operators type them: {@code 192.0.2.1:80}, {@code [2001:db8::1]:80} (RFC 5952 form). */
public final class Addresses {

    private Addresses() {
    }

    public static String format(InetAddress address, int port) {
        return format(address.getAddress(), port);
    }

    /** @param ip 4 or 16 bytes; an IPv4-mapped IPv6 address is shown as IPv4, as the JDK's dual-stack sockets mean it */
    public static String format(byte[] ip, int port) {
        String text = text(ip);
        return isIpv4Text(ip) ? text + ":" + port : "[" + text + "]:" + port;
    }

    /** The address alone, as {@code ip} takes it: {@code 192.0.2.1}, {@code 2001:db8::1}; mapped shown as IPv4. */
    public static String text(InetAddress address) {
        return text(address.getAddress());
    }

    /** {@link #text(InetAddress)} for 4 or 16 address bytes. */
    public static String text(byte[] ip) {
        if (isIpv4Text(ip)) {
            int o = ip.length - 4;
            return (ip[o] & 0xff) + "." + (ip[o + 1] & 0xff) + "." + (ip[o + 2] & 0xff) + "." + (ip[o + 3] & 0xff);
        }
        return ipv6(bigEndianLong(ip, 0), bigEndianLong(ip, 8));
    }

    private static boolean isIpv4Text(byte[] ip) {
        return ip.length == 4 || isIpv4Mapped(ip);
    }

    /** True for {@code ::ffff:a.b.c.d} (16 bytes), which a dual-stack JVM socket uses for an IPv4 destination. */
    public static boolean isIpv4Mapped(byte[] ip) {
        if (ip.length != 16) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (ip[i] != 0) {
                return false;
            }
        }
        return ip[10] == (byte) 0xff && ip[11] == (byte) 0xff;
    }

    /** RFC 5952: lower-case hex, no leading zeros, the first longest run of two or more zero groups as "::". */
    public static String ipv6(long high, long low) {
        int[] groups = new int[8];
        for (int i = 0; i < 4; i++) {
            groups[i] = (int) (high >>> (48 - 16 * i)) & 0xffff;
            groups[i + 4] = (int) (low >>> (48 - 16 * i)) & 0xffff;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; i++) {
            int length = 0;
            while (i + length < 8 && groups[i + length] == 0) {
                length++;
            }
            if (length > bestLength) {
                bestStart = i;
                bestLength = length;
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

    private static long bigEndianLong(byte[] bytes, int offset) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = value << 8 | (bytes[offset + i] & 0xff);
        }
        return value;
    }
}

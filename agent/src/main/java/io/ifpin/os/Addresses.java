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
        if (ip.length == 16 && isIpv4Mapped(ip)) {
            ip = java.util.Arrays.copyOfRange(ip, 12, 16);
        }
        if (ip.length == 4) {
            return (ip[0] & 0xff) + "." + (ip[1] & 0xff) + "." + (ip[2] & 0xff) + "." + (ip[3] & 0xff) + ":" + port;
        }
        return "[" + ipv6(ip) + "]:" + port;
    }

    private static boolean isIpv4Mapped(byte[] ip) {
        for (int i = 0; i < 10; i++) {
            if (ip[i] != 0) {
                return false;
            }
        }
        return ip[10] == (byte) 0xff && ip[11] == (byte) 0xff;
    }

    /** RFC 5952: lower-case hex, no leading zeros, the longest run (of two or more) of zero groups as "::". */
    static String ipv6(byte[] ip) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (ip[2 * i] & 0xff) << 8 | (ip[2 * i + 1] & 0xff);
        }
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

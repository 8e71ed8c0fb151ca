package io.ifpin.rules;

import io.ifpin.os.Addresses;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * An IPv4 or IPv6 network such as {@code 192.0.2.0/24} or {@code 2001:db8::/32}.
 *
 * <p>Literals are parsed here, strictly, rather than with {@link InetAddress#getByName}: that
 * method resolves anything that is not a literal through DNS, which must never happen while
 * loading the config of an agent that runs inside someone else's application.
 *
 * <p>IPv4-mapped IPv6 addresses ({@code ::ffff:192.0.2.10}) are IPv4 connections made through an
 * IPv6 socket, so they are matched as the IPv4 address they carry; likewise a mapped network in
 * the config ({@code ::ffff:192.0.2.0/120}) is stored as the IPv4 network it denotes.
 */
public final class Cidr {
    private final String text;
    private final boolean ipv4;
    private final int prefix;
    // IPv4: address and mask as big-endian ints.
    private final int v4Network;
    private final int v4Mask;
    // IPv6: the 128 bits as two big-endian longs.
    private final long v6NetworkHigh;
    private final long v6NetworkLow;
    private final long v6MaskHigh;
    private final long v6MaskLow;

    private Cidr(String text, boolean ipv4, int prefix, int v4Network,
                 long v6NetworkHigh, long v6NetworkLow) {
        this.text = text;
        this.ipv4 = ipv4;
        this.prefix = prefix;
        this.v4Network = v4Network;
        this.v4Mask = ipv4 ? ipv4Mask(prefix) : 0;
        this.v6NetworkHigh = v6NetworkHigh;
        this.v6NetworkLow = v6NetworkLow;
        this.v6MaskHigh = ipv4 ? 0 : ipv6MaskHigh(prefix);
        this.v6MaskLow = ipv4 ? 0 : ipv6MaskLow(prefix);
    }

    /**
     * Parses {@code address[/prefix]}; a bare address means /32 or /128.
     *
     * @throws InvalidValueException for anything but a literal network with no host bits set
     */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String addressPart = slash < 0 ? text : text.substring(0, slash);
        if (addressPart.indexOf('%') >= 0) {
            throw new InvalidValueException("zone ids (%name) are not supported",
                    "remove the zone id; the rule's interface already picks the interface");
        }
        byte[] bytes = addressPart.indexOf(':') >= 0 ? parseIpv6(addressPart) : parseIpv4(addressPart);
        if (bytes == null) {
            throw new InvalidValueException("not an IPv4 or IPv6 address or network",
                    looksLikeHostName(addressPart)
                            ? "host names go in hosts = [\"" + addressPart + "\"]"
                            : "write a network like \"192.0.2.0/24\" or \"2001:db8::/32\", or a single address");
        }
        int maxPrefix = bytes.length * 8;
        int prefix = slash < 0 ? maxPrefix : parsePrefix(text.substring(slash + 1), maxPrefix);

        Cidr cidr;
        if (bytes.length == 4) {
            cidr = new Cidr(text, true, prefix, toInt(bytes, 0), 0, 0);
        } else if (Addresses.isIpv4Mapped(bytes) && prefix >= 96) {
            cidr = new Cidr(text, true, prefix - 96, toInt(bytes, 12), 0, 0);
        } else {
            cidr = new Cidr(text, false, prefix, 0, high64(bytes), low64(bytes));
        }
        if (cidr.hasHostBits()) {
            throw new InvalidValueException("host bits are set",
                    "use the network address \"" + cidr.networkForm() + "\"");
        }
        return cidr;
    }

    /** True when {@code address} lies in this network. Does no DNS. */
    public boolean contains(InetAddress address) {
        if (address instanceof Inet4Address) {
            return ipv4 && containsIpv4(ipv4Bits(address));
        }
        byte[] bytes = address.getAddress();
        if (Addresses.isIpv4Mapped(bytes)) {
            return ipv4 && containsIpv4(toInt(bytes, 12));
        }
        return !ipv4 && containsIpv6(high64(bytes), low64(bytes));
    }

    public boolean isIpv4() {
        return ipv4;
    }

    /** The prefix length; for a mapped network in the config, the IPv4 prefix. */
    public int prefixLength() {
        return prefix;
    }

    /** The network as the upper 64 bits of a 128-bit key: IPv4 in the top 32 bits (for {@link PrefixTrie}). */
    long keyHigh() {
        return ipv4 ? (v4Network & 0xffffffffL) << 32 : v6NetworkHigh;
    }

    /** The lower 64 bits of the key; 0 for IPv4. */
    long keyLow() {
        return ipv4 ? 0 : v6NetworkLow;
    }

    /** Caller must only use this on an IPv4 network. */
    boolean containsIpv4(int address) {
        return (address & v4Mask) == v4Network;
    }

    /** Caller must only use this on an IPv6 network. */
    boolean containsIpv6(long high, long low) {
        return (high & v6MaskHigh) == v6NetworkHigh && (low & v6MaskLow) == v6NetworkLow;
    }

    /** The network in canonical form (RFC 5952 for IPv6), e.g. {@code 192.0.2.0/24}. */
    public String networkForm() {
        if (ipv4) {
            int network = v4Network & v4Mask;
            return (network >>> 24) + "." + ((network >>> 16) & 0xff) + "."
                    + ((network >>> 8) & 0xff) + "." + (network & 0xff) + "/" + prefix;
        }
        return Addresses.ipv6(v6NetworkHigh & v6MaskHigh, v6NetworkLow & v6MaskLow) + "/" + prefix;
    }

    /** As written in the config. */
    @Override
    public String toString() {
        return text;
    }

    private boolean hasHostBits() {
        return ipv4 ? (v4Network & ~v4Mask) != 0
                : (v6NetworkHigh & ~v6MaskHigh) != 0 || (v6NetworkLow & ~v6MaskLow) != 0;
    }

    // ---- address helpers shared with Rule and RuleSet ----

    /**
     * The IPv4 address as a big-endian int, without allocating. {@code Inet4Address.hashCode()}
     * is the address itself (JDK: "the hashcode is the IPv4 address"); {@code getAddress()}
     * would allocate a byte array on every connect. A unit test guards this.
     */
    static int ipv4Bits(InetAddress address) {
        return address.hashCode();
    }

    static int toInt(byte[] bytes, int offset) {
        return (bytes[offset] & 0xff) << 24 | (bytes[offset + 1] & 0xff) << 16
                | (bytes[offset + 2] & 0xff) << 8 | (bytes[offset + 3] & 0xff);
    }

    static long high64(byte[] bytes) {
        return (long) toInt(bytes, 0) << 32 | (toInt(bytes, 4) & 0xffffffffL);
    }

    static long low64(byte[] bytes) {
        return (long) toInt(bytes, 8) << 32 | (toInt(bytes, 12) & 0xffffffffL);
    }

    // ---- masks; note that Java shifts are modulo the width, so /0 needs its own case ----

    private static int ipv4Mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    private static long ipv6MaskHigh(int prefix) {
        return prefix == 0 ? 0 : prefix >= 64 ? -1L : -1L << (64 - prefix);
    }

    private static long ipv6MaskLow(int prefix) {
        return prefix <= 64 ? 0 : -1L << (128 - prefix);
    }

    // ---- strict literal parsing ----

    private static int parsePrefix(String digits, int maxPrefix) {
        String fix = "use a prefix length from /0 to /" + maxPrefix;
        if (!isDecimal(digits, 3)) {
            throw new InvalidValueException("the prefix length \"/" + digits + "\" is not a number", fix);
        }
        int prefix = Integer.parseInt(digits);
        if (prefix > maxPrefix) {
            throw new InvalidValueException("the prefix length /" + prefix + " is too long", fix);
        }
        return prefix;
    }

    /** 1 to maxDigits decimal digits, no sign, and no leading zero (which some tools read as octal). */
    private static boolean isDecimal(String s, int maxDigits) {
        if (s.isEmpty() || s.length() > maxDigits || (s.length() > 1 && s.charAt(0) == '0')) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** One address literal, IPv4 or IPv6 (strict, never a DNS lookup): 4 or 16 bytes, or null if anything else. */
    public static byte[] parseAddress(String text) {
        return text.indexOf(':') >= 0 ? parseIpv6(text) : parseIpv4(text);
    }

    /** Dotted quad {@code a.b.c.d}, each 0-255; null if anything else. */
    static byte[] parseIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (!isDecimal(parts[i], 3)) {
                return null;
            }
            int value = Integer.parseInt(parts[i]);
            if (value > 255) {
                return null;
            }
            bytes[i] = (byte) value;
        }
        return bytes;
    }

    /**
     * RFC 4291 text form: eight groups of 1-4 hex digits, at most one {@code ::} standing for one
     * or more zero groups, and optionally a dotted-quad tail in place of the last two groups.
     * Returns null if anything else.
     */
    static byte[] parseIpv6(String s) {
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        int[] head = parseGroups(gap < 0 ? s : s.substring(0, gap), gap < 0);
        int[] tail = gap < 0 ? new int[0] : parseGroups(s.substring(gap + 2), true);
        if (head == null || tail == null) {
            return null;
        }
        int groups = head.length + tail.length;
        if (gap < 0 ? groups != 8 : groups > 7) {
            return null;
        }
        byte[] bytes = new byte[16];
        for (int i = 0; i < head.length; i++) {
            bytes[2 * i] = (byte) (head[i] >>> 8);
            bytes[2 * i + 1] = (byte) head[i];
        }
        for (int i = 0; i < tail.length; i++) {
            int at = 16 - 2 * (tail.length - i);
            bytes[at] = (byte) (tail[i] >>> 8);
            bytes[at + 1] = (byte) tail[i];
        }
        return bytes;
    }

    /** Colon-separated hex groups; an empty string is zero groups. Null if malformed. */
    private static int[] parseGroups(String s, boolean mayEndWithIpv4) {
        if (s.isEmpty()) {
            return new int[0];
        }
        String[] parts = s.split(":", -1);
        String last = parts[parts.length - 1];
        byte[] ipv4Tail = mayEndWithIpv4 && last.indexOf('.') >= 0 ? parseIpv4(last) : null;
        if (last.indexOf('.') >= 0 && ipv4Tail == null) {
            return null;
        }
        int hexParts = ipv4Tail == null ? parts.length : parts.length - 1;
        int[] groups = new int[ipv4Tail == null ? hexParts : hexParts + 2];
        for (int i = 0; i < hexParts; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.length() > 4) {
                return null;
            }
            int value = 0;
            for (int j = 0; j < part.length(); j++) {
                int digit = hexDigit(part.charAt(j));
                if (digit < 0) {
                    return null;
                }
                value = value << 4 | digit;
            }
            groups[i] = value;
        }
        if (ipv4Tail != null) {
            groups[hexParts] = (ipv4Tail[0] & 0xff) << 8 | (ipv4Tail[1] & 0xff);
            groups[hexParts + 1] = (ipv4Tail[2] & 0xff) << 8 | (ipv4Tail[3] & 0xff);
        }
        return groups;
    }

    /** ASCII only: Character.digit would also accept non-ASCII digits such as full-width ones. */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** Letters and no colon: not an IPv6 attempt, so most likely a name put in the wrong list. */
    private static boolean looksLikeHostName(String s) {
        return s.indexOf(':') < 0 && s.chars().anyMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
    }
}

package io.ifpin.rules;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CidrTest {

    static InetAddress ip(int... octets) throws UnknownHostException {
        byte[] bytes = new byte[octets.length];
        for (int i = 0; i < octets.length; i++) {
            bytes[i] = (byte) octets[i];
        }
        return InetAddress.getByAddress(bytes);
    }

    /** Literal text to address without DNS: getByName only skips DNS for literals, which these are. */
    static InetAddress literal(String text) throws UnknownHostException {
        return InetAddress.getByName(text);
    }

    /** ::ffff:a.b.c.d kept as an Inet6Address (getByName would turn it into an Inet4Address). */
    static Inet6Address mapped(int a, int b, int c, int d) throws UnknownHostException {
        byte[] bytes = new byte[16];
        bytes[10] = (byte) 0xff;
        bytes[11] = (byte) 0xff;
        bytes[12] = (byte) a;
        bytes[13] = (byte) b;
        bytes[14] = (byte) c;
        bytes[15] = (byte) d;
        return Inet6Address.getByAddress(null, bytes, -1);
    }

    @Test
    void ipv4Network() throws Exception {
        Cidr cidr = Cidr.parse("192.0.2.0/24");
        assertTrue(cidr.isIpv4());
        assertTrue(cidr.contains(ip(192, 0, 2, 0)));
        assertTrue(cidr.contains(ip(192, 0, 2, 255)));
        assertFalse(cidr.contains(ip(192, 0, 3, 1)));
        assertFalse(cidr.contains(ip(198, 51, 100, 1)));
        assertFalse(cidr.contains(literal("2001:db8::1")));
    }

    @Test
    void ipv4AllAndSingle() throws Exception {
        Cidr all = Cidr.parse("0.0.0.0/0");
        assertTrue(all.contains(ip(192, 0, 2, 1)));
        assertTrue(all.contains(ip(255, 255, 255, 255)));
        assertFalse(all.contains(literal("2001:db8::1")));

        Cidr single = Cidr.parse("203.0.113.7/32");
        assertTrue(single.contains(ip(203, 0, 113, 7)));
        assertFalse(single.contains(ip(203, 0, 113, 8)));

        Cidr bare = Cidr.parse("203.0.113.7");
        assertEquals(32, bare.prefixLength());
        assertTrue(bare.contains(ip(203, 0, 113, 7)));
        assertFalse(bare.contains(ip(203, 0, 113, 6)));
    }

    @Test
    void ipv4HighBitAddressesCompareUnsigned() throws Exception {
        // 203.x has the sign bit set in a Java int.
        Cidr cidr = Cidr.parse("203.0.113.128/25");
        assertTrue(cidr.contains(ip(203, 0, 113, 200)));
        assertFalse(cidr.contains(ip(203, 0, 113, 100)));
    }

    @Test
    void ipv6Networks() throws Exception {
        Cidr cidr = Cidr.parse("2001:db8:f::/48");
        assertFalse(cidr.isIpv4());
        assertTrue(cidr.contains(literal("2001:db8:f::1")));
        assertTrue(cidr.contains(literal("2001:db8:f:ffff:ffff:ffff:ffff:ffff")));
        assertFalse(cidr.contains(literal("2001:db8:10::1")));
        assertFalse(cidr.contains(ip(192, 0, 2, 1)));

        Cidr all = Cidr.parse("::/0");
        assertTrue(all.contains(literal("2001:db8::1")));
        assertFalse(all.contains(ip(192, 0, 2, 1)));

        Cidr host = Cidr.parse("2001:db8::5/128");
        assertTrue(host.contains(literal("2001:db8::5")));
        assertFalse(host.contains(literal("2001:db8::6")));

        Cidr bare = Cidr.parse("2001:DB8::5");
        assertEquals(128, bare.prefixLength());
        assertTrue(bare.contains(literal("2001:db8::5")));
    }

    @Test
    void ipv6PrefixesAcrossTheHalves() throws Exception {
        Cidr slash64 = Cidr.parse("2001:db8:0:1::/64");
        assertTrue(slash64.contains(literal("2001:db8:0:1:ffff::1")));
        assertFalse(slash64.contains(literal("2001:db8:0:2::1")));

        Cidr slash96 = Cidr.parse("2001:db8::1:0:0/96");
        assertTrue(slash96.contains(literal("2001:db8::1:c000:201")));
        assertFalse(slash96.contains(literal("2001:db8::2:c000:201")));

        Cidr slash33 = Cidr.parse("2001:db8:8000::/33");
        assertTrue(slash33.contains(literal("2001:db8:ffff::1")));
        assertFalse(slash33.contains(literal("2001:db8:7fff::1")));
    }

    @Test
    void mappedIpv6DestinationMatchesIpv4Networks() throws Exception {
        Inet6Address destination = mapped(192, 0, 2, 10);
        assertInstanceOf(Inet6Address.class, destination);
        assertTrue(Cidr.parse("192.0.2.0/24").contains(destination));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(destination));
        assertFalse(Cidr.parse("198.51.100.0/24").contains(destination));
        // A mapped address is an IPv4 connection, so IPv6 networks do not claim it.
        assertFalse(Cidr.parse("::/0").contains(destination));
    }

    @Test
    void mappedNetworkInConfigIsItsIpv4Network() throws Exception {
        Cidr cidr = Cidr.parse("::ffff:192.0.2.0/120");
        assertTrue(cidr.isIpv4());
        assertEquals(24, cidr.prefixLength());
        assertTrue(cidr.contains(ip(192, 0, 2, 10)));
        assertTrue(cidr.contains(mapped(192, 0, 2, 10)));
        assertFalse(cidr.contains(ip(192, 0, 3, 10)));
    }

    @Test
    void embeddedIpv4TailIsParsed() throws Exception {
        Cidr cidr = Cidr.parse("64:ff9b::192.0.2.1");
        assertFalse(cidr.isIpv4());
        assertTrue(cidr.contains(literal("64:ff9b::c000:201")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"::", "::1", "1::", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8",
            "2001:db8::192.0.2.1", "::ffff:192.0.2.1", "ABCD:ef01::1"})
    void validIpv6LiteralsAgreeWithTheJdk(String text) throws Exception {
        Cidr cidr = Cidr.parse(text);
        assertTrue(cidr.contains(literal(text)), text);
        assertEquals(cidr.isIpv4() ? 32 : 128, cidr.prefixLength());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "192.0.2", "192.0.2.1.5", "192.0.2.256", "192.0.2.01", "192.0.2.-1", "192.0.2.1/",
            "192.0.2.0/033", "192.0.2.0/x", "192.0.2.0/24/1", ":::", "1:::2", "1::2::3", ":1::", "1::2:", "12345::",
            "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8::", "g::1", "::192.0.2.1:1", "::1.2.3",
            "192.0.2.1::", "\uff11.0.2.1", "1 .0.2.1", "localhost", "api.corp.example"})
    void invalidLiteralsAreRejected(String text) {
        assertThrows(InvalidValueException.class, () -> Cidr.parse(text));
    }

    @Test
    void prefixTooLong() {
        InvalidValueException v4 = assertThrows(InvalidValueException.class, () -> Cidr.parse("192.0.2.0/33"));
        assertEquals("use a prefix length from /0 to /32", v4.fix());
        InvalidValueException v6 = assertThrows(InvalidValueException.class, () -> Cidr.parse("2001:db8::/129"));
        assertEquals("use a prefix length from /0 to /128", v6.fix());
    }

    @Test
    void hostBitsNameTheNetwork() {
        InvalidValueException v4 = assertThrows(InvalidValueException.class, () -> Cidr.parse("192.0.2.1/24"));
        assertEquals("host bits are set", v4.problem());
        assertEquals("use the network address \"192.0.2.0/24\"", v4.fix());

        InvalidValueException v6 = assertThrows(InvalidValueException.class, () -> Cidr.parse("2001:db8:f::1/48"));
        assertEquals("use the network address \"2001:db8:f::/48\"", v6.fix());

        InvalidValueException all = assertThrows(InvalidValueException.class, () -> Cidr.parse("192.0.2.1/0"));
        assertEquals("use the network address \"0.0.0.0/0\"", all.fix());
    }

    @Test
    void networkFormIsRfc5952() {
        assertEquals("2001:db8::/32", Cidr.parse("2001:0DB8:0000::/32").networkForm());
        assertEquals("::/0", Cidr.parse("::/0").networkForm());
        assertEquals("::1/128", Cidr.parse("0:0:0:0:0:0:0:1").networkForm());
        assertEquals("2001:db8:0:1::/64", Cidr.parse("2001:db8:0:1::/64").networkForm());
        // the longest run of zero groups is compressed (the first of equals), a single zero group never
        assertEquals("2001:db8:0:1::1:0/128", Cidr.parse("2001:db8:0:1:0:0:1:0").networkForm());
        assertEquals("2001:db8::1:0:0:1/128", Cidr.parse("2001:db8:0:0:1:0:0:1").networkForm());
        assertEquals("2001:db8:0:1:1:1:1:1/128", Cidr.parse("2001:db8:0:1:1:1:1:1").networkForm());
    }

    @Test
    void zoneIdsAreRejected() {
        InvalidValueException e = assertThrows(InvalidValueException.class, () -> Cidr.parse("fe80::1%eth0"));
        assertTrue(e.problem().contains("zone"));
    }

    @Test
    void hostNameGetsAHostsFix() {
        InvalidValueException e = assertThrows(InvalidValueException.class, () -> Cidr.parse("api.corp.example"));
        assertEquals("host names go in hosts = [\"api.corp.example\"]", e.fix());
    }

    @Test
    void toStringIsAsWritten() {
        assertEquals("2001:DB8::/32", Cidr.parse("2001:DB8::/32").toString());
    }

    /** RuleSet relies on this to read IPv4 addresses without allocating. */
    @Test
    void inet4AddressHashCodeIsTheAddress() throws Exception {
        for (int[] octets : new int[][] {{192, 0, 2, 1}, {198, 51, 100, 255}, {203, 0, 113, 0}, {0, 0, 0, 0},
                {255, 255, 255, 255}}) {
            InetAddress address = ip(octets);
            assertInstanceOf(Inet4Address.class, address);
            assertEquals(ByteBuffer.wrap(address.getAddress()).getInt(), Cidr.ipv4Bits(address));
        }
    }
}

package io.ifpin.rules;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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

    /** Whether the network contains the address (both as written; the addresses are literals, so no DNS). */
    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            // IPv4; 203.x has the sign bit set in a Java int, so addresses compare unsigned
            "192.0.2.0/24          | 192.0.2.0                           | true",
            "192.0.2.0/24          | 192.0.2.255                         | true",
            "192.0.2.0/24          | 192.0.3.1                           | false",
            "192.0.2.0/24          | 198.51.100.1                        | false",
            "192.0.2.0/24          | 2001:db8::1                         | false",
            "0.0.0.0/0             | 192.0.2.1                           | true",
            "0.0.0.0/0             | 255.255.255.255                     | true",
            "0.0.0.0/0             | 2001:db8::1                         | false",
            "203.0.113.7/32        | 203.0.113.7                         | true",
            "203.0.113.7/32        | 203.0.113.8                         | false",
            "203.0.113.7           | 203.0.113.7                         | true",
            "203.0.113.7           | 203.0.113.6                         | false",
            "203.0.113.128/25      | 203.0.113.200                       | true",
            "203.0.113.128/25      | 203.0.113.100                       | false",
            // IPv6
            "2001:db8:f::/48       | 2001:db8:f::1                       | true",
            "2001:db8:f::/48       | 2001:db8:f:ffff:ffff:ffff:ffff:ffff | true",
            "2001:db8:f::/48       | 2001:db8:10::1                      | false",
            "2001:db8:f::/48       | 192.0.2.1                           | false",
            "::/0                  | 2001:db8::1                         | true",
            "::/0                  | 192.0.2.1                           | false",
            "2001:db8::5/128       | 2001:db8::5                         | true",
            "2001:db8::5/128       | 2001:db8::6                         | false",
            "2001:DB8::5           | 2001:db8::5                         | true",
            // prefixes across the two 64-bit halves
            "2001:db8:0:1::/64     | 2001:db8:0:1:ffff::1                | true",
            "2001:db8:0:1::/64     | 2001:db8:0:2::1                     | false",
            "2001:db8::1:0:0/96    | 2001:db8::1:c000:201                | true",
            "2001:db8::1:0:0/96    | 2001:db8::2:c000:201                | false",
            "2001:db8:8000::/33    | 2001:db8:ffff::1                    | true",
            "2001:db8:8000::/33    | 2001:db8:7fff::1                    | false",
            // a mapped network in a config is its IPv4 network; an embedded IPv4 tail is parsed
            "::ffff:192.0.2.0/120  | 192.0.2.10                          | true",
            "::ffff:192.0.2.0/120  | 192.0.3.10                          | false",
            "64:ff9b::192.0.2.1    | 64:ff9b::c000:201                   | true",
    })
    void containment(String network, String address, boolean contains) throws Exception {
        assertEquals(contains, Cidr.parse(network).contains(literal(address)));
    }

    @ParameterizedTest(name = "{0}: IPv4 {1}, /{2}")
    @CsvSource(delimiter = '|', value = {
            "192.0.2.0/24          | true  | 24",
            "203.0.113.7           | true  | 32",
            "2001:db8:f::/48       | false | 48",
            "2001:DB8::5           | false | 128",
            "::ffff:192.0.2.0/120  | true  | 24",
            "64:ff9b::192.0.2.1    | false | 128",
    })
    void familyAndPrefixLength(String network, boolean ipv4, int prefixLength) {
        Cidr cidr = Cidr.parse(network);
        assertEquals(ipv4, cidr.isIpv4());
        assertEquals(prefixLength, cidr.prefixLength());
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
        assertTrue(Cidr.parse("::ffff:192.0.2.0/120").contains(destination));
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

    /** The fix an invalid network's message gives. */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "192.0.2.0/33          | use a prefix length from /0 to /32",
            "2001:db8::/129        | use a prefix length from /0 to /128",
            "192.0.2.1/24          | use the network address \"192.0.2.0/24\"",
            "2001:db8:f::1/48      | use the network address \"2001:db8:f::/48\"",
            "192.0.2.1/0           | use the network address \"0.0.0.0/0\"",
            "api.corp.example      | host names go in hosts = [\"api.corp.example\"]",
    })
    void invalidNetworkFix(String text, String fix) {
        assertEquals(fix, assertThrows(InvalidValueException.class, () -> Cidr.parse(text)).fix());
    }

    @Test
    void hostBitsSetIsTheProblem() {
        InvalidValueException v4 = assertThrows(InvalidValueException.class, () -> Cidr.parse("192.0.2.1/24"));
        assertEquals("host bits are set", v4.problem());
    }

    /** The longest run of zero groups is compressed (the first of equals), a single zero group never. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "2001:0DB8:0000::/32    | 2001:db8::/32",
            "::/0                   | ::/0",
            "0:0:0:0:0:0:0:1        | ::1/128",
            "2001:db8:0:1::/64      | 2001:db8:0:1::/64",
            "2001:db8:0:1:0:0:1:0   | 2001:db8:0:1::1:0/128",
            "2001:db8:0:0:1:0:0:1   | 2001:db8::1:0:0:1/128",
            "2001:db8:0:1:1:1:1:1   | 2001:db8:0:1:1:1:1:1/128",
    })
    void networkFormIsRfc5952(String written, String networkForm) {
        assertEquals(networkForm, Cidr.parse(written).networkForm());
    }

    @Test
    void zoneIdsAreRejected() {
        InvalidValueException e = assertThrows(InvalidValueException.class, () -> Cidr.parse("fe80::1%eth0"));
        assertTrue(e.problem().contains("zone"));
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

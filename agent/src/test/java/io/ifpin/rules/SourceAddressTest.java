package io.ifpin.rules;

import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The struct sockaddr bytes a source binds, per socket family and destination family. */
class SourceAddressTest {

    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;

    private static byte[] family(int family) {
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? new byte[] {(byte) family, 0}
                : new byte[] {0, (byte) family};
    }

    @Test
    void anIpv4SocketGetsASockaddrIn() {
        SourceAddress source = SourceAddress.parse(List.of("198.51.100.7"));
        byte[] expected = new byte[16];
        System.arraycopy(family(AF_INET), 0, expected, 0, 2);
        expected[4] = (byte) 198;
        expected[5] = 51;
        expected[6] = 100;
        expected[7] = 7;
        assertArrayEquals(expected, source.sockaddrFor(AF_INET, true));
    }

    @Test
    void aDualStackSocketToAnIpv4DestinationGetsTheMappedAddress() {
        SourceAddress source = SourceAddress.parse(List.of("198.51.100.7", "2001:db8::7"));
        byte[] mapped = source.sockaddrFor(AF_INET6, true);
        assertEquals(28, mapped.length);
        assertArrayEquals(family(AF_INET6), new byte[] {mapped[0], mapped[1]});
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 198, 51, 100, 7},
                java.util.Arrays.copyOfRange(mapped, 8, 24));
        byte[] ipv6 = source.sockaddrFor(AF_INET6, false);
        assertArrayEquals(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7},
                java.util.Arrays.copyOfRange(ipv6, 8, 24));
        assertEquals(0, mapped[2] | mapped[3], "port 0");
    }

    @Test
    void aFamilyWithoutAnAddressGetsNone() {
        SourceAddress ipv4Only = SourceAddress.parse(List.of("198.51.100.7"));
        assertNull(ipv4Only.sockaddrFor(AF_INET6, false));
        SourceAddress ipv6Only = SourceAddress.parse(List.of("2001:db8::7"));
        assertNull(ipv6Only.sockaddrFor(AF_INET6, true));
        assertNull(ipv6Only.sockaddrFor(AF_INET, true));
    }
}
